package dev.homelab.events.mcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Issue 13: sessions and what they keep are bounded. A server capped at a few sessions answers 503 with
 * Retry-After beyond the cap, refuses an oversized clientInfo, limits GET streams and subscriptions per session,
 * and frees the place of a session that ends or sits idle past the timeout.
 */
@QuarkusTest
@TestProfile(McpSessionLimitsTest.SmallCaps.class)
class McpSessionLimitsTest {

    public static class SmallCaps implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("homelab.mcp.max-sessions", "5", "homelab.mcp.max-initialize-bytes", "1024",
                    "homelab.mcp.max-streams-per-session", "2", "homelab.mcp.max-subscriptions-per-session", "3",
                    "quarkus.mcp.server.connection-idle-timeout", "3s");
        }
    }

    @TestHTTPResource("/mcp")
    URL mcp;
    @Inject
    McpSessions sessions;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void manySessionsAgainstASmallCap() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> sessions.count() == 0);
        List<String> open = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = initialize("client-" + i);
            assertEquals(200, r.statusCode(), r.body());
            open.add(r.headers().firstValue("Mcp-Session-Id").orElseThrow());
        }
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = initialize("one-too-many-" + i);
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("60", r.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(r.body().contains("homelab.mcp.max-sessions"), r.body());
        }
        assertEquals(503, send(HttpRequest.newBuilder(uri("/mcp/sse")).header("Accept", "text/event-stream").GET()
                .timeout(Duration.ofSeconds(10))).statusCode(), "the legacy transport counts too");
        assertEquals(5, sessions.count());

        // ending a session frees its place at once
        assertEquals(200, send(HttpRequest.newBuilder(mcp.toURI()).header("Mcp-Session-Id", open.remove(0)).DELETE())
                .statusCode());
        HttpResponse<String> again = initialize("after-delete");
        assertEquals(200, again.statusCode(), again.body());
        open.add(again.headers().firstValue("Mcp-Session-Id").orElseThrow());

        // idle sessions expire (3 s here): their places free up and their ids are unknown afterwards
        String idle = open.get(0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> sessions.count() == 0);
        assertEquals(404, post(idle, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}").statusCode());
        assertEquals(200, initialize("after-expiry").statusCode());
    }

    @Test
    void whatASessionKeepsIsBounded() throws Exception {
        String big = "x".repeat(2000);
        HttpResponse<String> r = post(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"" + big
                + "\",\"version\":\"1\"}}}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode error = McpJson.read(r.body()).get("error");
        assertEquals(-32602, error.get("code").asInt());
        assertTrue(error.get("message").asText().contains("homelab.mcp.max-initialize-bytes"), error.toString());
        assertTrue(r.headers().firstValue("Mcp-Session-Id").isEmpty(), "no session is kept");

        String session = initialize("bounded").headers().firstValue("Mcp-Session-Id").orElseThrow();
        post(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        // GET streams: two, then 429
        List<HttpResponse<java.io.InputStream>> streams = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            streams.add(http.send(HttpRequest.newBuilder(mcp.toURI()).header("Accept", "text/event-stream")
                    .header("Mcp-Session-Id", session).GET().build(), HttpResponse.BodyHandlers.ofInputStream()));
            assertEquals(200, streams.get(i).statusCode());
        }
        assertEquals(429, send(HttpRequest.newBuilder(mcp.toURI()).header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", session).GET().timeout(Duration.ofSeconds(10))).statusCode());
        // subscriptions: three, then -32602 naming the limit
        for (int i = 0; i < 3; i++) {
            assertTrue(McpJson.read(post(session, subscribe(i)).body()).has("result"));
        }
        JsonNode full = McpJson.read(post(session, subscribe(3)).body());
        assertEquals(-32602, full.at("/error/code").asInt(), full.toString());
        assertTrue(full.at("/error/message").asText().contains("max-subscriptions-per-session"), full.toString());
        for (HttpResponse<java.io.InputStream> s : streams) {
            s.body().close();
        }
        send(HttpRequest.newBuilder(mcp.toURI()).header("Mcp-Session-Id", session).DELETE());
    }

    static String subscribe(int i) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + (10 + i) + ",\"method\":\"resources/subscribe\",\"params\":{\"uri\":"
                + "\"homelab://chains/c" + i + "\"}}";
    }

    HttpResponse<String> initialize(String name) throws Exception {
        return post(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"" + name + "\",\"version\":\"1\"}}}");
    }

    HttpResponse<String> post(String session, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(mcp.toURI()).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return send(b);
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    java.net.URI uri(String path) throws Exception {
        return mcp.toURI().resolve(path);
    }
}
