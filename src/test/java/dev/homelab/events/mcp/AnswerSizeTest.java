package dev.homelab.events.mcp;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkiverse.mcp.server.test.McpAssured.McpStreamableTestClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.homelab.events.agent.ToolCatalog;

/**
 * Answers sized for a model's context (issue 14), measured with a real tokenizer (gpt-tokenizer, o200k, run by
 * node) over {@link BusyStore}: the default answer of every read tool, as an MCP client hands it to a model (the
 * text block), stays at most 1,500 tokens, and the whole tools/list at most 2,500. An agent still gets everything:
 * each list says how many there are and takes a cursor or a larger limit for more.
 */
@QuarkusTest
@TestProfile(AnswerSizeTest.Busy.class)
class AnswerSizeTest {

    static final int READ_TOOL_BUDGET = 1_500;
    static final int TOOLS_LIST_BUDGET = 2_500;

    public static class Busy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path root = Files.createTempDirectory("homelab-busy-store");
                BusyStore.generate(root.resolve("events"));
                // 20,000 files: removed when the test JVM ends
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
                return Map.of("homelab.events.dir", root.resolve("events").toString(), "homelab.index.snapshot", "false");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static final ObjectMapper M = new ObjectMapper();

    static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // best effort: a temporary directory
        }
    }

    @Inject
    ToolCatalog catalog;

    @Test
    void everyReadToolsDefaultAnswerAndTheToolListFitTheirBudgets() throws Exception {
        McpStreamableTestClient client = McpAssured.newConnectedStreamableClient();
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("tools/list", rawToolsList());

        String anEvent = M.readTree(call(client, "list_events", Map.of("limit", 1))).at("/events/0/id").asText();
        Map<String, Map<String, Object>> defaults = new LinkedHashMap<>();
        defaults.put("list_events", Map.of());
        defaults.put("get_event", Map.of("id", anEvent));
        defaults.put("get_causal_chain", Map.of("correlation_id", BusyStore.LONG_CHAIN));
        defaults.put("get_remediation_history", Map.of("service", BusyStore.BUSY_SERVICE));
        defaults.put("get_service_status", Map.of());
        defaults.put("list_open_incidents", Map.of());
        defaults.put("get_node_status", Map.of());
        defaults.put("get_sync_status", Map.of());
        defaults.put("verify_audit_trail", Map.of());
        assertEquals(catalog.readOnlyTools().stream().map(ToolCatalog.Tool::name).sorted().toList(),
                defaults.keySet().stream().sorted().toList(), "every read tool is measured");
        for (Map.Entry<String, Map<String, Object>> e : defaults.entrySet()) {
            texts.put(e.getKey(), call(client, e.getKey(), e.getValue()));
        }

        JsonNode counts = tokens(texts);
        StringBuilder report = new StringBuilder();
        counts.properties().forEach(c -> report.append(String.format("%-24s %5d tokens%n", c.getKey(), c.getValue().asInt())));
        System.out.println("o200k tokens over the busy store:\n" + report);
        assertTrue(counts.get("tools/list").asInt() <= TOOLS_LIST_BUDGET, report::toString);
        for (String tool : defaults.keySet()) {
            assertTrue(counts.get(tool).asInt() <= READ_TOOL_BUDGET, () -> tool + " is over budget:\n" + report);
        }
        // nothing is lost: the lists say how many there are and how to get more
        JsonNode events = M.readTree(texts.get("list_events"));
        assertTrue(events.get("total").asInt() > 20_000 && events.get("has_more").asBoolean(), events::toString);
        JsonNode incidents = M.readTree(texts.get("list_open_incidents"));
        assertTrue(incidents.get("total").asInt() >= 30, incidents::toString);
        JsonNode chain = M.readTree(texts.get("get_causal_chain"));
        assertEquals(80, chain.get("count").asInt());
        assertTrue(chain.get("events_omitted").asInt() > 0);
        JsonNode services = M.readTree(texts.get("get_service_status"));
        assertTrue(services.get("total").asInt() >= 40, services::toString);
        client.disconnect();
    }

    /** The tools/list result exactly as the server sends it. */
    static String rawToolsList() throws Exception {
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"size\",\"version\":\"1\"}}}";
        String session = given().contentType("application/json").accept("application/json, text/event-stream").body(init)
                .post("/mcp").then().statusCode(200).extract().header("Mcp-Session-Id");
        String body = given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Mcp-Session-Id", session).body("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}")
                .post("/mcp").then().statusCode(200).extract().asString();
        given().header("Mcp-Session-Id", session).delete("/mcp");
        return M.readTree(body).get("result").toString();
    }

    static String call(McpStreamableTestClient client, String tool, Map<String, Object> args) {
        String[] text = new String[1];
        client.when().toolsCall(tool, args, r -> text[0] = McpJson.ok(r).toString()).thenAssertResults();
        return text[0];
    }

    static JsonNode tokens(Map<String, String> texts) throws Exception {
        Path dir = NodeClient.install();
        Path input = dir.resolve("answer-texts.json");
        Files.writeString(input, M.writeValueAsString(texts));
        NodeClient.Result r = NodeClient.run(List.of("node", "tokens.mjs", input.getFileName().toString()), 120);
        assertEquals(0, r.exit(), r.output());
        return M.readTree(r.output().strip().lines().reduce((a, b) -> b).orElseThrow());
    }
}
