package dev.homelab.events.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.homelab.events.TestEvents;
import dev.homelab.events.bench.StoreGenerator;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventWriter;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventStore;

/**
 * The costs of the audit trail (docs/audit.md, "Costs"), in process:
 * <ol>
 * <li>durable emit through the one write path ({@link EventWriter#append}) with and without sealing, one and eight
 * writers, in alternating rounds so drift hits both alike;</li>
 * <li>on a generated store ({@link StoreGenerator}): sealing and closing it from scratch, then a full verification
 * against a cold index scan of the same files (both with a warm page cache, on all cores).</li>
 * </ol>
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) dev.homelab.events.audit.AuditBenchmark \
 *     --dir /tmp/audit-bench --events 100000 --emit-seconds 10 --rounds 3
 * </pre>
 */
public final class AuditBenchmark {

    private AuditBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("/tmp/audit-bench");
        int events = 100_000;
        int emitSeconds = 10;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--emit-seconds" -> emitSeconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(dir);
        java.util.logging.Logger.getLogger("dev.homelab").setLevel(java.util.logging.Level.WARNING); // one line per day closed
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("cores=%d, load average %s%n", cores, Files.readString(Path.of("/proc/loadavg")).trim());
        if (emitSeconds > 0) {
            emit(dir.resolve("emit"), emitSeconds, rounds);
        }
        if (events > 0) {
            verify(dir.resolve("store-" + events), events, cores);
        }
    }

    // ------------------------------------------------------------------------------------------- emit overhead

    static void emit(Path root, int seconds, int rounds) throws Exception {
        Files.createDirectories(root);
        EventStore store = TestEvents.store(root);
        EventIndex index = new EventIndex();
        AuditLayout layout = new AuditLayout(store.root());
        for (int writers : new int[]{ 1, 8 }) {
            List<Double> plain = new ArrayList<>();
            List<Double> sealed = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                // ABBA: which goes first alternates, so a trend over the run (page cache, the machine's load) is shared
                for (boolean seal : r % 2 == 0 ? new boolean[]{ false, true } : new boolean[]{ true, false }) {
                    EventWriter writer = new EventWriter(store, index);
                    Sealer sealer = null;
                    if (seal) {
                        sealer = new Sealer(layout, store.files(), Clock.systemUTC(), 16384);
                        sealer.start(Duration.ofMillis(200));
                        writer.addListener(sealer);
                    }
                    String node = "bench-" + writers + "-" + r + (seal ? "-s" : "-p");
                    double rate = throughput(writer, writers, seconds, node);
                    if (sealer != null) {
                        sealer.close();
                        long sealedCount = SealFile.read(layout.seals(Instant.now().atZone(ZoneOffset.UTC).toLocalDate()
                                .toString(), node)).lines().size();
                        System.out.printf("  (sealed %d files of round %s)%n", sealedCount, node);
                    }
                    (seal ? sealed : plain).add(rate);
                    System.out.printf("emit, %d writer(s), %s: %.0f events/s%n", writers, seal ? "sealing" : "no audit", rate);
                }
            }
            double p = median(plain);
            double s = median(sealed);
            System.out.printf("RESULT emit %d writer(s): no audit %.0f/s, sealing %.0f/s (median of %d rounds): %+.1f%%%n",
                    writers, p, s, rounds, (s - p) / p * 100);
        }
    }

    static double throughput(EventWriter writer, int writers, int seconds, String node) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<java.util.concurrent.Future<Object>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            futures.add(pool.submit(() -> {
                while (!stop.get()) {
                    writer.append(TestEvents.event("deployment_started", node, "web", "bench", Instant.now()));
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        Thread.sleep(1000); // warm-up
        long start = System.nanoTime();
        long before = done.get();
        Thread.sleep(seconds * 1000L);
        long count = done.get() - before;
        double rate = count / ((System.nanoTime() - start) / 1e9);
        stop.set(true);
        for (var f : futures) {
            f.get(1, TimeUnit.MINUTES); // a writer that failed fails the benchmark
        }
        pool.shutdown();
        return rate;
    }

    // ------------------------------------------------------------------------------------------- verify vs scan

    static void verify(Path root, int events, int cores) throws Exception {
        long t0 = System.nanoTime();
        StoreGenerator.generate(root, events, 42);
        System.out.printf("generated %d events in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);
        EventStore store = TestEvents.store(root);
        AuditLayout layout = new AuditLayout(store.root());
        Path keyFile = root.resolveSibling(root.getFileName() + ".key");
        AuditKeys keys = AuditKeys.loadOrCreate(keyFile);
        keys.publish(layout, "bench");
        if (layout.recorded().isEmpty()) {
            Sealer sealer = new Sealer(layout, store.files(), Clock.systemUTC(), 16384);
            DayCloser closer = new DayCloser(layout, sealer, keys, "bench", Duration.ofHours(2), Clock.systemUTC(), null);
            long s0 = System.nanoTime();
            int digests = closer.run().size();
            System.out.printf("RESULT sealing and closing an existing store of %d events from scratch: %.1f s (%d digests)%n",
                    events, (System.nanoTime() - s0) / 1e9, digests);
            sealer.close();
        }
        List<Double> scans = new ArrayList<>();
        List<Double> verifies = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            long a = System.nanoTime();
            try (Reconciler reconciler = new Reconciler(store, new EventIndex(), cores)) {
                Reconciler.ReconcileReport rep = reconciler.reconcile();
                if (rep.added() != events) {
                    throw new IllegalStateException("scan found " + rep.added() + " events, not " + events);
                }
            }
            scans.add((System.nanoTime() - a) / 1e9);
            long b = System.nanoTime();
            AuditReport report = new Verifier(new Verifier.Options(store.root(), store.root().resolve(".archive"),
                    List.of(keys.publicKey()), null, null, null, Map.of(), null, store.fileMaxBytes(), cores), store.files())
                    .verify();
            verifies.add((System.nanoTime() - b) / 1e9);
            if (!report.ok() || report.checked() != events) {
                throw new IllegalStateException("verification: " + report.problems().size() + " problems, checked "
                        + report.checked());
            }
            System.out.printf("cold index scan %.2f s, full verification %.2f s (%d files, %d digests)%n", scans.get(r),
                    verifies.get(r), report.checked(), report.digests());
        }
        System.out.printf(
                "RESULT %d events: cold index scan %.2f s, verification %.2f s (medians of 3, warm page cache, %d threads)%n",
                events, median(scans), median(verifies), cores);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
