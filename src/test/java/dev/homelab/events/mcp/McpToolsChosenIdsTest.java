package dev.homelab.events.mcp;

import static dev.homelab.events.mcp.McpJson.errorText;
import static dev.homelab.events.mcp.McpJson.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkiverse.mcp.server.test.McpAssured.McpStreamableTestClient;
import io.quarkus.test.junit.QuarkusTest;

/** The {@code id} argument of emit_event and record_remediation over MCP: a retry records nothing twice. */
@QuarkusTest
class McpToolsChosenIdsTest {

    McpStreamableTestClient client;

    @BeforeEach
    void connect() {
        client = McpAssured.newConnectedStreamableClient();
    }

    private static Map<String, Object> emit(String id, String stage) {
        Map<String, Object> args = new HashMap<>(Map.of("type", "deployment_failed", "severity", "error", "source",
                "mcp-test", "service", "ids-svc", "correlation_id", "mcp-ids", "payload", Map.of("stage", stage)));
        args.put("id", id);
        return args;
    }

    @Test
    void emitEventWithAnIdIsIdempotentAndADifferentEventUnderItIsAnError() {
        String id = UUID.randomUUID().toString();
        AtomicReference<String> path = new AtomicReference<>();
        client.when().toolsCall("emit_event", emit(id, "verify"), r -> {
            JsonNode j = ok(r);
            assertEquals(id, j.get("id").asText());
            path.set(j.get("path").asText());
        }).thenAssertResults();
        client.when().toolsCall("emit_event", emit(id, "verify"), r -> {
            JsonNode j = ok(r);
            assertEquals(id, j.get("id").asText());
            assertEquals(path.get(), j.get("path").asText(), "the stored event, not a second one");
        }).thenAssertResults();
        client.when().toolsCall("emit_event", emit(id, "build"), r -> {
            String msg = errorText(r);
            assertTrue(msg.contains("Conflict") && msg.contains("id") && msg.contains("already stored with different content")
                    && msg.contains("payload"), msg);
        }).thenAssertResults();
        client.when().toolsCall("get_event", Map.of("id", id),
                r -> assertEquals("verify", ok(r).get("payload").get("stage").asText())).thenAssertResults();
    }

    @Test
    void anIdThatIsNotAUuidIsRefusedNamingId() {
        client.when().toolsCall("emit_event", emit("deploy-1", "verify"), r -> {
            String msg = errorText(r);
            assertTrue(msg.contains("id: must be a UUID"), msg);
        }).toolsCall("record_remediation", Map.of("phase", "start", "correlation_id", "mcp-ids", "service", "ids-svc",
                "action", "restart", "actor", "agent", "id", "42"), r -> {
                    String msg = errorText(r);
                    assertTrue(msg.contains("id: must be a UUID"), msg);
                }).thenAssertResults();
    }

    @Test
    void recordRemediationRetriedWithItsIdReturnsTheStepAndAnOpenStepIsAConflict() {
        String cid = "mcp-ids-" + UUID.randomUUID();
        String id = UUID.randomUUID().toString();
        Map<String, Object> start = Map.of("phase", "start", "correlation_id", cid, "service", "ids-svc", "action",
                "restart", "actor", "agent", "id", id);
        client.when().toolsCall("record_remediation", start, r -> assertEquals(id, ok(r).get("id").asText()))
                .thenAssertResults();
        client.when().toolsCall("record_remediation", start, r -> assertEquals(id, ok(r).get("id").asText()))
                .thenAssertResults();
        Map<String, Object> other = new HashMap<>(start);
        other.remove("id");
        client.when().toolsCall("record_remediation", other, r -> {
            String msg = errorText(r);
            assertTrue(msg.startsWith("Conflict") && msg.contains("already open"), msg);
        }).thenAssertResults();
    }
}
