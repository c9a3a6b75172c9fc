package dev.homelab.events.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Thousands of MCP sessions against the packaged server on a small heap (-Xmx96m), as clients really leave them
 * (issue 13, "Sessions and memory are bounded"): each is opened with {@code initialize}, used ({@code tools/call},
 * {@code resources/read}, {@code prompts/get}, a chain subscription, GET event streams opened and dropped without
 * a word, one session in four past its stream limit), sent a hostile request, and then either ended with
 * {@code DELETE} or simply abandoned; one in ten is a legacy HTTP+SSE session whose stream is dropped. Every answer
 * is below 500 (503 only for an initialize when the session cap is reached) and never a JSON-RPC internal error.
 * Afterwards the idle sessions are reaped (the session gauge {@code mcp_server_connections_active} returns to
 * zero) and the heap after a full GC, the live threads and the number of lines of {@code /q/metrics} (one per
 * meter: a meter per client-chosen name would be a leak too) end where they started, within a margin.
 *
 * <p>
 * The default run opens {@value #DEFAULT_SESSIONS} sessions (about a minute); the soak ({@code ./mvnw -B -Psoak
 * verify}) opens {@code homelab.soak.sessions} (default {@value #SOAK_SESSIONS}).
 */
class McpSessionSoakIT {

    static final int DEFAULT_SESSIONS = 2_000;
    static final int SOAK_SESSIONS = 30_000;
    static final String TOKEN = HostileSoakIT.TOKEN;
    /** Sessions idle this long are expired by the server (quarkus.mcp.server.connection-idle-timeout). */
    static final int MCP_IDLE_SECONDS = 3;
    static final int MAX_SESSIONS = 1000;
    static final int METRICS_LINES_MARGIN = 150;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern SESSIONS = Pattern.compile("(?m)^mcp_server_connections_active(?:\\{[^}]*\\})? ([0-9.E+-]+)$");
    /** What the server keeps per session beside the library's sessions: GET streams and subscriptions. */
    static final Pattern TRACKED = Pattern
            .compile("(?m)^homelab_mcp_sessions_tracked\\{state=\"([a-z]+)\"[^}]*\\} ([0-9.E+-]+)$");

    @TempDir
    Path tmp;

    @Test
    @Timeout(900)
    void abandonedAndHostileMcpSessionsAreReapedAndLeaveHeapAndThreadsFlat() throws Exception {
        soak(DEFAULT_SESSIONS);
    }

    @Test
    @Tag("soak")
    @Timeout(3600)
    void soakManyMcpSessionsAreReapedAndLeaveHeapAndThreadsFlat() throws Exception {
        soak(Integer.getInteger("homelab.soak.sessions", SOAK_SESSIONS));
    }

    void soak(int sessions) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Assumptions.assumeTrue(Files.isExecutable(jcmd), "SKIPPED McpSessionSoakIT: no jcmd in " + jcmd.getParent()
                + " to force a full GC before reading the heap");
        try (PackagedServer server = new PackagedServer(tmp.resolve("store"), tmp.resolve("server.log"),
                Map.of("HOMELAB_EVENTS_TOKEN", TOKEN, "QUARKUS_MCP_SERVER_CONNECTION_IDLE_TIMEOUT", MCP_IDLE_SECONDS + "s",
                        "HOMELAB_MCP_MAX_SESSIONS", Integer.toString(MAX_SESSIONS), "QUARKUS_HTTP_IDLE_TIMEOUT", "5s"))
                .heap("96m").start()) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            Clients clients = new Clients(server, http);
            // warm up, then let every session of the warm-up expire: what is measured after is what sessions leave
            clients.run(Math.max(200, sessions / 10));
            awaitReaped(server, http);
            HostileSoakIT.Sample start = HostileSoakIT.sample(server, http, jcmd);
            long metricsLinesBefore = HostileSoakIT.lines(metrics(server, http));
            long logLinesBefore = HostileSoakIT.lines(server.logText());

            long started = System.nanoTime();
            Outcome outcome = clients.run(sessions);
            long seconds = Math.max(1, (System.nanoTime() - started) / 1_000_000_000L);
            int openAfterRun = openSessions(server, http);
            int trackedAfterRun = tracked(server, http);
            awaitReaped(server, http);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(
                    () -> HostileSoakIT.sample(server, http, null).threads() <= start.threads() + HostileSoakIT.THREAD_MARGIN);
            HostileSoakIT.Sample end = HostileSoakIT.sample(server, http, jcmd);
            long metricsLinesAfter = HostileSoakIT.lines(metrics(server, http));
            String log = server.logText();

            System.out.printf(
                    "mcp soak: %d sessions (%d initialized, %d refused as full, %d abandoned, %d deleted) and %d requests "
                            + "in %d s (%d requests/s); HTTP statuses %s, JSON-RPC error codes %s; sessions open at the end of "
                            + "the run %d (with streams or subscriptions kept: %d), after the idle timeout and the sweep 0; heap after GC %d -> %d KiB, live threads %d -> %d, "
                            + "/q/metrics lines %d -> %d, log +%d lines%n",
                    sessions, outcome.initialized.get(),
                    outcome.full.get(), outcome.abandoned.get(), outcome.deleted.get(), outcome.requests.get(), seconds,
                    outcome.requests.get() / seconds, outcome.statuses, outcome.rpcErrors, openAfterRun, trackedAfterRun,
                    start.heapBytes() / 1024, end.heapBytes() / 1024, start.threads(), end.threads(), metricsLinesBefore,
                    metricsLinesAfter, HostileSoakIT.lines(log) - logLinesBefore);
            log.lines().skip(logLinesBefore).limit(20).forEach(l -> System.out.println("mcp soak: server log: " + l));
            assertTrue(outcome.statuses.keySet().stream().allMatch(s -> s < 500 || s == 503),
                    "no MCP request gets a 5xx other than 503 (session cap): " + outcome.statuses);
            assertTrue(outcome.initialized.get() >= sessions / 2, "most sessions could be opened: " + outcome.initialized);
            assertTrue(!outcome.rpcErrors.containsKey(-32603), "no JSON-RPC internal error: " + outcome.rpcErrors);
            assertTrue(end.heapBytes() <= start.heapBytes() + HostileSoakIT.HEAP_MARGIN,
                    "heap after GC grew from " + start.heapBytes() + " to " + end.heapBytes() + " bytes");
            assertTrue(end.threads() <= start.threads() + HostileSoakIT.THREAD_MARGIN,
                    "live threads grew from " + start.threads() + " to " + end.threads());
            assertTrue(metricsLinesAfter <= metricsLinesBefore + METRICS_LINES_MARGIN, "meters grew with the requests: "
                    + metricsLinesBefore + " -> " + metricsLinesAfter + " lines of /q/metrics");
            assertTrue(!log.contains(" ERROR ") && !log.contains("OutOfMemoryError"),
                    "no server error:\n" + HostileSoakIT.tail(log));
            assertTrue(HostileSoakIT.lines(log) - logLinesBefore < 400,
                    "client mistakes are not logged one by one:\n" + HostileSoakIT.tail(log));
            // and a new session still opens and works
            Clients.Session s = clients.initialize(0);
            assertTrue(s != null && s.id() != null, "a new session opens after the soak");
            assertEquals(200, clients.call(s.id(), "tools/call", "{\"name\":\"list_events\",\"arguments\":{\"limit\":1}}")
                    .statusCode());
        }
    }

    /**
     * Waits until the server holds no MCP session (every abandoned one expired, every ended one is gone) and keeps
     * nothing for one: no GET stream list, no subscription (dropped by the sweep of ended sessions, every 30 s).
     */
    static void awaitReaped(PackagedServer server, HttpClient http) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> openSessions(server, http) == 0 && tracked(server, http) == 0);
    }

    /** Sessions for which the server still keeps streams or subscriptions (both gauges together). */
    static int tracked(PackagedServer server, HttpClient http) throws Exception {
        Matcher m = TRACKED.matcher(metrics(server, http));
        int states = 0;
        int sum = 0;
        while (m.find()) {
            states++;
            sum += (int) Double.parseDouble(m.group(2));
        }
        assertEquals(2, states, "homelab_mcp_sessions_tracked{state=streams|subscriptions} in /q/metrics");
        return sum;
    }

    static int openSessions(PackagedServer server, HttpClient http) throws Exception {
        Matcher m = SESSIONS.matcher(metrics(server, http));
        assertTrue(m.find(), "mcp_server_connections_active in /q/metrics");
        return (int) Double.parseDouble(m.group(1));
    }

    static String metrics(PackagedServer server, HttpClient http) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** What the clients saw. */
    static final class Outcome {
        final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        final Map<Integer, Integer> rpcErrors = new ConcurrentHashMap<>();
        final AtomicInteger initialized = new AtomicInteger();
        final AtomicInteger full = new AtomicInteger();
        final AtomicInteger abandoned = new AtomicInteger();
        final AtomicInteger deleted = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();

        void saw(HttpResponse<String> r) {
            requests.incrementAndGet();
            statuses.merge(r.statusCode(), 1, Integer::sum);
            JsonNode body = Clients.message(r);
            if (body != null && body.path("error").path("code").isInt()) {
                rpcErrors.merge(body.path("error").path("code").asInt(), 1, Integer::sum);
            }
        }
    }

    /** MCP clients over Streamable HTTP (raw JSON-RPC) and, for streams, raw sockets; four at a time. */
    static final class Clients {
        private final PackagedServer server;
        private final HttpClient http;
        private Outcome outcome = new Outcome();

        Clients(PackagedServer server, HttpClient http) {
            this.server = server;
            this.http = http;
        }

        record Session(String id) {
        }

        Outcome run(int count) throws Exception {
            outcome = new Outcome();
            AtomicInteger next = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    workers.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                            session(i);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : workers) {
                    f.get(30, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            return outcome;
        }

        /** The life of session {@code i}. */
        void session(int i) throws Exception {
            hostile(i);
            if (i % 10 == 7) {
                legacySseDropped();
                return;
            }
            Session s = initialize(i);
            if (s == null) {
                return;
            }
            String id = s.id();
            outcome.saw(post(id, null, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
            outcome.saw(call(id, "tools/call", "{\"name\":\"list_events\",\"arguments\":{\"limit\":1}}"));
            outcome.saw(call(id, "tools/call", "{\"name\":\"get_causal_chain\",\"arguments\":{\"correlation_id\":\"soak-"
                    + i + "\"}}"));
            // names and URIs a client makes up: each must not leave a trace (a meter, a cache entry) behind
            outcome.saw(call(id, "tools/call", "{\"name\":\"no_such_tool_" + i + "\",\"arguments\":{}}"));
            outcome.saw(call(id, "resources/read", "{\"uri\":\"homelab://events/" + UUID.randomUUID() + "\"}"));
            outcome.saw(call(id, "resources/read", "{\"uri\":\"homelab://nothing/" + i + "\"}"));
            outcome.saw(call(id, "prompts/get", "{\"name\":\"no_such_prompt_" + i + "\"}"));
            outcome.saw(call(id, "resources/subscribe", "{\"uri\":\"homelab://chains/soak-" + i + "\"}"));
            outcome.saw(call(id, "resources/subscribe", "{\"uri\":\"homelab://chains/soak-shared\"}"));
            // streams held open together, then all dropped at once; the fifth is over the limit of four: 429
            List<Socket> open = new ArrayList<>();
            try {
                for (int k = 0; k < (i % 4 == 0 ? 5 : 1); k++) {
                    open.add(stream(id, k < 4 ? 200 : 429));
                }
            } finally {
                for (Socket o : open) {
                    o.close();
                }
            }
            if (i % 2 == 0) {
                HttpResponse<String> d = http.send(base("/mcp").header("Mcp-Session-Id", id)
                        .header("Authorization", "Bearer " + TOKEN).DELETE().build(), HttpResponse.BodyHandlers.ofString());
                outcome.saw(d);
                assertEquals(200, d.statusCode(), "DELETE of a session: " + d.body());
                outcome.deleted.incrementAndGet();
            } else {
                outcome.abandoned.incrementAndGet();
            }
        }

        Session initialize(int i) throws Exception {
            HttpResponse<String> r = post(null, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                    + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"soak-" + i
                    + "\",\"version\":\"1\"}}}");
            outcome.saw(r);
            if (r.statusCode() == 503) {
                outcome.full.incrementAndGet();
                return null;
            }
            assertEquals(200, r.statusCode(), r.body());
            outcome.initialized.incrementAndGet();
            return new Session(r.headers().firstValue("Mcp-Session-Id").orElseThrow());
        }

        HttpResponse<String> call(String session, String method, String params) throws Exception {
            return post(session, null,
                    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"" + method + "\",\"params\":" + params + "}");
        }

        /** One hostile MCP request, picked by the session's number. */
        void hostile(int i) throws Exception {
            String tools = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}";
            HttpResponse<String> r = switch (i % 12) {
                case 0 -> post(null, null, tools); // no session
                case 1 -> post("no-such-session-" + i, null, tools);
                case 2 -> post(null, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                        + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\""
                        + "x".repeat(64 * 1024) + "\",\"version\":\"1\"}}}"); // over the initialize cap
                case 3 -> http.send(base("/mcp").header("Content-Type", "application/json").header("Accept", "application/json")
                        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(tools)).build(),
                        HttpResponse.BodyHandlers.ofString()); // Accept without text/event-stream
                case 4 -> post(null, "1999-01-01", tools); // unknown protocol version
                case 5 -> post(null, null, "[" + tools + "," + tools + "]"); // a batch
                case 6 -> post(null, null, "{\"jsonrpc\":\"2.0\",\"id\":"); // not JSON
                case 7 -> http.send(base("/mcp").header("Content-Type", "application/json")
                        .header("Accept", "application/json, text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(tools)).build(), HttpResponse.BodyHandlers.ofString()); // no token
                case 8 ->
                    http.send(base("/mcp").header("Accept", "text/event-stream").header("Authorization", "Bearer " + TOKEN)
                            .GET().build(), HttpResponse.BodyHandlers.ofString()); // a stream without a session
                case 9 ->
                    http.send(base("/mcp").header("Mcp-Session-Id", "gone-" + i).header("Authorization", "Bearer " + TOKEN)
                            .DELETE().build(), HttpResponse.BodyHandlers.ofString());
                case 10 -> post(null, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":[1]}");
                default -> post(null, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}");
            };
            outcome.saw(r);
            assertTrue(r.statusCode() >= 200 && r.statusCode() < 500, "hostile MCP request " + i % 12 + " -> "
                    + r.statusCode() + " " + r.body());
        }

        /**
         * Opens a GET event stream on a raw socket and reads its head; the caller drops the connection without a
         * word (closing the socket).
         */
        Socket stream(String session, int expected) throws IOException {
            String head = "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nAccept: text/event-stream\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\nMcp-Session-Id: " + session + "\r\n\r\n";
            Socket s = new Socket("127.0.0.1", server.port());
            try {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                String got = readUntil(s.getInputStream(), expected == 200 ? ": stream open" : "\r\n\r\n");
                int status = Integer.parseInt(got.substring(9, 12));
                outcome.requests.incrementAndGet();
                outcome.statuses.merge(status, 1, Integer::sum);
                assertEquals(expected, status, got);
                return s;
            } catch (IOException | RuntimeException | Error e) {
                s.close();
                throw e;
            }
        }

        /** A legacy HTTP+SSE session (GET /mcp/sse): reads the endpoint event, then drops the stream. */
        void legacySseDropped() throws IOException {
            String head = "GET /mcp/sse HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nAccept: text/event-stream\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\n\r\n";
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                String got = readUntil(s.getInputStream(), "\r\n\r\n");
                int status = Integer.parseInt(got.substring(9, 12));
                outcome.requests.incrementAndGet();
                outcome.statuses.merge(status, 1, Integer::sum);
                if (status == 503) {
                    outcome.full.incrementAndGet();
                    return;
                }
                assertEquals(200, status, got);
                readUntil(s.getInputStream(), "/mcp/messages/");
                outcome.initialized.incrementAndGet();
                outcome.abandoned.incrementAndGet();
            }
        }

        private static String readUntil(InputStream in, String marker) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                sb.append((char) c);
                if (sb.indexOf(marker) >= 0) {
                    return sb.toString();
                }
            }
            throw new IOException("connection closed before '" + marker + "': " + sb);
        }

        HttpResponse<String> post(String session, String version, String body) throws Exception {
            HttpRequest.Builder b = base("/mcp").header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream").header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (session != null) {
                b.header("Mcp-Session-Id", session);
            }
            if (version != null) {
                b.header("MCP-Protocol-Version", version);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        private HttpRequest.Builder base(String path) {
            return HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(60));
        }

        /** The JSON-RPC message of an answer: the body, or the first {@code data:} of an event stream; null if none. */
        static JsonNode message(HttpResponse<String> r) {
            String body = r.body();
            if (body == null || body.isBlank()) {
                return null;
            }
            String type = r.headers().firstValue("content-type").orElse("");
            try {
                if (type.startsWith("text/event-stream")) {
                    for (String line : body.split("\n")) {
                        if (line.startsWith("data:")) {
                            return JSON.readTree(line.substring(5).trim());
                        }
                    }
                    return null;
                }
                return type.startsWith("application/json") ? JSON.readTree(body) : null;
            } catch (IOException e) {
                return null;
            }
        }
    }
}
