package dev.homelab.events.agent;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.homelab.events.NotFoundException;
import dev.homelab.events.service.EventService;

/** homelab.tools.read-only: the write tools are neither listed nor callable on any face, and nothing is written. */
@QuarkusTest
@TestProfile(ReadOnlyModeTest.ReadOnly.class)
class ReadOnlyModeTest {

    public static class ReadOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("homelab.tools.read-only", "true");
        }
    }

    static final List<String> READS = List.of("list_events", "get_event", "get_causal_chain", "get_remediation_history",
            "get_service_status", "list_open_incidents", "get_node_status", "get_sync_status", "verify_audit_trail");

    @Inject
    ToolCatalog catalog;
    @Inject
    EventService service;

    String emitArgs = "{\"type\":\"service_unhealthy\",\"severity\":\"error\",\"source\":\"t\",\"service\":\"x\","
            + "\"correlation_id\":\"read-only-probe\"}";

    @Test
    void mcpNeitherListsNorRunsWriteTools() {
        McpAssured.newConnectedStreamableClient().when()
                .toolsList(page -> assertEquals(READS, page.tools().stream().map(McpAssured.ToolInfo::name).toList()))
                .toolsCall("emit_event").withArguments(Map.of("type", "service_unhealthy", "severity", "error", "source", "t",
                        "service", "x", "correlation_id", "read-only-probe"))
                .withErrorAssert(e -> assertTrue(e.message().contains("emit_event"), e.message())).send()
                .toolsCall("record_remediation").withArguments(Map.of("phase", "start", "correlation_id", "read-only-probe",
                        "service", "x", "action", "a", "actor", "t"))
                .withErrorAssert(e -> assertTrue(e.message().contains("record_remediation"), e.message())).send()
                .thenAssertResults();
        assertNothingWritten();
    }

    @Test
    void functionCallingNeitherListsNorRunsWriteTools() {
        given().get("/api/tools").then().statusCode(200)
                .body(not(containsString("emit_event"))).body(not(containsString("record_remediation")))
                .body("function.name", org.hamcrest.Matchers.equalTo(READS));
        given().contentType(ContentType.JSON).body(emitArgs).post("/api/tools/emit_event")
                .then().statusCode(404).contentType("application/problem+json").body("detail", containsString("read-only"));
        given().contentType(ContentType.JSON).body("{}").post("/api/tools/record_remediation").then().statusCode(404);
        assertNothingWritten();
    }

    @Test
    void catalogForInProcessAgentsRefusesWriteTools() throws Exception {
        assertEquals(READS, catalog.visible().stream().map(ToolCatalog.Tool::name).toList());
        assertEquals(READS, catalog.readOnlyTools().stream().map(ToolCatalog.Tool::name).toList());
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> catalog.call("emit_event", new ObjectMapper().readTree(emitArgs)));
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        assertNothingWritten();
    }

    private void assertNothingWritten() {
        assertTrue(!service.correlationIds().contains("read-only-probe"), "a refused write must store nothing");
    }
}
