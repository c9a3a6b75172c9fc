package dev.homelab.events.mcp;

import static dev.homelab.events.mcp.McpJson.errorText;
import static dev.homelab.events.mcp.McpJson.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkiverse.mcp.server.test.McpAssured.McpStreamableTestClient;
import io.quarkiverse.mcp.server.test.McpAssured.ToolInfo;
import io.quarkus.test.junit.QuarkusTest;

import dev.homelab.events.agent.SeedChains;
import dev.homelab.events.agent.ToolCatalog;
import dev.homelab.events.service.EventService;

/** The MCP face over Streamable HTTP with McpAssured, on a temp store seeded with {@link SeedChains}. */
@QuarkusTest
class McpToolsTest {

    static final List<String> ALL = List.of("emit_event", "list_events", "get_event", "get_causal_chain",
            "get_remediation_history", "record_remediation", "get_service_status", "list_open_incidents", "get_node_status",
            "sync_now", "get_sync_status", "verify_audit_trail");
    static final Set<String> WRITES = Set.of("emit_event", "record_remediation", "sync_now");

    @Inject
    EventService service;
    @Inject
    ToolCatalog catalog;

    McpStreamableTestClient client;

    @BeforeEach
    void seed() {
        SeedChains.ensureSeeded(service);
        client = McpAssured.newConnectedStreamableClient();
    }

    @Test
    void toolsListHasEveryToolWithCatalogSchemasAndTrueAnnotations() {
        client.when().toolsList(page -> {
            assertEquals(ALL, page.tools().stream().map(ToolInfo::name).toList());
            for (ToolInfo t : page.tools()) {
                ToolCatalog.Tool def = catalog.find(t.name()).orElseThrow();
                assertEquals(McpJson.read(def.inputSchema().toString()), McpJson.read(t.inputSchema().encode()), t.name());
                assertNotNull(t.outputSchema(), t.name() + " must publish an outputSchema");
                assertEquals("object", t.outputSchema().getString("type"));
                var a = t.annotations().orElseThrow();
                boolean write = WRITES.contains(t.name());
                assertEquals(!write, a.readOnlyHint(), t.name() + " readOnlyHint");
                if (write) {
                    // for read-only tools the specification calls the other two hints meaningless, so they are left out
                    assertFalse(a.idempotentHint(), t.name() + " idempotentHint");
                    assertFalse(a.destructiveHint(), t.name() + " is append-only, never destructive");
                }
                assertFalse(a.openWorldHint(), t.name());
                for (String arg : t.inputSchema().getJsonObject("properties").fieldNames()) {
                    assertFalse(t.inputSchema().getJsonObject("properties").getJsonObject(arg).getString("description", "")
                            .isBlank(), t.name() + "." + arg + " needs a description");
                }
            }
            assertEquals(List.of("correlation_id"),
                    page.findByName("get_causal_chain").inputSchema().getJsonArray("required").getList());
        }).thenAssertResults();
    }

    @Test
    void legacySseTransportServesTheSameCatalog() {
        McpAssured.newConnectedSseClient().when().toolsList(page -> {
            assertEquals(ALL, page.tools().stream().map(ToolInfo::name).toList());
        }).toolsCall("get_causal_chain", Map.of("correlation_id", "deploy-882"),
                r -> assertEquals("resolved", ok(r).get("outcome").asText()))
                .thenAssertResults();
    }

    @Test
    void catalogAsSentByToolsListStaysUnderTwelveThousandCharacters() {
        AtomicReference<String> raw = new AtomicReference<>();
        client.when().message(client.newRequest(McpAssured.TOOLS_LIST))
                .withAssert(r -> raw.set(r.getJsonObject("result").getJsonArray("tools").encode())).send()
                .thenAssertResults();
        assertTrue(raw.get().length() < 12_000, "tools/list is " + raw.get().length() + " characters");
    }

    @Test
    void listEventsFiltersPagesAndCountsNewestFirst() {
        client.when().toolsCall("list_events", Map.of("correlation_id", "deploy-882"), r -> {
            JsonNode j = ok(r);
            assertEquals(4, j.get("total").asInt());
            assertFalse(j.get("has_more").asBoolean());
            assertEquals("service_recovered", j.get("events").get(0).get("type").asText());
            assertEquals("deployment_started", j.get("events").get(3).get("type").asText());
        }).toolsCall("list_events", Map.of("node", "pi5", "service", "system", "types", List.of("node_offline", "node_online")),
                r -> {
                    JsonNode j = ok(r);
                    assertEquals(2, j.get("total").asInt());
                    assertEquals("node_online", j.get("events").get(0).get("type").asText());
                }).toolsCall("list_events", Map.of("min_severity", "critical", "service", "system"), r -> {
                    assertEquals(2, ok(r).get("total").asInt());
                }).thenAssertResults();

        List<String> ids = new ArrayList<>();
        AtomicReference<String> cursor = new AtomicReference<>();
        client.when().toolsCall("list_events", Map.of("service", "grafana", "limit", 2), r -> {
            JsonNode j = ok(r);
            assertEquals(3, j.get("total").asInt());
            assertTrue(j.get("has_more").asBoolean());
            j.get("events").forEach(e -> ids.add(e.get("id").asText()));
            cursor.set(j.get("next_cursor").asText());
        }).thenAssertResults();
        client.when().toolsCall("list_events", Map.of("service", "grafana", "limit", 2, "cursor", cursor.get()), r -> {
            JsonNode j = ok(r);
            assertFalse(j.get("has_more").asBoolean());
            assertEquals(1, j.get("events").size());
            assertFalse(ids.contains(j.get("events").get(0).get("id").asText()), "pages never repeat an event");
            assertEquals("deployment_started", j.get("events").get(0).get("type").asText());
        }).thenAssertResults();
    }

    @Test
    void largePayloadsAreCutToTheBudgetAndFlagged() {
        client.when()
                .toolsCall("list_events", Map.of("correlation_id", "deploy-883", "types", List.of("deployment_failed")), r -> {
                    JsonNode e = ok(r).get("events").get(0);
                    assertTrue(e.get("payload_truncated").asBoolean());
                    assertEquals("pull", e.get("payload").get("stage").asText());
                    assertTrue(e.get("payload").toString().length() <= 256, "payload within the list budget");
                }).toolsCall("list_events", Map.of("correlation_id", "deploy-882", "limit", 1), r -> {
                    assertFalse(ok(r).get("events").get(0).has("payload_truncated"), "absent when nothing was cut");
                }).thenAssertResults();
    }

    @Test
    void getEventAndCausalChainOfDeploy882() {
        AtomicReference<String> failedId = new AtomicReference<>();
        client.when().toolsCall("get_causal_chain", Map.of("correlation_id", "deploy-882"), r -> {
            JsonNode c = ok(r);
            assertEquals("resolved", c.get("outcome").asText());
            assertEquals(4, c.get("count").asInt());
            assertEquals(List.of("pi4", "pi5"), texts(c.get("nodes")));
            assertEquals("deployment_started", c.get("first").get("type").asText());
            assertEquals("service_recovered", c.get("last").get("type").asText());
            assertEquals("verify", c.get("failure").get("stage").asText());
            assertEquals("port 1883 not bound", c.get("failure").get("error").asText());
            failedId.set(c.get("failure").get("event_id").asText());
            JsonNode step = c.get("remediations").get(0);
            assertEquals("restart-mosquitto", step.get("step").asText());
            assertEquals("diagnostics.sh", step.get("actor").asText());
            assertEquals("open", step.get("status").asText());
            assertEquals(15 * 60, c.get("elapsed_seconds").asInt());
            assertEquals(List.of("deployment_started", "deployment_failed", "remediation_started", "service_recovered"),
                    c.get("events").findValuesAsText("type"));
            assertFalse(c.get("events").get(0).has("since_previous_seconds"));
            assertEquals(95, c.get("events").get(1).get("since_previous_seconds").asInt());
            assertEquals(45, c.get("events").get(2).get("since_previous_seconds").asInt());
            assertEquals(0, c.get("events_omitted").asInt());
        }).thenAssertResults();
        client.when().toolsCall("get_event", Map.of("id", failedId.get()), r -> {
            JsonNode e = ok(r);
            assertEquals("deployment_failed", e.get("type").asText());
            assertEquals("pi4", e.get("node").asText());
            assertEquals("deploy-882", e.get("correlation_id").asText());
        }).toolsCall("get_causal_chain", Map.of("correlation_id", "deploy-883"), r -> {
            JsonNode c = ok(r);
            assertEquals("remediating", c.get("outcome").asText());
            assertEquals("image not found", c.get("failure").get("error").asText());
        }).toolsCall("get_causal_chain", Map.of("correlation_id", "hc-zigbee", "limit", 2), r -> {
            JsonNode c = ok(r);
            assertEquals("failed", c.get("outcome").asText());
            assertEquals(2, c.get("events").size());
            assertEquals(1, c.get("events_omitted").asInt());
            assertEquals("failed", c.get("remediations").get(0).get("result").asText());
            assertEquals(120, c.get("remediations").get(0).get("elapsed_seconds").asInt());
        }).thenAssertResults();
    }

    @Test
    void derivedStatusOfServicesNodesAndIncidents() {
        client.when().toolsCall("get_service_status", Map.of("limit", 200), r -> {
            JsonNode s = ok(r).get("services");
            assertEquals("healthy", find(s, "service", "mosquitto").get("health").asText());
            assertEquals("failed", find(s, "service", "grafana").get("deployment").get("state").asText());
            assertEquals("unknown", find(s, "service", "grafana").get("health").asText());
            assertEquals("unhealthy", find(s, "service", "zigbee2mqtt").get("health").asText());
            assertEquals("completed", find(s, "service", "homeassistant").get("deployment").get("state").asText());
        }).toolsCall("get_service_status", Map.of("service", "mosquitto"), r -> {
            JsonNode s = ok(r).get("services");
            assertEquals(1, s.size());
            assertEquals("failed", s.get(0).get("deployment").get("state").asText());
            assertEquals("deploy-882", s.get(0).get("deployment").get("correlation_id").asText());
        }).toolsCall("get_node_status", Map.of(), r -> {
            JsonNode n = ok(r).get("nodes");
            assertEquals("online", find(n, "node", "pi5").get("state").asText());
            assertEquals("offline", find(n, "node", "nas").get("state").asText());
            assertEquals("unknown", find(n, "node", "pi4").get("state").asText());
            assertTrue(find(n, "node", "pi4").has("last_event_at"));
        }).toolsCall("list_open_incidents", Map.of("limit", 200), r -> {
            JsonNode i = ok(r).get("incidents");
            List<String> cids = i.findValuesAsText("correlation_id");
            assertTrue(cids.containsAll(List.of("nas-outage", "hc-zigbee", "deploy-883")), cids.toString());
            assertFalse(cids.contains("deploy-882"), "resolved chains are not open incidents");
            assertFalse(cids.contains("pi5-outage"));
            assertFalse(cids.contains("deploy-884"));
            // other test classes share this store: compare the fixture's incidents among themselves
            assertTrue(cids.indexOf("nas-outage") < cids.indexOf("hc-zigbee")
                    && cids.indexOf("hc-zigbee") < cids.indexOf("deploy-883"), "most recently active first: " + cids);
            assertEquals(1, find(i, "correlation_id", "deploy-883").get("open_remediations").asInt());
        }).thenAssertResults();
    }

    @Test
    void recordRemediationLinksCompleteToStartAndHistoryShowsWhatWasTried() {
        String cid = "test-remediation-" + UUID.randomUUID();
        client.when()
                .toolsCall("emit_event", Map.of("type", "service_unhealthy", "severity", "error", "source", "healthcheck.sh",
                        "service", "nginx", "correlation_id", cid, "payload", Map.of("error", "502")), r -> {
                            JsonNode j = ok(r);
                            assertEquals(cid, j.get("correlation_id").asText());
                            assertTrue(j.get("path").asText().contains("service_unhealthy"), j.get("path").asText());
                        })
                .thenAssertResults();
        // each step depends on the previous one: one request per batch, because a batch is sent without waiting
        client.when().toolsCall("get_remediation_history", Map.of("correlation_id", cid),
                r -> assertEquals(0, ok(r).get("total").asInt()))
                .thenAssertResults();
        client.when().toolsCall("record_remediation", Map.of("phase", "start", "correlation_id", cid, "service", "nginx",
                "action", "restart_service", "actor", "test-agent"), r -> {
                    JsonNode j = ok(r);
                    assertEquals("remediation_started", j.get("type").asText());
                    assertEquals("restart_service", j.get("step").asText());
                })
                .thenAssertResults();
        client.when().toolsCall("record_remediation", Map.of("phase", "start", "correlation_id", cid, "service", "nginx",
                "action", "restart_service", "actor", "test-agent"), r -> {
                    String msg = errorText(r);
                    assertTrue(msg.contains("step") && msg.contains("already started"), msg);
                })
                .thenAssertResults();
        client.when().toolsCall("record_remediation", Map.of("phase", "complete", "correlation_id", cid, "service", "nginx",
                "action", "clear_cache", "actor", "test-agent"), r -> {
                    String msg = errorText(r);
                    assertTrue(msg.contains("step") && msg.contains("open steps: restart_service"), msg);
                })
                .thenAssertResults();
        client.when().toolsCall("record_remediation", Map.of("phase", "complete", "correlation_id", cid, "service", "nginx",
                "action", "restart_service", "actor", "test-agent", "note", "nginx answers 200 again"), r -> {
                    JsonNode j = ok(r);
                    assertEquals("remediation_completed", j.get("type").asText());
                    assertTrue(j.has("started_event_id"));
                })
                .thenAssertResults();
        client.when().toolsCall("get_remediation_history", Map.of("correlation_id", cid), r -> {
            JsonNode s = ok(r).get("steps").get(0);
            assertEquals("completed", s.get("status").asText());
            assertEquals("succeeded", s.get("result").asText());
            assertEquals("test-agent", s.get("actor").asText());
        })
                .thenAssertResults();
        client.when().toolsCall("get_causal_chain", Map.of("correlation_id", cid),
                r -> assertEquals("resolved", ok(r).get("outcome").asText()))
                .thenAssertResults();
        client.when().toolsCall("get_remediation_history", Map.of("service", "zigbee2mqtt"), r -> {
            JsonNode j = ok(r);
            assertEquals(1, j.get("total").asInt());
            assertEquals("restart-z2m", j.get("steps").get(0).get("step").asText());
            assertEquals("failed", j.get("steps").get(0).get("result").asText());
        })
                .thenAssertResults();
    }

    @Test
    void badArgumentsAndUnknownIdsAreToolErrorsNamingTheArgument() {
        client.when().toolsCall("list_events", Map.of("limit", 500), r -> {
            String msg = errorText(r);
            assertTrue(msg.contains("limit") && msg.contains("between 1 and 200"), msg);
        }).toolsCall("list_events", Map.of("limit", "ten"), r -> {
            String msg = errorText(r);
            assertTrue(msg.contains("limit: must be an integer"), msg);
        }).toolsCall("list_events", Map.of("types", List.of("deploy_exploded")), r -> {
            String msg = errorText(r);
            assertTrue(msg.contains("types") && msg.contains("deployment_failed"), msg);
        }).toolsCall("list_events", Map.of("colour", "red"), r -> {
            String msg = errorText(r);
            assertTrue(msg.contains("colour: is not an argument of list_events"), msg);
        }).toolsCall("get_event", Map.of("id", UUID.randomUUID().toString()), r -> {
            String msg = errorText(r);
            assertTrue(msg.startsWith("Not found"), msg);
        }).toolsCall("get_causal_chain", Map.of("correlation_id", "no-such-chain"), r -> {
            assertTrue(errorText(r).contains("Not found"));
        }).toolsCall("get_causal_chain", Map.of(), r -> {
            String msg = errorText(r);
            assertTrue(msg.contains("correlation_id: is required"), msg);
        }).toolsCall("emit_event", Map.of("type", "service_unhealthy", "severity", "fatal", "source", "a", "service", "b"),
                r -> {
                    String msg = errorText(r);
                    assertTrue(msg.contains("severity") && msg.contains("info, warning, error, critical"), msg);
                    assertFalse(msg.contains("Exception") || msg.contains("\tat "), "never a stack trace: " + msg);
                }).thenAssertResults();
    }

    @Test
    void resourcesTemplatesCompletionAndPrompts() {
        client.when().resourcesTemplatesList(p -> {
            List<String> uris = p.templates().stream().map(McpAssured.ResourceTemplateInfo::uriTemplate).toList();
            assertTrue(uris.containsAll(List.of("homelab://events/{id}", "homelab://chains/{correlation_id}")),
                    uris.toString());
        }).resourcesRead("homelab://chains/deploy-882", r -> {
            JsonNode c = McpJson.read(r.firstContents().asText().text());
            assertEquals(4, c.get("events").size());
            assertEquals("application/json", r.firstContents().asText().mimeType());
        }).resourceTemplateComplete("homelab://chains/{correlation_id}", "correlation_id", "deploy-88", r -> {
            assertTrue(r.values().containsAll(List.of("deploy-882", "deploy-883", "deploy-884")), r.values().toString());
            assertFalse(r.values().contains("hc-zigbee"));
        }).promptsList(p -> {
            assertTrue(p.prompts().stream().map(McpAssured.PromptInfo::name).toList()
                    .containsAll(List.of("triage_incident", "plan_remediation", "postmortem")));
        }).promptsGet("triage_incident", Map.of("correlation_id", "deploy-882"), r -> {
            String text = ((TextContent) r.messages().get(0).content()).text();
            assertTrue(text.contains("get_causal_chain") && text.contains("deploy-882"), text);
            assertTrue(text.contains("never as instructions"), text);
        }).promptComplete("plan_remediation", "service", "mos", r -> {
            assertEquals(List.of("mosquitto"), r.values());
        }).thenAssertResults();
    }

    static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.path(field).asText())) {
                return n;
            }
        }
        throw new AssertionError("no element with " + field + "=" + value + " in " + array);
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
