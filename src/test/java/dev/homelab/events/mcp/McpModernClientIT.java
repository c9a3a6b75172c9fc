package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.homelab.events.agent.SeedChains;
import dev.homelab.events.it.PackagedServer;

/**
 * Protocol 2026-07-28 with the official TypeScript SDK 2.x client ({@code @modelcontextprotocol/client}, pinned
 * in src/test/mcp-client/package-lock.json; src/test/mcp-client/check-modern.mjs), pinned to 2026-07-28 so it
 * never falls back to initialize: server/discover, the fixture seeded through emit_event, every listed tool,
 * resources, prompts and completion, against the packaged server over Streamable HTTP and over stdio, and
 * against two server processes on one store behind a round-robin proxy (stateless requests: whichever process
 * gets a request answers it). Needs node (20+) and npm.
 */
class McpModernClientIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    @Timeout(300)
    void sdk2ClientSpeaks20260728OverStreamableHttp() throws Exception {
        NodeClient.install();
        try (PackagedServer server = new PackagedServer(tmp.resolve("events"), tmp.resolve("server.log"), Map.of()).start()) {
            NodeClient.Result check = NodeClient.run(180, "node", "check-modern.mjs", "http", server.baseUrl() + "/mcp",
                    seedFile().toString());
            assertPassed(check, "over http", server.logText());
        }
    }

    @Test
    @Timeout(300)
    void sdk2ClientSpeaks20260728OverStdio() throws Exception {
        NodeClient.install();
        Path jar = PackagedServer.JAR.toAbsolutePath();
        assertTrue(Files.exists(jar), "package the application first (mvn verify)");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        NodeClient.Result check;
        try {
            check = NodeClient.run(List.of("node", "check-modern.mjs", "stdio", seedFile().toString(), java,
                    "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8",
                    "-Dquarkus.profile=stdio", "-Dhomelab.events.dir=" + tmp.resolve("events"), "-Dhomelab.node=pi4",
                    "-Dhomelab.audit.key-file=" + tmp.resolve("audit").resolve("audit.key"), "-jar", jar.toString()), 180);
        } finally {
            ToolScenario.awaitServersExited(tmp);
        }
        assertPassed(check, "over stdio", "");
    }

    /**
     * Two packaged servers on one store, a plain round-robin HTTP proxy in front (every request to the next
     * process, no affinity of any kind), one 2026-07-28 client through it. The client's writes land on both
     * processes and its reads are answered by both; each process sees the other's events through its index
     * watcher, which the client waits for (with a deadline) before it reads.
     */
    @Test
    @Timeout(360)
    void twoProcessesOnOneStoreBehindRoundRobinProxyServeOneClient() throws Exception {
        NodeClient.install();
        Path store = tmp.resolve("events");
        try (PackagedServer a = new PackagedServer(store, tmp.resolve("a.log"), Map.of("HOMELAB_NODE", "pi4")).start();
                PackagedServer b = new PackagedServer(store, tmp.resolve("b.log"), Map.of("HOMELAB_NODE", "pi4")).start();
                RoundRobinProxy proxy = new RoundRobinProxy(List.of(a.port(), b.port()))) {
            NodeClient.Result check = NodeClient.run(240, "node", "check-modern.mjs", "http", proxy.url() + "/mcp",
                    seedFile().toString(), "--await-seed");
            assertPassed(check, "over http", "a:\n" + a.logText() + "\nb:\n" + b.logText());
            // both processes answered a fair share of the MCP requests (strict alternation: they differ by one)
            int toA = proxy.served.get(0);
            int toB = proxy.served.get(1);
            assertTrue(toA >= 20 && Math.abs(toA - toB) <= 1, "requests per process: " + toA + ", " + toB);
            assertEquals(0, proxy.failures.get(), "the proxy could not reach a server");
        }
    }

    private static void assertPassed(NodeClient.Result check, String transport, String serverLog) {
        assertEquals(0, check.exit(), () -> "the SDK 2.x client check failed:\n" + check.output() + "\nserver log:\n"
                + serverLog);
        assertTrue(check.output().contains("mcp-sdk2-check: protocol 2026-07-28 " + transport), check.output());
    }

    /** The SeedChains fixture as emit_event arguments, for the client to write. */
    private Path seedFile() throws IOException {
        Path seed = tmp.resolve("seed.json");
        MAPPER.writeValue(seed.toFile(), SeedChains.asToolArguments());
        return seed.toAbsolutePath();
    }

    /**
     * A plain HTTP reverse proxy on loopback: each request goes to the next backend in turn, body and headers
     * passed through as they are (hop-by-hop ones aside), the answer streamed back as it comes. No affinity.
     */
    static final class RoundRobinProxy implements AutoCloseable {

        private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "keep-alive",
                "transfer-encoding", "upgrade", "expect", "te", "trailer", "proxy-connection");

        final AtomicIntegerArray served;
        final AtomicInteger failures = new AtomicInteger();
        private final List<Integer> backends;
        private final AtomicInteger next = new AtomicInteger();
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
        private final HttpServer server;
        private final ExecutorService pool = Executors.newFixedThreadPool(8);

        RoundRobinProxy(List<Integer> backends) throws IOException {
            this.backends = List.copyOf(backends);
            this.served = new AtomicIntegerArray(backends.size());
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", this::forward);
            server.setExecutor(pool);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void forward(HttpExchange ex) throws IOException {
            int i = Math.floorMod(next.getAndIncrement(), backends.size());
            try (ex; InputStream in = ex.getRequestBody()) {
                byte[] body = in.readAllBytes();
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backends.get(i)
                        + ex.getRequestURI())).timeout(Duration.ofSeconds(60))
                        .method(ex.getRequestMethod(), body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                ex.getRequestHeaders().forEach((name, values) -> {
                    if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                        values.forEach(v -> req.header(name, v));
                    }
                });
                HttpResponse<InputStream> res;
                try {
                    res = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
                } catch (IOException e) {
                    failures.incrementAndGet();
                    ex.sendResponseHeaders(502, -1);
                    return;
                }
                served.incrementAndGet(i);
                res.headers().map().forEach((name, values) -> {
                    if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                        ex.getResponseHeaders().put(name, values);
                    }
                });
                long length = res.headers().firstValueAsLong("content-length").orElse(-1);
                // a stream (subscriptions/listen) has no length: pass it on chunk by chunk, as it comes
                ex.sendResponseHeaders(res.statusCode(), length == 0 ? -1 : length < 0 ? 0 : length);
                try (InputStream upstream = res.body(); OutputStream os = ex.getResponseBody()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = upstream.read(buf)) >= 0;) {
                        os.write(buf, 0, n);
                        os.flush();
                    }
                } catch (IOException e) {
                    // the client closed a stream: closing the upstream body ends it at the server too
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.incrementAndGet();
            }
        }

        @Override
        public void close() {
            server.stop(0);
            pool.shutdownNow();
        }
    }
}
