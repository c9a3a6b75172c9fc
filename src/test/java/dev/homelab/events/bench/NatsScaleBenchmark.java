package dev.homelab.events.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamInfo;

import dev.homelab.events.nats.NatsNode;
import dev.homelab.events.nats.NatsServer;
import dev.homelab.events.nats.NatsSettings;

/**
 * Simulation for docs/scale.md (a benchmark, not a test): N application nodes in one JVM, each with its own
 * store, index, arrival log, outbox and durable consumer, replicating through one real nats-server with
 * JetStream. Each node writes M events through its own store; the run measures the time until every store
 * holds all N x M events, the throughput, CPU and memory (this JVM's, per node, and the nats-server's), and
 * the stream's storage.
 *
 * <pre>
 * ./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx5g -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     dev.homelab.events.bench.NatsScaleBenchmark --nodes 50 --events 1000 --days 10 [--dir D]
 * </pre>
 *
 * Each node writes on its own thread (one writer thread for all nodes was starved under load), its events spread
 * over the last {@code --days} days (default 1).
 *
 * {@code --limit-minutes} (default 40) bounds the writes and the wait; a run stopped while writing gets
 * {@link #CATCH_UP} more to replicate what was written, and its figures are for that smaller run.
 * The stores live under {@code --dir} (default: java.io.tmpdir, on disk: 50 x 50,000 files on tmpfs take 10 GB of
 * memory, which got the run killed by the OOM killer). Everything it creates is removed at the end, also when the
 * run is stopped with SIGTERM.
 */
public final class NatsScaleBenchmark {

    /** When the limit stops the writes: this long more for replication to bring what was written everywhere. */
    private static final Duration CATCH_UP = Duration.ofMinutes(2);

    private NatsScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = 50;
        int events = 1000;
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Duration limit = Duration.ofMinutes(40);
        int days = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--dir" -> base = Path.of(args[++i]);
                case "--limit-minutes" -> limit = Duration.ofMinutes(Long.parseLong(args[++i]));
                case "--days" -> days = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --nodes N --events M [--dir D] [--limit-minutes L] [--days K]");
            }
        }
        if (!NatsServer.installed()) {
            System.err.println("nats-server is not installed (apt-get install -y nats-server)");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory(Files.createDirectories(base), "nats-bench");
        long total = (long) nodes * events; // fewer when the limit stops the writes
        System.out.printf("NatsScaleBenchmark: %d nodes x %d events = %d events over %d day(s), stores under %s, %d cores%n",
                nodes, events, total, days, dir, Runtime.getRuntime().availableProcessors());
        System.out.printf("  load average at the start: %s%n", IndexBenchmark.loadAverage());
        NatsServer nats = NatsServer.start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // stopped by hand (SIGTERM): leave nothing behind
            nats.close();
            try {
                delete(dir);
            } catch (IOException | java.io.UncheckedIOException e) {
                // already removed by the normal end
            }
        }));
        List<NatsNode> all = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            for (int n = 0; n < nodes; n++) {
                String name = "node-" + n;
                NatsSettings s = NatsNode.settings(nats.url(), name).withBatch(500);
                all.add(NatsNode.start(name, dir.resolve(name), s, 1000)); // the application's default pass: 1 s
            }
            awaitReady(all);
            System.out.printf("  %d nodes connected and set up in %.1f s%n", nodes, seconds(t0));

            long cpu0 = processCpuNanos();
            long natsCpu0 = natsCpuTicks(nats.pid());
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            // every node writes its events through its own store on its own thread, as separate machines would
            // (one writer thread for all 50, under a load of 20-50, was starved: a write had 1/50 of its share)
            int written = writeAll(all, events, days, deadline);
            if (written < events) {
                System.out.printf("  LIMIT reached while writing: %d of %d events per node written; the figures below "
                        + "are for a run cut short%n", written, events);
                total = (long) nodes * written;
                deadline = System.nanoTime() + CATCH_UP.toNanos();
            }
            double writeSeconds = seconds(start);
            System.out.printf("  all %d events written locally in %.1f s%n", total, writeSeconds);

            double published = -1;
            boolean complete = true;
            long lastReport = System.nanoTime();
            while (true) {
                long min = Long.MAX_VALUE;
                long sum = 0;
                long pub = 0;
                for (NatsNode n : all) {
                    int held = n.indexed();
                    min = Math.min(min, held);
                    sum += held;
                    pub += n.status().published();
                }
                if (published < 0 && pub >= total) {
                    published = seconds(start);
                    System.out.printf("  every event published after %.1f s%n", published);
                }
                if (min >= total) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    complete = false;
                    System.out.printf("  LIMIT reached: slowest store holds %d of %d (%.1f%% of all copies)%n", min, total,
                            100.0 * sum / (total * nodes));
                    break;
                }
                if (System.nanoTime() - lastReport > 15_000_000_000L) {
                    lastReport = System.nanoTime();
                    System.out.printf("  %.0f s: slowest store %d/%d, copies %.1f%% (load %s)%n", seconds(start), min, total,
                            100.0 * sum / (total * nodes), IndexBenchmark.loadAverage());
                }
                Thread.sleep(200);
            }
            double converged = seconds(start);
            long cpu = processCpuNanos() - cpu0;
            long natsCpu = natsCpuTicks(nats.pid()) - natsCpu0;
            long copies = total * (nodes - 1L); // every event imported by every other node
            System.gc();
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            long heap = mem.getHeapMemoryUsage().getUsed();
            System.out.println();
            System.out.printf(complete
                    ? "  converged (every store holds all %d events): %.1f s after the first write%n"
                    : "  NOT converged (not every store holds all %d events) when stopped %.1f s after the first write%n",
                    total, converged);
            System.out.printf("  published: %d events in %.1f s (%.0f events/s into the stream)%n", total, published,
                    total / published);
            System.out.printf("  imported: %d copies (%.0f imports/s across all nodes, %.0f per node)%n", copies,
                    copies / converged, copies / converged / nodes);
            System.out.printf("  CPU of the %d application nodes: %.1f s (%.2f s per node, %.1f µs per import)%n", nodes,
                    cpu / 1e9, cpu / 1e9 / nodes, cpu / 1e3 / copies);
            System.out.printf("  CPU of nats-server: %.1f s; its resident memory: %d MiB%n", natsCpu / 100.0,
                    natsRssKib(nats.pid()) / 1024);
            System.out.printf("  heap after GC: %d MiB for %d nodes x %d events = %.0f bytes per stored event%n",
                    heap >> 20, nodes, total, (double) heap / (nodes * total));
            try { // last: under a heavy load this connect once timed out, and took the figures above with it
                StreamInfo info = streamInfo(nats.url());
                System.out.printf("  stream: %d messages, %d bytes (%.0f bytes per event); JetStream directory %d KiB%n",
                        info.getStreamState().getMsgCount(), info.getStreamState().getByteCount(),
                        (double) info.getStreamState().getByteCount() / Math.max(1, info.getStreamState().getMsgCount()),
                        du(dir.resolve("nats-js")) >> 10);
            } catch (Exception e) {
                System.out.printf("  stream: not asked (%s); JetStream directory %d KiB%n", e,
                        du(dir.resolve("nats-js")) >> 10);
            }
            System.out.printf("  one store on disk: %d KiB for %d events%n", du(dir.resolve("node-0")) >> 10, total);
            System.out.printf("  load average at the end: %s%n", IndexBenchmark.loadAverage());
        } finally {
            for (NatsNode n : all) {
                n.close();
            }
            nats.close();
            delete(dir);
        }
    }

    /**
     * Each node writes {@code events} on its own thread until the deadline, spread over the last {@code days} days;
     * returns what the slowest wrote.
     */
    private static int writeAll(List<NatsNode> all, int events, int days, long deadline) throws InterruptedException {
        ExecutorService writers = Executors.newFixedThreadPool(all.size());
        List<Future<Integer>> done = new ArrayList<>();
        for (NatsNode n : all) {
            done.add(writers.submit(() -> {
                int i = 0;
                while (i < events && System.nanoTime() < deadline) {
                    n.emitDaysAgo(i % days); // spread over the last `days` days: each day's index segment stays smaller
                    i++;
                }
                return i;
            }));
        }
        int min = events;
        try {
            for (Future<Integer> f : done) {
                min = Math.min(min, f.get());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a node's write failed", e.getCause());
        } finally {
            writers.shutdown();
        }
        return min;
    }

    private static void awaitReady(List<NatsNode> all) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!all.stream().allMatch(n -> n.status().ready())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nodes not set up: " + all.stream().filter(n -> !n.status().ready())
                        .map(n -> n.status().toString()).findFirst().orElse(""));
            }
            Thread.sleep(200);
        }
    }

    private static StreamInfo streamInfo(String url) throws Exception {
        Connection c = Nats.connect(io.nats.client.Options.builder().server(url)
                .connectionTimeout(Duration.ofSeconds(30)).build());
        try {
            return c.jetStreamManagement().getStreamInfo("HOMELAB_EVENTS");
        } finally {
            c.close();
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux). */
    private static long natsCpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long natsRssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static long du(Path p) throws IOException {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
