package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.homelab.events.EventDraft;
import dev.homelab.events.service.EventService;
import dev.homelab.events.testing.LogCapture;

/**
 * Protocol 2026-07-28 as raw JSON-RPC over Streamable HTTP (java.net.http, no MCP library on the client side):
 * both eras on one endpoint, the standard headers checked against the body, unsupported versions answered with
 * the list a client can pick from, and every bad request answered at once without an ERROR log. The official
 * client drives the happy path in {@link McpModernClientIT}.
 */
@QuarkusTest
class McpModernProtocolTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Duration ANSWER = Duration.ofSeconds(10);
    static final String V = "2026-07-28";

    @TestHTTPResource("/mcp")
    URL mcp;
    @Inject
    EventService events;
    @Inject
    McpSubscriptions subscriptions;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    LogCapture logs;
    int nextId = 1;

    @BeforeEach
    void catchErrors() {
        logs = LogCapture.all();
    }

    @AfterEach
    void noErrorLogged() {
        logs.close();
        assertEquals(List.of(), logs.errorLines(),
                "client mistakes are logged at DEBUG at most, never as ERROR");
    }

    @Test
    void bothErasShareTheEndpointAndNeitherNeedsTheOther() throws Exception {
        JsonNode discover = ok(modern("server/discover", Map.of()));
        assertEquals(List.of(V), MAPPER.convertValue(discover.get("supportedVersions"), List.class));
        assertEquals("complete", discover.get("resultType").asText());
        assertEquals("homelab-events", discover.at("/_meta/io.modelcontextprotocol~1serverInfo/name").asText());
        assertTrue(discover.at("/capabilities/tools").isObject(), discover::toString);

        // a 2025-11-25 client on the same endpoint still gets initialize and a session
        HttpResponse<String> init = post(rpc("initialize", Map.of("protocolVersion", "2025-11-25", "capabilities", Map.of(),
                "clientInfo", Map.of("name", "old", "version", "1"))), Map.of());
        assertEquals(200, init.statusCode(), init.body());
        assertEquals("2025-11-25", MAPPER.readTree(init.body()).at("/result/protocolVersion").asText());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();

        // a modern tools/list, then the session's own: the same tools, the modern one stamped
        JsonNode modernTools = ok(modern("tools/list", Map.of()));
        assertEquals("complete", modernTools.get("resultType").asText());
        assertEquals(0, modernTools.get("ttlMs").asInt());
        assertEquals(202, post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                Map.of("Mcp-Session-Id", session)).statusCode());
        HttpResponse<String> legacy = post(rpc("tools/list", Map.of()), Map.of("Mcp-Session-Id", session));
        JsonNode legacyTools = MAPPER.readTree(sseData(legacy.body())).get("result");
        assertEquals(legacyTools.get("tools"), modernTools.get("tools"), "one catalog for both eras");

        // a modern tool call needs no session; an error result reads as on 2025-11-25
        JsonNode page = ok(modern("tools/call", Map.of("name", "list_events", "arguments", Map.of("limit", 1)),
                Map.of("Mcp-Name", "list_events")));
        assertFalse(page.path("isError").asBoolean(), page::toString);
        assertTrue(page.at("/structuredContent/total").isNumber(), page::toString);
        JsonNode bad = ok(modern("tools/call", Map.of("name", "list_events", "arguments", Map.of("limit", 1000)),
                Map.of("Mcp-Name", "list_events")));
        assertTrue(bad.get("isError").asBoolean());
        assertTrue(bad.at("/content/0/text").asText().contains("limit: must be between 1 and 200"), bad::toString);

        send(HttpRequest.newBuilder(mcp.toURI()).header("Mcp-Session-Id", session).DELETE());
    }

    @Test
    void standardHeadersMustAgreeWithTheBody() throws Exception {
        Map<String, Object> call = Map.of("name", "get_node_status", "arguments", Map.of());
        // the header is missing
        HttpResponse<String> r = post(body("tools/call", call, V), Map.of("Mcp-Method", "tools/call", "Mcp-Name",
                "get_node_status"));
        assertError(r, 400, McpEra.HEADER_MISMATCH, "MCP-Protocol-Version");
        // the method differs
        r = post(body("tools/call", call, V), Map.of("MCP-Protocol-Version", V, "Mcp-Method", "tools/list", "Mcp-Name",
                "get_node_status"));
        assertError(r, 400, McpEra.HEADER_MISMATCH, "Mcp-Method");
        // the name differs: a proxy routing on it would see another call than the one the server runs
        r = post(body("tools/call", call, V), Map.of("MCP-Protocol-Version", V, "Mcp-Method", "tools/call", "Mcp-Name",
                "list_events"));
        assertError(r, 400, McpEra.HEADER_MISMATCH, "Mcp-Name");
        // Base64-encoded values (how the SDKs send names outside printable ASCII) are decoded before comparing
        String encoded = "=?base64?" + Base64.getEncoder().encodeToString("get_node_status".getBytes(StandardCharsets.UTF_8))
                + "?=";
        ok(post(body("tools/call", call, V), Map.of("MCP-Protocol-Version", V, "Mcp-Method", "tools/call", "Mcp-Name",
                encoded)));
        // notifications need no headers and get no answer
        ObjectNode note = (ObjectNode) MAPPER.readTree(body("notifications/cancelled", Map.of("requestId", 1), V));
        note.remove("id");
        assertEquals(202, post(MAPPER.writeValueAsString(note), Map.of()).statusCode());
    }

    @Test
    void unsupportedVersionsAreAnsweredWithWhatIsServed() throws Exception {
        HttpResponse<String> r = post(body("server/discover", Map.of(), "2099-01-01"),
                Map.of("MCP-Protocol-Version", "2099-01-01", "Mcp-Method", "server/discover"));
        JsonNode error = assertError(r, 400, McpEra.UNSUPPORTED_VERSION, "2099-01-01");
        // a 2026-07-28 client is offered what server/discover offers, in an answer to its request's id
        assertEquals(List.of(V), MAPPER.convertValue(error.at("/data/supported"), List.class));
        assertEquals("2099-01-01", error.at("/data/requested").asText());
        assertEquals(nextId - 1, MAPPER.readTree(r.body()).get("id").asInt());
        // a 2025 message whose header names an unknown version: every version of both eras
        r = post(rpc("ping", Map.of()), Map.of("MCP-Protocol-Version", "1999-01-01"));
        error = assertError(r, 400, McpEra.UNSUPPORTED_VERSION, "1999-01-01");
        assertEquals(List.of(V, "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"),
                MAPPER.convertValue(error.at("/data/supported"), List.class));
        // a body claiming another version than its header
        r = post(body("tools/list", Map.of(), "2099-01-01"), Map.of("MCP-Protocol-Version", V, "Mcp-Method", "tools/list"));
        assertError(r, 400, McpEra.HEADER_MISMATCH, "2099-01-01");
    }

    /** The MCP App of get_causal_chain is reachable in this era too: listed, readable, pointed at by the tool. */
    @Test
    void theChainAppIsListedAndReadLikeIn2025() throws Exception {
        JsonNode tools = ok(modern("tools/list", Map.of()));
        JsonNode chainTool = null;
        for (JsonNode t : tools.get("tools")) {
            if (t.get("name").asText().equals("get_causal_chain")) {
                chainTool = t;
            }
        }
        assertEquals("ui://chain", chainTool == null ? null : chainTool.at("/_meta/ui/resourceUri").asText(null),
                tools::toString);
        JsonNode listed = ok(modern("resources/list", Map.of())).get("resources");
        assertEquals(1, listed.size(), listed::toString);
        assertEquals("ui://chain", listed.get(0).get("uri").asText());
        assertEquals("text/html;profile=mcp-app", listed.get(0).get("mimeType").asText());
        JsonNode read = ok(modern("resources/read", Map.of("uri", "ui://chain"), Map.of("Mcp-Name", "ui://chain")));
        JsonNode content = read.at("/contents/0");
        assertEquals("text/html;profile=mcp-app", content.get("mimeType").asText(), read::toString);
        assertTrue(content.get("text").asText().startsWith("<!doctype html>"), () -> content.get("text").asText()
                .substring(0, 80));
        assertTrue(content.at("/_meta/ui/prefersBorder").asBoolean(), content::toString);
        assertEquals("complete", read.get("resultType").asText());
    }

    @Test
    void badRequestsAreAnsweredAtOnce() throws Exception {
        // no batches in 2026-07-28
        HttpResponse<String> r = post("[" + body("tools/list", Map.of(), V) + "]", headers("tools/list", null));
        assertEquals(400, r.statusCode(), r.body());
        // the envelope lacks the client capabilities
        Map<String, Object> meta = Map.of("io.modelcontextprotocol/protocolVersion", V);
        r = post(rpc("tools/list", Map.of("_meta", meta)), headers("tools/list", null));
        assertError(r, 400, McpFront.INVALID_PARAMS, "clientCapabilities");
        // methods the revision does not have: 404 (initialize is the 2025 handshake; ping was removed)
        assertError(modern("initialize", Map.of()), 404, McpFront.METHOD_NOT_FOUND, "initialize");
        assertError(modern("ping", Map.of()), 404, McpFront.METHOD_NOT_FOUND, "ping");
        assertError(modern("resources/subscribe", Map.of("uri", "homelab://chains/x")), 404, McpFront.METHOD_NOT_FOUND,
                "resources/subscribe");
        // a tool call without a name, an unknown tool, arguments that are not an object
        assertError(modern("tools/call", Map.of()), 200, McpFront.INVALID_PARAMS, "'name'");
        assertError(modern("tools/call", Map.of("name", "no_such_tool"), Map.of("Mcp-Name", "no_such_tool")), 200,
                McpFront.INVALID_PARAMS, "no_such_tool");
        assertError(modern("tools/call", Map.of("name", "list_events", "arguments", List.of(1)),
                Map.of("Mcp-Name", "list_events")), 200, McpFront.INVALID_PARAMS, "'arguments'");
        // a null argument is an error result naming it, as on 2025-11-25
        Map<String, Object> nullLimit = new HashMap<>();
        nullLimit.put("limit", null);
        JsonNode nulls = ok(modern("tools/call", Map.of("name", "list_events", "arguments", nullLimit),
                Map.of("Mcp-Name", "list_events")));
        assertTrue(nulls.at("/content/0/text").asText().contains("limit: must not be null"), nulls::toString);
        // an unknown event and a URI no template matches
        String missing = "homelab://events/00000000-0000-4000-8000-000000000000";
        assertError(modern("resources/read", Map.of("uri", missing), Map.of("Mcp-Name", missing)), 200,
                McpFront.INVALID_PARAMS, "Not found");
        assertError(modern("resources/read", Map.of("uri", "file:///etc/passwd"), Map.of("Mcp-Name", "file:///etc/passwd")),
                200, McpFront.INVALID_PARAMS, "no resource template");
        // a prompt without its argument
        assertError(modern("prompts/get", Map.of("name", "triage_incident"), Map.of("Mcp-Name", "triage_incident")), 200,
                McpFront.INVALID_PARAMS, "correlation_id");
    }

    /**
     * subscriptions/listen: an SSE stream that opens with the acknowledgement (what is honoured) and then carries
     * notifications/resources/updated, stamped with the listen request's id, each time the watched chain gains an
     * event; closing the stream ends the subscription. URIs that cannot be watched are refused at once.
     */
    @Test
    void listenStreamsUpdatesOfWatchedChainsUntilClosed() throws Exception {
        String cid = "listen-" + UUID.randomUUID().toString().substring(0, 8);
        String uri = "homelab://chains/" + cid;
        assertError(modern("subscriptions/listen", Map.of("notifications", Map.of("resourceSubscriptions",
                List.of("homelab://events/" + UUID.randomUUID())))), 200, McpFront.INVALID_PARAMS, "never changes");
        assertError(modern("subscriptions/listen", Map.of()), 200, McpFront.INVALID_PARAMS, "'notifications'");

        int listenId = nextId;
        HttpRequest.Builder b = HttpRequest.newBuilder(mcp.toURI()).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body("subscriptions/listen",
                        Map.of("notifications", Map.of("resourceSubscriptions", List.of(uri), "toolsListChanged", true)), V)));
        headers("subscriptions/listen", null).forEach(b::header);
        HttpResponse<java.io.InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    if (line.startsWith("data: ")) {
                        messages.add(MAPPER.readTree(line.substring(6)));
                    }
                }
            } catch (java.io.IOException e) {
                // the stream was closed by the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            JsonNode ack = poll(messages);
            assertEquals("notifications/subscriptions/acknowledged", ack.get("method").asText());
            assertEquals(List.of(uri), MAPPER.convertValue(ack.at("/params/notifications/resourceSubscriptions"), List.class));
            assertFalse(ack.at("/params/notifications/toolsListChanged").asBoolean(), "the tool list never changes");
            assertEquals(listenId, ack.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asInt());

            events.emit(new EventDraft(null, null, "deployment_started", "info", "listen-test", "svc-" + cid, cid, null));
            JsonNode note = poll(messages);
            assertEquals("notifications/resources/updated", note.get("method").asText());
            assertEquals(uri, note.at("/params/uri").asText());
            assertEquals(listenId, note.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asInt());
            // another chain does not notify this stream
            events.emit(
                    new EventDraft(null, null, "deployment_started", "info", "listen-test", "svc-" + cid, cid + "-x", null));
            events.emit(new EventDraft(null, null, "deployment_completed", "info", "listen-test", "svc-" + cid, cid, null));
            assertEquals(uri, poll(messages).at("/params/uri").asText());
        } finally {
            r.body().close();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (subscriptions.listening() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, subscriptions.listening(), "closing the stream ends the subscription");
    }

    private static JsonNode poll(BlockingQueue<JsonNode> messages) throws InterruptedException {
        JsonNode m = messages.poll(30, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message on the listen stream within 30 s");
        }
        return m;
    }

    private HttpResponse<String> modern(String method, Map<String, Object> params) throws Exception {
        return modern(method, params, Map.of());
    }

    private HttpResponse<String> modern(String method, Map<String, Object> params, Map<String, String> extra) throws Exception {
        Map<String, String> h = new HashMap<>(headers(method, null));
        h.putAll(extra);
        return post(body(method, params, V), h);
    }

    private static Map<String, String> headers(String method, String name) {
        Map<String, String> h = new HashMap<>(Map.of("MCP-Protocol-Version", V, "Mcp-Method", method));
        if (name != null) {
            h.put("Mcp-Name", name);
        }
        return h;
    }

    private String body(String method, Map<String, Object> params, String version) throws Exception {
        Map<String, Object> p = new LinkedHashMap<>(params);
        p.put("_meta", Map.of("io.modelcontextprotocol/protocolVersion", version, "io.modelcontextprotocol/clientInfo",
                Map.of("name", "raw", "version", "1"), "io.modelcontextprotocol/clientCapabilities", Map.of()));
        return rpc(method, p);
    }

    private String rpc(String method, Object params) throws Exception {
        ObjectNode m = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", nextId++).put("method", method);
        m.set("params", MAPPER.valueToTree(params));
        return MAPPER.writeValueAsString(m);
    }

    private static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode answer = MAPPER.readTree(r.body());
        assertTrue(answer.has("result"), answer::toString);
        return answer.get("result");
    }

    private static JsonNode assertError(HttpResponse<String> r, int status, int code, String mentions) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode error = MAPPER.readTree(r.body()).get("error");
        assertEquals(code, error.get("code").asInt(), r.body());
        assertTrue(error.get("message").asText().contains(mentions), r.body());
        return error;
    }

    private static String sseData(String body) {
        if (!body.startsWith("event:") && !body.startsWith("data:")) {
            return body;
        }
        String data = body;
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                data = line.substring(6);
            }
        }
        return data;
    }

    private HttpResponse<String> post(String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(mcp.toURI()).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return send(b);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(ANSWER).build(), HttpResponse.BodyHandlers.ofString());
    }
}
