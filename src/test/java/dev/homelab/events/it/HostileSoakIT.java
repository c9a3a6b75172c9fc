package dev.homelab.events.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.testing.RawHttp;

/**
 * Thousands of hostile requests against the packaged server on a small heap (-Xmx96m): every one gets a clear 4xx
 * problem (never a 5xx), stalled connections are closed, the log stays short, and the heap after a full GC and the
 * live thread count end where they started (within a generous margin). Heap and threads are read from /q/metrics
 * ({@code jvm_memory_used_bytes{area="heap"}}, {@code jvm_threads_live_threads}); the GC is forced with jcmd.
 *
 * <p>
 * The default run sends {@value #DEFAULT_REQUESTS} requests; the soak ({@code ./mvnw -B -Psoak verify}) sends
 * {@code homelab.soak.requests} (default {@value #SOAK_REQUESTS}).
 */
class HostileSoakIT {

    static final int DEFAULT_REQUESTS = 10_000;
    static final int SOAK_REQUESTS = 100_000;
    static final String TOKEN = "soak-token-5d1e9a7c3b2f4e60";
    /** Heap after GC may grow this much (a warm JIT, caches filling up), but not by a leak per request. */
    static final long HEAP_MARGIN = 24L * 1024 * 1024;
    static final int THREAD_MARGIN = 16;
    static final int IDLE_SECONDS = 3;

    @TempDir
    Path tmp;

    @Test
    void hostileRequestsLeaveHeapAndThreadsFlat() throws Exception {
        soak(DEFAULT_REQUESTS);
    }

    @Test
    @Tag("soak")
    @Timeout(1800)
    void soakManyHostileRequestsLeaveHeapAndThreadsFlat() throws Exception {
        soak(Integer.getInteger("homelab.soak.requests", SOAK_REQUESTS));
    }

    void soak(int requests) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Assumptions.assumeTrue(Files.isExecutable(jcmd), "SKIPPED HostileSoakIT: no jcmd in " + jcmd.getParent()
                + " to force a full GC before reading the heap");
        try (PackagedServer server = new PackagedServer(tmp.resolve("store"), tmp.resolve("server.log"),
                Map.of("HOMELAB_EVENTS_TOKEN", TOKEN, "QUARKUS_HTTP_IDLE_TIMEOUT", IDLE_SECONDS + "s",
                        "HOMELAB_SECURITY_BODY_TIMEOUT", "4s"))
                .heap("96m").start()) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            Hostile hostile = new Hostile(server, http);
            // warm up: classes loaded, JIT compiled, pools filled, so what is measured after is what requests leave
            hostile.send(Math.max(500, requests / 10));
            Sample start = sample(server, http, jcmd);
            long logLinesBefore = lines(server.logText());

            long started = System.nanoTime();
            List<Socket> stalled = hostile.stall(200);
            Map<Integer, Integer> statuses = hostile.send(requests);
            long seconds = Math.max(1, (System.nanoTime() - started) / 1_000_000_000L);
            for (Socket s : stalled) {
                assertClosedByServer(s);
            }
            // worker threads of the burst may linger until their keep-alive ends: wait for that, with a generous ceiling
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> sample(server, http, null).threads() <= start.threads() + THREAD_MARGIN);
            Sample end = sample(server, http, jcmd);
            String log = server.logText();

            System.out.printf("soak: %d hostile requests in %d s (%d/s), answers by status %s; heap after GC %d -> %d KiB,"
                    + " live threads %d -> %d, log +%d lines%n", requests, seconds, requests / seconds, statuses,
                    start.heapBytes() / 1024, end.heapBytes() / 1024, start.threads(), end.threads(),
                    lines(log) - logLinesBefore);
            assertTrue(statuses.keySet().stream().allMatch(s -> s >= 400 && s < 500),
                    "every hostile request gets a 4xx answer, never a 5xx: " + statuses);
            assertTrue(end.heapBytes() <= start.heapBytes() + HEAP_MARGIN,
                    "heap after GC grew from " + start.heapBytes() + " to " + end.heapBytes() + " bytes");
            assertTrue(end.threads() <= start.threads() + THREAD_MARGIN,
                    "live threads grew from " + start.threads() + " to " + end.threads());
            assertTrue(!log.contains(" ERROR ") && !log.contains("OutOfMemoryError"), "no server error:\n" + tail(log));
            assertTrue(lines(log) - logLinesBefore < 400, "refusals are logged within a budget, not once each:\n" + tail(log));
            // and it still serves
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/events?limit=1"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
        }
    }

    /** The hostile mix: each request is picked by its number, sent by four threads. */
    static final class Hostile {
        private final PackagedServer server;
        private final HttpClient http;
        private final String base;
        private final int port;

        Hostile(PackagedServer server, HttpClient http) {
            this.server = server;
            this.http = http;
            this.base = server.baseUrl();
            this.port = server.port();
        }

        Map<Integer, Integer> send(int count) throws Exception {
            Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
            AtomicInteger next = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    workers.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                            statuses.merge(one(i), 1, Integer::sum);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : workers) {
                    f.get(10, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            return statuses;
        }

        private static final String EVENT = "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"ci\","
                + "\"service\":\"web\"}";
        private static final String DEEP = "{\"payload\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        private static final String LONG_NUMBER = "{\"payload\":{\"n\":" + "9".repeat(2000) + "}}";

        private final List<IntFunction<HttpRequest.Builder>> viaClient = List.of(
                i -> get("/api/events?since=%2B999999999-12-31T23:59:59Z"),
                i -> get("/api/events?until=-999999999-01-01T00:00:00Z&limit=" + i),
                i -> get("/api/events?since=now-99999999999d"),
                i -> get("/api/events?cursor=garbage-" + i),
                i -> get("/api/events/" + "x".repeat(1 + i % 3000)),
                i -> get("/api/archive/+999999999-12-31"),
                i -> get("/api/sync/export"), // needs the token
                i -> get("/api/no/such/route/" + i),
                i -> post("/api/tools/list_events", "{\"since\":\"+999999999-12-31T23:59:59Z\"}").header("Authorization",
                        "Bearer " + TOKEN),
                i -> post("/api/tools/list_open_incidents", "{\"since\":\"now-999999999w\"}"),
                i -> post("/api/events", EVENT), // no token
                i -> post("/api/events", EVENT + " " + EVENT).header("Authorization", "Bearer " + TOKEN),
                i -> post("/api/events", "{\"type\":").header("Authorization", "Bearer " + TOKEN),
                i -> post("/api/events", DEEP).header("Authorization", "Bearer " + TOKEN),
                i -> post("/api/events", LONG_NUMBER).header("Authorization", "Bearer " + TOKEN),
                i -> post("/api/events", EVENT).header("Authorization", "Bearer wrong-" + i),
                i -> post("/api/events", EVENT).header("Authorization", "Bearer " + TOKEN).setHeader("Content-Type",
                        "text/plain"),
                i -> get("/api/events").method("DELETE", HttpRequest.BodyPublishers.noBody()).header("Authorization",
                        "Bearer " + TOKEN),
                i -> get("/api/events").header("Origin", "http://evil.example.com"),
                i -> post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"
                        + "]".repeat(i % 7)).header("Authorization", "Bearer " + TOKEN));

        private final List<String> viaSocket = List.of(
                "GET /api/events HTTP/1.1\r\nHost: localhost\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n",
                "GET http://evil.example.com/api/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                "GET /api/events HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n",
                "POST /api/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 31457280"
                        + "\r\nConnection: close\r\n\r\n");

        /** Sends request {@code i} of the mix and returns its status. */
        int one(int i) throws IOException, InterruptedException {
            if (i % 10 == 9) {
                String head = viaSocket.get((i / 10) % viaSocket.size());
                RawHttp.Response r = RawHttp.headOnly(port, head);
                assertTrue(r.header("content-type") != null && r.header("content-type").startsWith("application/problem+json"),
                        head + " -> " + r.status() + " " + r.body());
                return r.status();
            }
            HttpRequest.Builder b = viaClient.get(i % viaClient.size()).apply(i);
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            String type = r.headers().firstValue("content-type").orElse("");
            boolean jsonRpc = r.uri().getPath().equals("/mcp") && type.startsWith("application/json");
            assertTrue(type.startsWith("application/problem+json") || jsonRpc, r.request().method() + " " + r.uri() + " -> "
                    + r.statusCode() + " " + type + " " + r.body());
            return r.statusCode();
        }

        /** Half-sent request heads, left hanging: the idle timeout must close every one. */
        List<Socket> stall(int count) throws IOException {
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.setSoTimeout(120_000);
                s.getOutputStream().write(("POST /api/events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n"
                        + (i % 2 == 0 ? "\r\n{\"type\":" : "X-Half: ")).getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                sockets.add(s);
            }
            return sockets;
        }

        private HttpRequest.Builder get(String path) {
            return HttpRequest.newBuilder(URI.create(base + path));
        }

        private HttpRequest.Builder post(String path, String json) {
            return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(json));
        }

        @Override
        public String toString() {
            return "Hostile[" + server.baseUrl() + "]";
        }
    }

    /** Blocks until the server closes the connection (a read of -1 or a reset), failing past the socket's timeout. */
    static void assertClosedByServer(Socket s) throws IOException {
        try (s; InputStream in = s.getInputStream()) {
            while (in.read() >= 0) {
                // a 408 answer may come first; read to the end
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a stalled connection was still open after " + s.getSoTimeout() + " ms", e);
        } catch (IOException e) {
            // reset by the server: closed too
        }
    }

    record Sample(long heapBytes, int threads) {
    }

    static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\} ([0-9.E+-]+)$");
    static final Pattern THREADS = Pattern.compile("(?m)^jvm_threads_live_threads(?:\\{[^}]*\\})? ([0-9.E+-]+)$");

    /**
     * The lowest heap-after-full-GC of three tries (reading the metrics allocates too), and the live threads; without
     * jcmd, one reading and no GC (for the thread count).
     */
    static Sample sample(PackagedServer server, HttpClient http, Path jcmd) throws Exception {
        long heap = Long.MAX_VALUE;
        int threads = 0;
        for (int i = 0; i < (jcmd == null ? 1 : 3); i++) {
            Process gc = jcmd == null
                    ? null
                    : new ProcessBuilder(jcmd.toString(), Long.toString(server.process().pid()), "GC.run")
                            .redirectErrorStream(true).start();
            if (gc != null) {
                gc.getInputStream().readAllBytes();
                assertTrue(gc.waitFor(60, TimeUnit.SECONDS) && gc.exitValue() == 0, "jcmd GC.run failed");
            }
            String metrics = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long used = 0;
            for (Matcher m = HEAP.matcher(metrics); m.find();) {
                used += (long) Double.parseDouble(m.group(1));
            }
            Matcher t = THREADS.matcher(metrics);
            assertTrue(used > 0 && t.find(), "heap and thread metrics in /q/metrics");
            heap = Math.min(heap, used);
            threads = (int) Double.parseDouble(t.group(1));
        }
        return new Sample(heap, threads);
    }

    static long lines(String text) {
        return text.lines().count();
    }

    static String tail(String log) {
        List<String> l = log.lines().toList();
        return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()));
    }
}
