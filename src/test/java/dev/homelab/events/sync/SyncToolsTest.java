package dev.homelab.events.sync;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.Json;

/**
 * sync_now and get_sync_status over MCP and function calling, against a real peer over HTTP (a
 * {@link FakePeer} with a real store holding two events). The schedule is off, so only the tools pull.
 */
@QuarkusTest
@TestProfile(SyncToolsTest.WithPeer.class)
@QuarkusTestResource(value = SyncToolsTest.Peer.class, restrictToAnnotatedClass = true)
class SyncToolsTest {

    public static class WithPeer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("homelab.sync.enabled", "false");
        }
    }

    /** Starts the peer before the application, and hands its URL to the application's configuration. */
    public static class Peer implements QuarkusTestResourceLifecycleManager {
        private FakePeer peer;
        private Path root;

        @Override
        public Map<String, String> start() {
            try {
                root = Files.createTempDirectory("sync-tools-peer");
                peer = new FakePeer(root, "lab-node");
                peer.node.emit(Instant.parse("2026-05-01T10:00:00Z"), "lab-node", "lab-chain");
                peer.node.emit(Instant.parse("2026-05-02T10:00:00Z"), "lab-node", "lab-chain");
                return Map.of("homelab.sync.peers.lab.url", peer.url().toString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            peer.close();
        }
    }

    private static JsonNode ok(ToolResponse r) {
        assertFalse(r.isError(), () -> "tool call failed: " + r.content());
        return Fixtures.MAPPER.valueToTree(Json.decodeValue(Json.encode(r.structuredContent()), Map.class));
    }

    private static String error(ToolResponse r) {
        assertTrue(r.isError(), () -> "expected isError, got " + r.structuredContent());
        return ((TextContent) r.content().get(0)).text();
    }

    @Test
    void syncNowPullsThePeerAndStatusShowsIt() {
        // one request per when() block: McpAssured sends the calls of a block without waiting, in any order
        var client = McpAssured.newConnectedStreamableClient();
        client.when().toolsCall("get_sync_status", Map.of(), r -> {
            JsonNode s = ok(r);
            assertEquals("test-node", s.get("node").asText());
            assertFalse(s.get("schedule_enabled").asBoolean());
            assertEquals("never_synced", s.get("peers").get(0).get("state").asText());
            assertEquals("{\"enabled\":false}", s.get("nats").toString(), "NATS off: one short field");
        }).thenAssertResults();
        client.when().toolsCall("sync_now", Map.of("peer", "lab"), r -> {
            JsonNode run = ok(r).get("peers").get(0);
            assertTrue(run.get("ok").asBoolean(), run.toString());
            assertEquals(2, run.get("written").asInt(), run.toString());
        }).thenAssertResults();
        client.when().toolsCall("sync_now", Map.of(), r -> assertEquals(0, ok(r).get("peers").get(0).get("written").asInt()))
                .thenAssertResults();
        client.when().toolsCall("get_sync_status", Map.of("peer", "lab"), r -> {
            JsonNode p = ok(r).get("peers").get(0);
            assertEquals("online", p.get("state").asText());
            assertEquals("lab-node", p.get("node").asText());
            assertEquals(2, p.get("events_pulled").asInt());
            assertEquals(0, p.get("lag_events").asInt());
        }).toolsCall("sync_now", Map.of("peer", "nope"), r -> {
            String text = error(r);
            assertTrue(text.contains("peer") && text.contains("configured: lab"), text);
        }).toolsCall("get_sync_status", Map.of("peer", 7), r -> assertTrue(error(r).contains("peer")))
                .thenAssertResults();
        given().get("/api/chains/lab-chain").then().statusCode(200).body("count", equalTo(2));
        given().contentType(ContentType.JSON).body("{}").post("/api/tools/get_sync_status").then().statusCode(200)
                .body("peers[0].events_pulled", equalTo(2));
        given().get("/api/sync/status").then().statusCode(200).body("peers[0].peer", equalTo("lab"), "nats.enabled",
                equalTo(false));
        given().get("/q/health/well").then().statusCode(200).body("checks[0].data.'peer.lab'",
                org.hamcrest.Matchers.startsWith("online"));
    }
}
