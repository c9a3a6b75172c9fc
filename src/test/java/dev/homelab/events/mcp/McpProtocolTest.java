package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import dev.homelab.events.agent.ToolCatalog;
import dev.homelab.events.service.EventService;
import dev.homelab.events.testing.LogCapture;

/**
 * The MCP protocol over Streamable HTTP as raw JSON-RPC (java.net.http, no MCP library on the client side), for
 * the defects of quarkus-mcp-server 1.10.1 that {@link McpFront} and {@link McpHttpFront} work around: every bad
 * request gets a precise answer at once (a timeout here is the old hang), transport rules give the HTTP status
 * the specification names, subscriptions notify, and none of it logs an ERROR.
 */
@QuarkusTest
class McpProtocolTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Duration ANSWER = Duration.ofSeconds(10);

    @TestHTTPResource("/mcp")
    URL mcp;
    @Inject
    EventService events;
    @Inject
    ToolCatalog catalog;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    LogCapture logs;
    String session;

    @BeforeEach
    void open() throws Exception {
        logs = LogCapture.all();
        session = initialize("2025-11-25");
    }

    @AfterEach
    void noErrorLogged() throws Exception {
        logs.close();
        delete(session);
        assertEquals(List.of(), logs.errorLines(),
                "client mistakes are logged at DEBUG at most, never as ERROR");
    }

    @Test
    void initializeAdvertisesSubscriptionsAndListsCarryNoEmptyIcons() throws Exception {
        HttpResponse<String> r = post(null, rpc(1, "initialize", Map.of("protocolVersion", "2025-11-25", "capabilities",
                Map.of(), "clientInfo", Map.of("name", "t", "version", "1"))), Map.of());
        assertEquals(200, r.statusCode());
        JsonNode result = MAPPER.readTree(r.body()).get("result");
        assertTrue(result.at("/capabilities/resources/subscribe").asBoolean(), result.toString());
        assertEquals("2025-11-25", result.get("protocolVersion").asText());
        delete(r.headers().firstValue("Mcp-Session-Id").orElseThrow());

        for (String list : List.of("tools", "prompts")) {
            JsonNode items = result(call(list + "/list", Map.of())).get(list);
            assertFalse(items.isEmpty());
            for (JsonNode item : items) {
                assertFalse(item.has("icons"), () -> list + " item with an empty icons list: " + item);
            }
        }
        List<String> names = new ArrayList<>();
        result(call("tools/list", Map.of())).get("tools").forEach(t -> names.add(t.get("name").asText()));
        assertEquals(McpToolsTest.ALL, names);
    }

    @Test
    void callsWithoutNameOrWithNonObjectArgumentsAreInvalidParamsAtOnce() throws Exception {
        assertError(-32602, call("tools/call", Map.of("arguments", Map.of())));
        assertError(-32602, call("prompts/get", Map.of()));
        assertError(-32602, call("prompts/get", Map.of("name", "triage_incident", "arguments", List.of("x"))));
        for (Object args : List.of(List.of(1), "x", 5, true)) {
            assertError(-32602, call("tools/call", Map.of("name", "list_events", "arguments", args)));
        }
        assertError(-32602, callRaw("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":[1]}"));
        assertError(-32602, callRaw("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"logging/setLevel\",\"params\":{}}"));
        assertError(-32602, callRaw("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"completion/complete\",\"params\":{}}"));
        assertError(-32602, callRaw("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"resources/read\",\"params\":{}}"));
    }

    /** Every argument of every tool set to null: an isError result naming it, never -32603 (issue 13: 37 pairs). */
    @Test
    void everyNullArgumentOfEveryToolIsAnErrorResultNamingIt() throws Exception {
        int pairs = 0;
        for (ToolCatalog.Tool t : catalog.visible()) {
            for (var it = t.inputSchema().get("properties").fieldNames(); it.hasNext();) {
                String arg = it.next();
                ObjectNode args = MAPPER.createObjectNode().putNull(arg);
                JsonNode answer = call("tools/call", Map.of("name", t.name(), "arguments", args));
                assertNull(answer.get("error"), () -> t.name() + "." + arg + ": " + answer);
                JsonNode result = answer.get("result");
                assertTrue(result.get("isError").asBoolean(), () -> t.name() + "." + arg + ": " + answer);
                String text = result.at("/content/0/text").asText();
                assertTrue(text.contains(arg + ": must not be null"), () -> t.name() + "." + arg + ": " + text);
                pairs++;
            }
        }
        assertTrue(pairs >= 37, "tool/argument pairs tried: " + pairs);
    }

    @Test
    void transportRulesGiveTheStatusTheSpecificationNames() throws Exception {
        // unsupported protocol version header
        HttpResponse<String> r = post(session, rpc(2, "ping", Map.of()), Map.of("MCP-Protocol-Version", "1999-01-01"));
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(200, post(session, rpc(2, "ping", Map.of()), Map.of("MCP-Protocol-Version", "2025-11-25")).statusCode());
        // no session id on a request that is not initialize
        r = post(null, rpc(3, "tools/list", Map.of()), Map.of());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("Mcp-Session-Id"), r.body());
        // an unknown session
        assertEquals(404, post("no-such-session", rpc(3, "tools/list", Map.of()), Map.of()).statusCode());
        // batches are gone since 2025-06-18
        r = post(session, "[" + rpc(4, "ping", Map.of()) + "]", Map.of());
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(-32600, MAPPER.readTree(r.body()).at("/error/code").asInt());
        // ... but a 2025-03-26 session may still send them
        String old = initialize("2025-03-26");
        r = post(old, "[" + rpc(5, "ping", Map.of()) + "]", Map.of());
        assertEquals(200, r.statusCode(), r.body());
        delete(old);
        // GET and DELETE without a session
        assertEquals(400, send(HttpRequest.newBuilder(mcp.toURI()).header("Accept", "text/event-stream").GET()).statusCode());
        assertEquals(400, send(HttpRequest.newBuilder(mcp.toURI()).DELETE()).statusCode());
        // Accept without text/event-stream
        assertEquals(406, send(HttpRequest.newBuilder(mcp.toURI()).header("Content-Type", "application/json")
                .header("Accept", "application/json").header("Mcp-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofString(rpc(6, "ping", Map.of())))).statusCode());
        // a session that ended
        String ended = initialize("2025-11-25");
        delete(ended);
        assertEquals(404, post(ended, rpc(7, "ping", Map.of()), Map.of()).statusCode());
    }

    @Test
    void completionOfEventIdsIsEmpty() throws Exception {
        JsonNode r = result(call("completion/complete", Map.of("ref", Map.of("type", "ref/resource", "uri",
                "homelab://events/{id}"), "argument", Map.of("name", "id", "value", "a"))));
        assertEquals(0, r.at("/completion/values").size());
        assertFalse(r.at("/completion/hasMore").asBoolean());
    }

    /**
     * A subscribed chain notifies on its GET stream when it gains an event, whoever writes it: this server, and
     * the bash library writing a file straight into the store (the index learns of it through its watcher). The
     * stream carries nothing before that: no unsolicited log notification.
     */
    @Test
    void subscribedChainNotifiesOnEveryWriterAndStreamsStartSilent() throws Exception {
        String cid = "watch-" + UUID.randomUUID().toString().substring(0, 8);
        String svc = "watched-" + cid; // a service of its own: other test classes share this store
        BlockingQueue<String> stream = openStream(session);
        assertEquals(":", stream.poll(5, TimeUnit.SECONDS).substring(0, 1), "the stream opens with a comment only");
        assertNull(stream.poll(1, TimeUnit.SECONDS), "nothing is sent unasked (1.10.1 sent 'Subsidiary SSE opened')");

        JsonNode sub = call("resources/subscribe", Map.of("uri", "homelab://chains/" + cid));
        assertNotNull(sub.get("result"), sub.toString());
        assertError(-32602, call("resources/subscribe", Map.of("uri", "homelab://events/" + UUID.randomUUID())));

        events.emit(new EventDraft(null, null, "deployment_started", "info", "mcp-test", svc, cid, null));
        assertEquals("homelab://chains/" + cid, nextNotification(stream).at("/params/uri").asText());

        // the bash library writes the file straight into the store; the index's watcher tells the subscription
        org.junit.jupiter.api.Assumptions.assumeTrue(installed("bash") && installed("jq"),
                "SKIPPED the bash writer part: bash and jq are needed (the chain was notified for the server's own write)");
        Path lib = Path.of("tools/scripts/lib/events.sh").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source \"$0\"; emit_event \"$@\"", lib.toString(),
                "deployment_failed", "error", "bash-test", svc, cid, "{\"stage\":\"verify\"}").redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("HOMELAB_"));
        pb.environment().put("HOMELAB_EVENTS_DIR", events.root().toString());
        pb.environment().put("HOMELAB_NODE", "pi-bash");
        Process bash = pb.start();
        bash.getOutputStream().close();
        assertTrue(bash.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, bash.exitValue(), new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("homelab://chains/" + cid, nextNotification(stream).at("/params/uri").asText());

        assertNotNull(call("resources/unsubscribe", Map.of("uri", "homelab://chains/" + cid)).get("result"));
        events.emit(new EventDraft(null, null, "service_recovered", "info", "mcp-test", svc, cid, null));
        assertNull(stream.poll(2, TimeUnit.SECONDS), "no notification after unsubscribe");
    }

    // ------------------------------------------------------------------ helpers

    static boolean installed(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    JsonNode nextNotification(BlockingQueue<String> stream) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = stream.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith("data: ")) {
                return McpJson.read(line.substring(6));
            }
        }
        throw new AssertionError("no notification within 30 s");
    }

    BlockingQueue<String> openStream(String sessionId) throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<java.io.InputStream> r = http
                .send(HttpRequest.newBuilder(mcp.toURI()).header("Accept", "text/event-stream")
                        .header("Mcp-Session-Id", sessionId).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    if (!line.isEmpty()) {
                        lines.add(line);
                    }
                }
            } catch (java.io.IOException e) {
                // stream closed
            }
        }, "sse-reader");
        t.setDaemon(true);
        t.start();
        return lines;
    }

    static void assertError(int code, JsonNode answer) {
        assertEquals(code, answer.at("/error/code").asInt(), answer::toString);
    }

    static JsonNode result(JsonNode answer) {
        assertNotNull(answer.get("result"), answer::toString);
        return answer.get("result");
    }

    String initialize(String version) throws Exception {
        HttpResponse<String> r = post(null, rpc(1, "initialize", Map.of("protocolVersion", version, "capabilities", Map.of(),
                "clientInfo", Map.of("name", "protocol-test", "version", "1"))), Map.of());
        assertEquals(200, r.statusCode(), r.body());
        String id = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertEquals(202, post(id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", Map.of()).statusCode());
        return id;
    }

    void delete(String sessionId) throws Exception {
        send(HttpRequest.newBuilder(mcp.toURI()).header("Mcp-Session-Id", sessionId).DELETE());
    }

    int nextId = 100;

    JsonNode call(String method, Object params) throws Exception {
        return callRaw(rpc(nextId++, method, params));
    }

    JsonNode callRaw(String body) throws Exception {
        HttpResponse<String> r = post(session, body, Map.of());
        assertEquals(200, r.statusCode(), r.body());
        String text = r.body();
        if (text.startsWith("event:") || text.startsWith("data:")) {
            for (String line : text.split("\n")) {
                if (line.startsWith("data: ")) {
                    text = line.substring(6);
                }
            }
        }
        return MAPPER.readTree(text);
    }

    static String rpc(int id, String method, Object params) throws Exception {
        ObjectNode m = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        m.set("params", MAPPER.valueToTree(params));
        return MAPPER.writeValueAsString(m);
    }

    HttpResponse<String> post(String sessionId, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(mcp.toURI()).timeout(ANSWER).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
        }
        headers.forEach(b::header);
        return send(b);
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(ANSWER).build(), HttpResponse.BodyHandlers.ofString());
    }
}
