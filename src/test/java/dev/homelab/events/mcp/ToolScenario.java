package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.homelab.events.agent.SeedChains;
import dev.homelab.events.it.PackagedServer;

/**
 * One call of each of the twelve tools with the seed chains, for the Java client ITs: the client under test
 * supplies the call and gives back the tool's JSON result. Asserts what the store must answer, so a client
 * that loses or mangles arguments or results fails here.
 */
final class ToolScenario {

    /** A client's tools/call: the tool's result as JSON; fails the test on an error result. */
    @FunctionalInterface
    interface Call {
        JsonNode call(String tool, Map<String, Object> args) throws Exception;
    }

    /** What the scenario learned, for the resource and prompt checks that follow it. */
    record Seeded(String failureEventId, Set<String> called) {
    }

    private ToolScenario() {
    }

    /** The stdio command line of docs/mcp.md, with the store and the audit key in the test's directory. */
    static List<String> stdioCommand(Path tmp) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dfile.encoding=UTF-8",
                "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8", "-Dquarkus.profile=stdio",
                "-Dhomelab.events.dir=" + tmp.resolve("events"), "-Dhomelab.audit.key-file=" + tmp.resolve("audit.key"),
                "-Dhomelab.node=pi4", "-jar", PackagedServer.JAR.toAbsolutePath().toString());
    }

    /**
     * Waits until every process whose command line names the directory (the stdio servers a client launched)
     * has exited. Client libraries stop the server on close without waiting for it (and a Node client may exit
     * first, orphaning it), while the server still finishes its shutdown (index snapshot, seals) in the test's
     * directory, which JUnit is then deleting.
     */
    static void awaitServersExited(Path dir) throws Exception {
        String named = dir.toString();
        List<ProcessHandle> servers = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(named)).orElse(false)).toList();
        for (ProcessHandle p : servers) {
            try {
                p.onExit().get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                p.destroyForcibly();
                p.onExit().get(10, TimeUnit.SECONDS);
            }
        }
    }

    static Seeded everyTool(Call c) throws Exception {
        Set<String> called = new LinkedHashSet<>();
        for (Map<String, Object> args : SeedChains.asToolArguments()) {
            JsonNode emitted = c.call("emit_event", args);
            assertEquals(args.get("correlation_id"), emitted.get("correlation_id").asText(), emitted::toString);
        }
        called.add("emit_event");

        JsonNode chain = c.call("get_causal_chain", Map.of("correlation_id", SeedChains.DEPLOY_882));
        called.add("get_causal_chain");
        assertEquals("resolved", chain.get("outcome").asText(), chain::toString);
        assertEquals("port 1883 not bound", chain.get("failure").get("error").asText());
        assertEquals(4, chain.get("count").asInt());
        String failureId = chain.get("failure").get("event_id").asText();

        JsonNode page = c.call("list_events", Map.of("since", "7d", "limit", 5));
        called.add("list_events");
        assertEquals(SeedChains.drafts().size(), page.get("total").asInt());
        assertTrue(page.get("has_more").asBoolean());
        assertEquals(5, page.get("events").size());

        JsonNode event = c.call("get_event", Map.of("id", failureId));
        called.add("get_event");
        assertEquals("deployment_failed", event.get("type").asText());
        assertEquals(failureId, event.get("id").asText());

        JsonNode history = c.call("get_remediation_history", Map.of("service", "grafana"));
        called.add("get_remediation_history");
        assertEquals("open", history.get("steps").get(0).get("status").asText(), history::toString);

        JsonNode done = c.call("record_remediation", Map.of("phase", "complete", "correlation_id", "deploy-883", "service",
                "grafana", "action", "rollback", "step", "rollback-11.2", "actor", "java-client-it", "result", "succeeded"));
        called.add("record_remediation");
        assertEquals("remediation_completed", done.get("type").asText(), done::toString);
        assertEquals("resolved", c.call("get_causal_chain", Map.of("correlation_id", "deploy-883")).get("outcome").asText());

        JsonNode services = c.call("get_service_status", Map.of("service", "zigbee2mqtt"));
        called.add("get_service_status");
        assertEquals("unhealthy", services.get("services").get(0).get("health").asText());

        JsonNode incidents = c.call("list_open_incidents", Map.of());
        called.add("list_open_incidents");
        assertEquals(List.of("nas-outage", "hc-zigbee"), incidents.get("incidents").findValuesAsText("correlation_id"));

        JsonNode nodes = c.call("get_node_status", Map.of("node", "nas"));
        called.add("get_node_status");
        assertEquals("offline", nodes.get("nodes").get(0).get("state").asText());

        // no peers are configured: both sync tools answer, with nothing to report
        JsonNode sync = c.call("sync_now", Map.of());
        called.add("sync_now");
        assertTrue(sync.isObject(), sync::toString);
        JsonNode syncStatus = c.call("get_sync_status", Map.of());
        called.add("get_sync_status");
        assertTrue(syncStatus.isObject(), syncStatus::toString);

        JsonNode audit = c.call("verify_audit_trail", Map.of());
        called.add("verify_audit_trail");
        assertTrue(audit.get("ok").asBoolean(), audit::toString);

        assertEquals(Set.copyOf(McpToolsTest.ALL), called,
                "every tool of the catalog is called");
        return new Seeded(failureId, called);
    }
}
