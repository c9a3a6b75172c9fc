package dev.homelab.events.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * Read latency over HTTP as a user's client sees it: one HTTP/1.1 keep-alive connection ({@link KeepAliveHttp}), one
 * request at a time, timed from the first byte written to the last byte of the body read. {@code java.net.http}
 * upgrades plain-HTTP connections to HTTP/2 (h2c), which no browser or curl does, and costs the benchmark's JVM
 * more CPU on the two cores it shares with the server. Each phase also records what else happened while it ran, so
 * that a tail can be told apart from the code: the server's GC pauses (from {@code /q/metrics}), this JVM's own
 * collections, and the machine's load.
 *
 * <p>
 * Not thread-safe: one per measuring thread.
 */
final class HttpReads implements AutoCloseable {

    /** One phase: every request's time, and what happened beside it. */
    record Phase(long[] nanos, long serverPauses, double serverPauseMs, long clientGcs, long clientGcMs, String load) {

        /** p50 / p99, then the context: server GC pauses, this JVM's collections, the load averages. */
        String describe() {
            return String.format("%s (server GC: %d pause%s, %.0f ms; benchmark GC: %d, %d ms; load %s)",
                    IndexBenchmark.percentiles(nanos), serverPauses, serverPauses == 1 ? "" : "s", serverPauseMs, clientGcs,
                    clientGcMs, load);
        }
    }

    private final KeepAliveHttp http;

    HttpReads(int port) {
        this.http = new KeepAliveHttp("127.0.0.1", port, 60_000);
    }

    /** {@code warmup} requests not counted, then {@code n} timed ones; every answer must be 200. */
    Phase measure(int warmup, int n, Supplier<String> path) throws IOException {
        for (int i = 0; i < warmup; i++) {
            get(path.get());
        }
        double[] server = serverGcPauses();
        long[] client = clientGc();
        String load = IndexBenchmark.loadAverage();
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            String p = path.get();
            long t = System.nanoTime();
            KeepAliveHttp.Response r = http.get(p);
            nanos[i] = System.nanoTime() - t;
            check(r, p);
        }
        double[] serverAfter = serverGcPauses();
        long[] clientAfter = clientGc();
        return new Phase(nanos, (long) (serverAfter[0] - server[0]), (serverAfter[1] - server[1]) * 1000,
                clientAfter[0] - client[0], clientAfter[1] - client[1], load);
    }

    private void get(String path) throws IOException {
        check(http.get(path), path);
    }

    private static void check(KeepAliveHttp.Response r, String path) {
        if (r.status() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.status() + " " + r.text());
        }
    }

    /** Count and seconds of the server's GC pauses so far, summed over the causes {@code /q/metrics} lists. */
    private double[] serverGcPauses() throws IOException {
        double count = 0;
        double seconds = 0;
        for (String line : http.get("/q/metrics").text().split("\n")) {
            if (line.startsWith("jvm_gc_pause_seconds_count{")) {
                count += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("jvm_gc_pause_seconds_sum{")) {
                seconds += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return new double[]{ count, seconds };
    }

    private static long[] clientGc() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[]{ count, millis };
    }

    @Override
    public void close() {
        http.close();
    }
}
