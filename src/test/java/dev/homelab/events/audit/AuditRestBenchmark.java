package dev.homelab.events.audit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sealing's cost on the REST write face (docs/audit.md, "Costs"): two packaged servers side by side, one with
 * {@code HOMELAB_AUDIT_ENABLED=false}, one with it on, each on its own store; {@code POST /api/events} with 1 and 8
 * writers (each writer one request in flight), in ABBA rounds (off, on, on, off, ...) so drift on a shared machine
 * hits both alike. Prints every round, the medians and the load average; beside each rate the CPU the server
 * process spent per event ({@code /proc/<pid>/stat}), which the machine's other load disturbs much less.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) dev.homelab.events.audit.AuditRestBenchmark \
 *     --app target/quarkus-app --dir /tmp/audit-rest --seconds 10 --rounds 4
 * </pre>
 */
public final class AuditRestBenchmark {

    private static final String BODY = "{\"type\":\"healthcheck_failed\",\"severity\":\"warning\",\"source\":\"bench\","
            + "\"service\":\"bench-svc\",\"payload\":{\"message\":\"" + "x".repeat(200) + "\"}}";

    private AuditRestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path app = Path.of("target/quarkus-app");
        Path dir = Path.of("/tmp/audit-rest");
        int seconds = 10;
        int rounds = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--app" -> app = Path.of(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Process off = start(app, dir.resolve("off"), 18431, false);
        Process on = start(app, dir.resolve("on"), 18432, true);
        try {
            awaitReady(http, 18431);
            awaitReady(http, 18432);
            System.out.printf("load average %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
            Map<String, List<Double>> rates = new TreeMap<>();
            Map<String, List<Double>> cpus = new TreeMap<>();
            for (int writers : new int[]{ 1, 8 }) {
                measure(http, off, 18431, writers, 3); // warm-up, not counted
                measure(http, on, 18432, writers, 3);
                for (int r = 0; r < rounds; r++) {
                    boolean[] order = r % 2 == 0 ? new boolean[]{ false, true } : new boolean[]{ true, false };
                    for (boolean audit : order) {
                        double[] m = measure(http, audit ? on : off, audit ? 18432 : 18431, writers, seconds);
                        String key = writers + (audit ? " on" : " off");
                        rates.computeIfAbsent(key, k -> new ArrayList<>()).add(m[0]);
                        cpus.computeIfAbsent(key, k -> new ArrayList<>()).add(m[1]);
                        System.out.printf("writers=%d audit=%s round %d: %.0f events/s, %.0f µs server CPU per event "
                                + "(load %s)%n", writers, audit ? "on" : "off", r + 1, m[0], m[1],
                                Files.readString(Path.of("/proc/loadavg")).trim());
                    }
                }
                double a = AuditBenchmark.median(rates.get(writers + " off"));
                double b = AuditBenchmark.median(rates.get(writers + " on"));
                double ca = AuditBenchmark.median(cpus.get(writers + " off"));
                double cb = AuditBenchmark.median(cpus.get(writers + " on"));
                System.out.printf("RESULT REST, %d writer(s): audit off %.0f events/s, on %.0f events/s (%+.1f %%); server "
                        + "CPU per event off %.0f µs, on %.0f µs (%+.1f %%); medians of %d rounds%n", writers, a, b,
                        (b - a) / a * 100, ca, cb, (cb - ca) / ca * 100, rounds);
            }
            System.out.printf("load average %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            off.destroy();
            on.destroy();
        }
    }

    /** Rate (events/s) and the server's CPU microseconds per event. */
    static double[] measure(HttpClient http, Process server, int port, int writers, int seconds) throws Exception {
        long cpu0 = cpuNanos(server.pid());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            fs.add(pool.submit(() -> {
                while (!stop.get()) {
                    HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() != 201) {
                        throw new IllegalStateException("POST /api/events answered " + r.statusCode());
                    }
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Future<?> f : fs) {
            f.get();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long cpu = cpuNanos(server.pid()) - cpu0;
        pool.shutdown();
        return new double[]{ done.get() / elapsed, cpu / 1e3 / Math.max(1, done.get()) };
    }

    /** utime + stime of a process, in nanoseconds (Linux, 100 clock ticks per second). */
    static long cpuNanos(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    static Process start(Path app, Path root, int port, boolean audit) throws Exception {
        Files.createDirectories(root);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", app.resolve("quarkus-run.jar").toString()).redirectErrorStream(true)
                .redirectOutput(root.resolveSibling(root.getFileName() + "-server.log").toFile());
        pb.environment().put("HOMELAB_EVENTS_DIR", root.toString());
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().put("HOMELAB_NODE", "bench-" + (audit ? "on" : "off"));
        pb.environment().put("HOMELAB_AUDIT_ENABLED", Boolean.toString(audit));
        pb.environment().put("HOMELAB_AUDIT_KEY_FILE", root.resolveSibling(root.getFileName() + "-audit.key").toString());
        pb.environment().put("HOMELAB_ARCHIVE_ENABLED", "false");
        pb.environment().put("HOMELAB_SYNC_ENABLED", "false");
        return pb.start();
    }

    static void awaitReady(HttpClient http, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("server on port " + port + " not ready within 5 minutes");
    }
}
