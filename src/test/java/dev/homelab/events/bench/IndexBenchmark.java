package dev.homelab.events.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.Severity;
import dev.homelab.events.Timestamps;
import dev.homelab.events.index.Cursor;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.IndexPage;
import dev.homelab.events.index.IndexSnapshot;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventCodec;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.ReadResult;

/**
 * The shipped benchmark (docs/performance.md). Generates (once) a realistic store under /tmp, then measures
 * in process: cold scan, snapshot save and start from it, heap per event, chain and filtered-list latency,
 * durable store throughput with 1 and 8 writers; and against the packaged server (with {@code --server}):
 * start-up cold and from the snapshot, REST and MCP emit throughput, HTTP chain and list latency, and the
 * time until an event written by bash is served.
 *
 * <pre>
 * ./mvnw -B -Pbench package -DskipTests exec:exec -Dbench.args="--events 1000000 --server"
 * ./mvnw -B -Pbench package -DskipTests exec:exec -Dbench.args="--smoke --server"      (the CI size)
 * </pre>
 */
public final class IndexBenchmark {

    static final ObjectMapper MAPPER = new ObjectMapper();

    record Options(int events, long seed, Path dir, boolean server, boolean smoke, Path out, Duration emitFor,
            int iterations, String serverHeap, boolean generateOnly, boolean scanOnly, boolean viewsOnly, boolean writesOnly,
            int rounds, List<String> serverJvmArgs, Path serverJar, boolean consoleOnly, int consoleRuns,
            boolean startupOnly, boolean cold) {
    }

    private final Options o;
    private final Map<String, String> results = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    IndexBenchmark(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        int events = 100_000;
        long seed = 42;
        Path dir = null;
        boolean server = false;
        boolean smoke = false;
        Path out = null;
        String heap = "2g";
        boolean generateOnly = false;
        boolean scanOnly = false;
        boolean viewsOnly = false;
        boolean writesOnly = false;
        Integer rounds = null;
        Integer emitSeconds = null;
        List<String> serverJvmArgs = new ArrayList<>();
        Path serverJar = dev.homelab.events.it.PackagedServer.JAR;
        boolean consoleOnly = false;
        int consoleRuns = 10;
        boolean startupOnly = false;
        boolean cold = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i].replace("_", ""));
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--server" -> server = true;
                case "--smoke" -> smoke = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--server-heap" -> heap = args[++i];
                case "--generate-only" -> generateOnly = true;
                case "--scan-only" -> scanOnly = true;
                case "--views-only" -> viewsOnly = true;
                case "--writes-only" -> writesOnly = true;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--emit-seconds" -> emitSeconds = Integer.parseInt(args[++i]);
                case "--server-jvm-arg" -> serverJvmArgs.add(args[++i]);
                case "--server-jar" -> serverJar = Path.of(args[++i]);
                case "--console-only" -> consoleOnly = true;
                case "--console-runs" -> consoleRuns = Integer.parseInt(args[++i]);
                case "--startup-only" -> startupOnly = true;
                case "--cold" -> cold = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; allowed: --events N, --seed S, --dir PATH, --server, --smoke, --out FILE, --server-heap SIZE, "
                        + "--generate-only, --scan-only, --views-only, --writes-only, --rounds N, --emit-seconds S, "
                        + "--server-jvm-arg ARG, --server-jar PATH, --console-only, --console-runs N, --startup-only, --cold");
            }
        }
        if (smoke && events == 100_000) {
            events = 3_000;
        }
        // The smoke size gets a store of its own, so CI never shares one with a benchmark run left on the machine.
        boolean ownDir = dir == null && (smoke || writesOnly);
        if (ownDir) {
            dir = Files.createTempDirectory(writesOnly ? "homelab-bench-writes-" : "homelab-bench-smoke-");
        } else if (dir == null) {
            dir = Path.of(System.getProperty("java.io.tmpdir"), "homelab-bench-" + events + "-" + seed);
        }
        Options o = new Options(events, seed, dir, server, smoke, out,
                Duration.ofSeconds(emitSeconds != null ? emitSeconds : smoke ? 1 : 8), smoke ? 2_000 : 20_000, heap,
                generateOnly,
                scanOnly, viewsOnly, writesOnly, rounds != null ? rounds : smoke ? 1 : 3, List.copyOf(serverJvmArgs),
                serverJar, consoleOnly, smoke ? 2 : consoleRuns, startupOnly, cold);
        try {
            new IndexBenchmark(o).run();
            if (ownDir) {
                Files.deleteIfExists(serverLog(dir)); // kept when the run failed: it says why
            }
        } finally {
            if (ownDir) {
                deleteTree(dir);
                deleteTree(auditDir(dir));
            }
        }
    }

    void run() throws Exception {
        Path root = o.dir();
        Files.createDirectories(root);
        removeEmitted(root);
        if (o.consoleOnly()) {
            // only the console's pages in headless Chromium, through a packaged server (an earlier snapshot is used)
            StoreGenerator.Sample sample = StoreGenerator.generate(root, o.events(), o.seed());
            put("Machine load average at start (1/5/15 min; 2 cores shared with other work)", loadAverage());
            consoleOnly(root, sample);
            removeEmitted(root);
            put("Machine load average at the end", loadAverage());
            report();
            return;
        }
        if (o.writesOnly()) {
            // only the write faces and their references, on an empty store of their own
            put("Machine load average at start (1/5/15 min; 2 cores shared with other work)", loadAverage());
            writesOnly(root);
            put("Machine load average at the end", loadAverage());
            report();
            return;
        }
        if (o.viewsOnly()) {
            // only the derived agent views, through a packaged server (a snapshot left by an earlier run is used)
            StoreGenerator.generate(root, o.events(), o.seed());
            put("Machine load average at start (1/5/15 min; 2 cores shared with other work)", loadAverage());
            viewsOnly(root);
            removeEmitted(root);
            report();
            return;
        }
        deleteTree(root.resolve(".index"));
        log("store %s, %,d events, seed %d", root, o.events(), o.seed());

        long t0 = System.nanoTime();
        StoreGenerator.Sample sample = StoreGenerator.generate(root, o.events(), o.seed());
        log("generated (or reused) in %.1f s", secs(t0));
        if (o.generateOnly()) {
            return;
        }
        put("Machine load average at start (1/5/15 min; 2 cores shared with other work)", loadAverage());

        EventStore store = new EventStore(root, new EventCodec(MAPPER), 1 << 20);
        double reference = plainJdkBaseline(root);
        long before = usedHeapAfterGc();
        EventIndex index = new EventIndex();
        Reconciler reconciler = new Reconciler(store, index, Runtime.getRuntime().availableProcessors());
        t0 = System.nanoTime();
        reconciler.reconcile();
        double cold = secs(t0);
        check(index.size() == o.events(), "the scan indexed " + index.size() + " of " + o.events() + " events");
        if (o.scanOnly()) {
            log("cold scan %.1f s, %.2fx the plain read with as many threads", cold, cold / reference);
            return;
        }
        long after = usedHeapAfterGc();
        put("Cold start, in process (scan of every file, " + Runtime.getRuntime().availableProcessors() + " threads)",
                String.format("%.1f s (%,.0f files/s; %.2fx the plain read with as many threads)", cold, o.events() / cold,
                        cold / reference));
        put("Heap per indexed event", String.format("%.0f bytes (%.1f MB for %,d events)",
                (after - before) / (double) o.events(), (after - before) / 1e6, o.events()));

        Path snap = root.resolve(".index").resolve(IndexSnapshot.FILE_NAME);
        t0 = System.nanoTime();
        IndexSnapshot.save(snap, reconciler);
        put("Snapshot write", String.format("%.2f s, %.1f MB", secs(t0), Files.size(snap) / 1e6));
        t0 = System.nanoTime();
        Reconciler restarted = new Reconciler(store, new EventIndex(), Runtime.getRuntime().availableProcessors());
        IndexSnapshot.Loaded loaded = IndexSnapshot.load(snap, restarted);
        log("snapshot loaded in %.2f s", secs(t0));
        Reconciler.ReconcileReport check = restarted.reconcileChanged();
        double warm = secs(t0);
        check(loaded != null && restarted.index().size() == o.events(), "the snapshot restored every event");
        put("Start with snapshot, in process (load + validate " + loaded.directories() + " directories)",
                String.format("%.2f s (%d directories re-listed)", warm, check.directoriesListed()));
        restarted = null;

        if (o.startupOnly()) {
            index = null;
            reconciler = null;
            System.gc();
            startup(root, sample, reference);
            put("Machine load average at the end", loadAverage());
            report();
            return;
        }
        queries(store, index, sample);
        if (!o.server()) {
            storeThroughput(store); // with --server, side by side with the faces (WriteBenchmark)
        }
        index = null;
        reconciler = null;
        System.gc();

        removeEmitted(root); // the server starts on the store as generated
        if (o.server()) {
            server(root, sample);
        }
        removeEmitted(root);
        put("Machine load average at the end", loadAverage());
        report();
    }

    // ------------------------------------------------------------------ queries

    void queries(EventStore store, EventIndex index, StoreGenerator.Sample sample) {
        Random rnd = new Random(o.seed() + 1);
        List<String> cids = new ArrayList<>(sample.chainIds());
        List<String> lone = sample.loneIds();
        LongSupplier chainOnly = () -> {
            String cid = pickCid(rnd, cids, lone);
            long t = System.nanoTime();
            List<IndexEntry> chain = index.chain(cid);
            long d = System.nanoTime() - t;
            check(!chain.isEmpty(), "chain " + cid + " exists");
            return d;
        };
        LongSupplier chainWithFiles = () -> {
            String cid = pickCid(rnd, cids, lone);
            long t = System.nanoTime();
            for (IndexEntry e : index.chain(cid)) {
                check(store.read(Path.of(e.relativePath())) instanceof ReadResult.Ok, "event file readable");
            }
            return System.nanoTime() - t;
        };
        put("Chain lookup, index only (p50 / p99)", percentiles(measure(chainOnly)));
        put("Chain lookup incl. reading the event files (p50 / p99)", percentiles(measure(chainWithFiles)));

        LongSupplier listOnly = () -> {
            EventQuery q = randomQuery(rnd, index, cids, null);
            long t = System.nanoTime();
            index.query(q);
            return System.nanoTime() - t;
        };
        LongSupplier listWithFiles = () -> {
            EventQuery q = randomQuery(rnd, index, cids, null);
            long t = System.nanoTime();
            for (IndexEntry e : index.query(q).entries()) {
                store.read(Path.of(e.relativePath()));
            }
            return System.nanoTime() - t;
        };
        put("Filtered list (limit 50, exact total), index only (p50 / p99)", percentiles(measure(listOnly)));
        put("Filtered list incl. reading the page's files (p50 / p99)", percentiles(measure(listWithFiles)));
    }

    private static String pickCid(Random rnd, List<String> cids, List<String> lone) {
        return rnd.nextInt(5) == 0 && !lone.isEmpty() ? lone.get(rnd.nextInt(lone.size())) : cids.get(rnd.nextInt(cids.size()));
    }

    /** A mix of the listings agents and operators run, over the generated 90 days. */
    static EventQuery randomQuery(Random rnd, EventIndex index, List<String> cids, Cursor after) {
        Instant end = StoreGenerator.END;
        String node = StoreGenerator.NODES[rnd.nextInt(StoreGenerator.NODES.length)];
        String service = StoreGenerator.SERVICES[rnd.nextInt(StoreGenerator.SERVICES.length)];
        String type = dev.homelab.events.EventTypes.NORMALIZED.get(rnd.nextInt(10));
        String source = StoreGenerator.SOURCES[rnd.nextInt(StoreGenerator.SOURCES.length)];
        EventQuery q = switch (rnd.nextInt(8)) {
            case 0 -> new EventQuery(null, null, Set.of(), Set.of(), null, null, null, null, true, null, 50);
            case 1 -> new EventQuery(null, null, Set.of(), Set.of(), null, service, null, null, true, null, 50);
            case 2 -> new EventQuery(end.minus(Duration.ofDays(7)), null, Set.of(node), Set.of(), Severity.ERROR, null, null,
                    null, true, null, 50);
            case 3 -> new EventQuery(end.minus(Duration.ofDays(1)), null, Set.of(), Set.of("deployment_failed",
                    "service_unhealthy"), null, null, null, null, true, null, 50);
            case 4 -> new EventQuery(null, null, Set.of(node), Set.of(type), null, service, null, null, true, null, 50);
            case 5 -> new EventQuery(null, null, Set.of(), Set.of(), null, null, null, cids.get(rnd.nextInt(cids.size())),
                    false, null, 50);
            case 6 -> new EventQuery(end.minus(Duration.ofDays(30)), end.minus(Duration.ofDays(20)), Set.of(), Set.of(),
                    Severity.WARNING, null, source, null, false, null, 50);
            default -> new EventQuery(end.minus(Duration.ofDays(90)), null, new java.util.LinkedHashSet<>(List.of(node, "nas")),
                    Set.of(), Severity.CRITICAL,
                    null, null, null, true, null, 50);
        };
        if (after == null && rnd.nextInt(4) == 0) {
            // a second page: the cursor after the first
            IndexPage first = index.query(q);
            if (first.hasMore()) {
                IndexEntry last = first.entries().get(first.entries().size() - 1);
                q = new EventQuery(q.since(), q.until(), q.nodes(), q.types(), q.minSeverity(), q.service(), q.source(),
                        q.correlationId(), q.newestFirst(), Cursor.of(last), q.limit());
            }
        }
        return q;
    }

    long[] measure(LongSupplier op) {
        for (int i = 0; i < o.iterations() / 5; i++) {
            op.getAsLong(); // warm-up: JIT and page cache
        }
        long[] nanos = new long[o.iterations()];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = op.getAsLong();
        }
        return nanos;
    }

    static String percentiles(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format("%.3f ms / %.3f ms", s[s.length / 2] / 1e6,
                s[(int) Math.min(s.length - 1, s.length * 0.99)] / 1e6);
    }

    // ------------------------------------------------------------------ durable writes

    void storeThroughput(EventStore store) throws Exception {
        for (int writers : new int[]{ 1, 8 }) {
            double rate = throughput(writers, () -> store.append(benchEvent("bench-store")));
            put("Durable emit through the store, " + writers + " writer" + (writers > 1 ? "s" : ""),
                    String.format("%,.0f events/s", rate));
        }
    }

    interface Emit {
        void run() throws Exception;
    }

    double throughput(int writers, Emit emit) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<Future<?>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            fs.add(pool.submit(() -> {
                while (!stop.get()) {
                    emit.run();
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        // a warm-up (JIT, first directory of the day) that is not counted
        Thread.sleep(o.smoke() ? 300 : 2000);
        long warm = done.get();
        long t1 = System.nanoTime();
        Thread.sleep(o.emitFor().toMillis());
        long counted = done.get() - warm;
        double secs = secs(t1);
        stop.set(true);
        for (Future<?> f : fs) {
            f.get();
        }
        check(secs(t0) > 0, "time moves");
        pool.shutdown();
        return counted / secs;
    }

    static Event benchEvent(String node) {
        ObjectNode payload = MAPPER.createObjectNode();
        payload.put("message", "x".repeat(200));
        return new Event(UUID.randomUUID(), Timestamps.now(), node, "healthcheck_failed", Severity.WARNING, "bench",
                "bench-svc", "bench-" + UUID.randomUUID(), payload, Map.of());
    }

    // ------------------------------------------------------------------ server

    void server(Path root, StoreGenerator.Sample sample) throws Exception {
        Path jar = o.serverJar();
        check(Files.exists(jar), jar + " exists (run ./mvnw package first)");
        deleteTree(root.resolve(".index"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int port = freePort();
        String base = "http://127.0.0.1:" + port;

        Process p = startServer(jar, root, port);
        double cold = awaitReady(http, base, p);
        put("Server start, no snapshot (JVM start to readiness UP, -Xmx" + o.serverHeap() + ")", String.format("%.1f s", cold));
        try {
            bashVisibility(http, base, root);
            writes(root, port, p);
            views(http, base);
            console(base, sample);
            Random rnd = new Random(o.seed() + 2);
            try (HttpReads reads = new HttpReads(port)) {
                put("Chain over HTTP, GET /api/chains/{id} (p50 / p99)", measureHttp(reads,
                        () -> "/api/chains/" + pickCid(rnd, sample.chainIds(), sample.loneIds())).describe());
                put("Filtered list over HTTP, GET /api/events (limit 50) (p50 / p99)",
                        measureHttp(reads, () -> "/api/events?" + randomListQuery(rnd)).describe());
            }
        } finally {
            stopServer(p); // SIGTERM: the snapshot is written at shutdown
        }
        check(Files.exists(root.resolve(".index").resolve(IndexSnapshot.FILE_NAME)),
                "the server wrote its snapshot at shutdown");
        p = startServer(jar, root, port);
        try {
            double warm = awaitReady(http, base, p);
            String mode = readiness(http, base).path("index_start").asText();
            check(mode.equals("snapshot"), "the restart used the snapshot (was " + mode + ")");
            put("Server start with snapshot (JVM start to readiness UP)", String.format("%.1f s", warm));
        } finally {
            stopServer(p);
        }
    }

    /**
     * {@code --startup-only}: the packaged server's first start without a snapshot and its restart from one, beside
     * the plain read with as many threads measured in this run; chain and list latency over HTTP with the page
     * cache warm and, with {@code --cold}, after evicting the store's files from it ({@link ColdCache}).
     */
    void startup(Path root, StoreGenerator.Sample sample, double reference) throws Exception {
        Path jar = o.serverJar();
        check(Files.exists(jar), jar + " exists (run ./mvnw package first)");
        deleteTree(root.resolve(".index"));
        // a store the audit trail never saw, as on a first start: its seal records and key go too
        deleteTree(root.resolve(".audit"));
        deleteTree(auditDir(root));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        Process p = startServer(jar, root, port);
        double first = awaitReady(http, base, p);
        put("Server first start, no snapshot (JVM start to readiness UP, -Xmx" + o.serverHeap() + ")",
                String.format("%.1f s (%.2fx the plain read with as many threads; index built in %s ms)", first,
                        first / reference, readiness(http, base).path("index_build_ms").asText()));
        try {
            // the audit trail seals every file after the index is built: the latencies below are measured after it
            long sealStart = System.nanoTime();
            long sealed = awaitSealed(http, base, o.events());
            put("Audit trail: every file sealed after readiness (first start; the seals' SHA-256 of each file)",
                    String.format("%.1f s later (%,d files sealed)", secs(sealStart), sealed));
            openIncidents(http, base, "after the first start");
            Random rnd = new Random(o.seed() + 2);
            try (HttpReads reads = new HttpReads(port)) {
                put("Chain over HTTP, GET /api/chains/{id}, page cache warm (p50 / p99)", measureHttp(reads,
                        () -> "/api/chains/" + pickCid(rnd, sample.chainIds(), sample.loneIds())).describe());
                put("Filtered list over HTTP, GET /api/events (limit 50), page cache warm (p50 / p99)",
                        measureHttp(reads, () -> "/api/events?" + randomListQuery(rnd)).describe());
                int n = o.smoke() ? 50 : 300;
                Random pages = new Random(o.seed() + 3);
                put("First page of a filtered list, every page a different one, page cache warm (p50 / p99, " + n
                        + " pages)", reads.measure(0, n, () -> "/api/events?" + ColdCache.distinctPageQuery(pages)).describe());
                if (o.cold()) {
                    // each cold measure right after its own eviction: the pages do not find the chains' files cached
                    Random coldRnd = new Random(o.seed() + 4);
                    evict(root);
                    put("Chain over HTTP, page cache cold (p50 / p99, " + n + " chains)", reads.measure(0, n,
                            () -> "/api/chains/" + pickCid(coldRnd, sample.chainIds(), sample.loneIds())).describe());
                    evict(root);
                    put("First page of a filtered list over HTTP, page cache cold (p50 / p99, " + n + " pages)",
                            reads.measure(0, n, () -> "/api/events?" + ColdCache.distinctPageQuery(coldRnd)).describe());
                }
            }
        } finally {
            stopServer(p); // SIGTERM: the snapshot is written at shutdown
        }
        check(Files.exists(root.resolve(".index").resolve(IndexSnapshot.FILE_NAME)),
                "the server wrote its snapshot at shutdown");
        // with a class-data archive beside the jar (./mvnw package writes one), restarts alternate with and without
        // it, so the lever is measured under the same load
        boolean archived = Files.exists(appCdsArchive(jar));
        for (int round = 1; round <= (archived ? 4 : 2); round++) {
            boolean withArchive = archived && round % 2 == 1;
            p = startServer(jar, root, port, withArchive);
            try {
                double warm = awaitReady(http, base, p);
                JsonNode data = readiness(http, base);
                check(data.path("index_start").asText().equals("snapshot"), "the restart used the snapshot (was "
                        + data.path("index_start").asText() + ")");
                put("Server restart with snapshot, run " + round + (withArchive ? ", with app-cds.jsa" : "")
                        + " (JVM start to readiness UP)",
                        String.format("%.1f s (index from the snapshot in %s ms)", warm, data.path("index_build_ms").asText()));
                if (round == 1) {
                    openIncidents(http, base, "right at readiness after a restart");
                }
            } finally {
                stopServer(p);
            }
        }
    }

    /**
     * {@code list_open_incidents} at its default window through the function-calling face: the first call (made
     * when {@code when} says), then 100 more after 20 of warm-up.
     */
    private void openIncidents(HttpClient http, String base, String when) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/tools/list_open_incidents"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        int n = o.smoke() ? 10 : 100;
        long[] nanos = new long[n];
        String last = null;
        for (int i = -1 - n / 5; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            long d = System.nanoTime() - t;
            check(r.statusCode() == 200, "list_open_incidents answered " + r.statusCode() + " " + r.body());
            if (i == -1 - n / 5) {
                put("list_open_incidents, default window, first call " + when, String.format("%.1f ms", d / 1e6));
            } else if (i >= 0) {
                nanos[i] = d;
            }
            last = r.body();
        }
        put("list_open_incidents, default window (30 days), limit 20, over HTTP " + when + " (p50 / p99, " + n
                + " calls, total " + MAPPER.readTree(last).path("total").asLong() + " open)", percentiles(nanos));
    }

    /** Waits until the server's audit trail has sealed {@code files} files and its queue is empty; returns how many. */
    private static long awaitSealed(HttpClient http, String base, long files) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        long sealed = 0;
        while (System.nanoTime() < deadline) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            sealed = (long) metric(metrics, "homelab_audit_sealed_total");
            if (sealed >= files && metric(metrics, "homelab_audit_seal_queue") == 0) {
                return sealed;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the audit trail sealed " + sealed + " of " + files + " files in 20 minutes");
    }

    /** The value of a Prometheus sample without labels (0 when absent). */
    private static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static JsonNode readiness(HttpClient http, String base) throws Exception {
        JsonNode health = MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode check : health.path("checks")) {
            if (check.path("data").has("index_start")) {
                return check.path("data");
            }
        }
        return MAPPER.createObjectNode();
    }

    /** --views-only: the packaged server on the store, and only the derived agent views measured. */
    void viewsOnly(Path root) throws Exception {
        Path jar = o.serverJar();
        check(Files.exists(jar), jar + " exists (run ./mvnw package first)");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        Process p = startServer(jar, root, port);
        try {
            put("Server start for the view measures (JVM start to readiness UP)",
                    String.format("%.1f s", awaitReady(http, base, p)));
            views(http, base);
        } finally {
            stopServer(p);
        }
    }

    void consoleOnly(Path root, StoreGenerator.Sample sample) throws Exception {
        Path jar = o.serverJar();
        check(Files.exists(jar), jar + " exists (run ./mvnw package first)");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        Process p = startServer(jar, root, port);
        try {
            put("Server start for the console measures (JVM start to readiness UP, -Xmx" + o.serverHeap() + ")",
                    String.format("%.1f s", awaitReady(http, base, p)));
            console(base, sample);
        } finally {
            stopServer(p);
        }
    }

    /** The console's pages in headless Chromium (ConsoleRenderBenchmark). */
    void console(String base, StoreGenerator.Sample sample) throws Exception {
        new ConsoleRenderBenchmark(base, o.consoleRuns(), o.smoke() ? 1 : 2, this::put).run(sample, o.seed());
    }

    /**
     * The derived agent views through the function-calling face, POST /api/tools/{name}: what an agent waits
     * for. list_open_incidents with its default 30-day window and over all time (exact total, every chain).
     */
    void views(HttpClient http, String base) throws Exception {
        Random rnd = new Random(o.seed() + 3);
        String[][] calls = {
                { "list_open_incidents", "list_open_incidents, default window (30 days), limit 20", "{}", "100" },
                // reads the remediation files of every old chain: fewer calls
                { "list_open_incidents", "list_open_incidents, all time (since 1970), limit 20",
                        "{\"since\":\"1970-01-01T00:00:00Z\"}", "20" },
                { "get_service_status", "get_service_status, every service", "{}", "100" },
                { "get_service_status", "get_service_status, one service", null, "100" },
                { "get_node_status", "get_node_status, every node", "{}", "100" },
        };
        for (String[] c : calls) {
            int n = o.smoke() ? 10 : Integer.parseInt(c[3]);
            long[] nanos = new long[n];
            String last = null;
            for (int i = -n / 5; i < n; i++) {
                String body = c[2] != null
                        ? c[2]
                        : "{\"service\":\"" + StoreGenerator.SERVICES[rnd.nextInt(StoreGenerator.SERVICES.length)] + "\"}";
                HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/tools/" + c[0]))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
                long t = System.nanoTime();
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                long d = System.nanoTime() - t;
                check(r.statusCode() == 200, c[0] + " answered " + r.statusCode() + " " + r.body());
                if (i >= 0) {
                    nanos[i] = d;
                }
                last = r.body();
            }
            String detail = "";
            if (c[0].equals("list_open_incidents")) {
                detail = ", total " + MAPPER.readTree(last).path("total").asLong() + " open";
            }
            put(c[1] + " over HTTP (p50 / p99, " + n + " calls" + detail + ")", percentiles(nanos));
        }
    }

    /** Chain or list latency over HTTP: a fifth as many requests of warm-up, then as many as the in-process measures' tenth. */
    private HttpReads.Phase measureHttp(HttpReads reads, java.util.function.Supplier<String> path) throws Exception {
        int n = Math.max(200, o.iterations() / 10);
        return reads.measure(n / 5, n, path);
    }

    private static void evict(Path root) throws Exception {
        long t0 = System.nanoTime();
        int evicted = ColdCache.evict(root);
        log("evicted %,d files from the page cache in %.1f s", evicted, secs(t0));
    }

    private static String randomListQuery(Random rnd) {
        String node = StoreGenerator.NODES[rnd.nextInt(StoreGenerator.NODES.length)];
        String service = StoreGenerator.SERVICES[rnd.nextInt(StoreGenerator.SERVICES.length)];
        return switch (rnd.nextInt(5)) {
            case 0 -> "limit=50";
            case 1 -> "service=" + service + "&limit=50";
            case 2 -> "node=" + node + "&min_severity=error&since=2026-11-19T00:00:00Z&limit=50";
            case 3 -> "type=deployment_failed,service_unhealthy&since=2026-11-25T00:00:00Z&limit=50";
            default -> "node=" + node + "&service=" + service + "&order=oldest&limit=50";
        };
    }

    static String restBody() {
        return "{\"type\":\"healthcheck_failed\",\"severity\":\"warning\",\"source\":\"bench\",\"service\":\"bench-svc\","
                + "\"payload\":{\"message\":\"" + "x".repeat(200) + "\"}}";
    }

    /**
     * The write faces side by side with the plain JDK durable append and the store's own append, in this run
     * ({@link WriteBenchmark}); the rows go into the main table, the whole comparison into a note.
     */
    void writes(Path root, int port, Process server) throws Exception {
        WriteBenchmark w = new WriteBenchmark(root.resolveSibling(root.getFileName() + "-writes-ref"), "127.0.0.1", port,
                server.pid(), Duration.ofMillis(o.smoke() ? 300 : 2000), o.emitFor(), o.rounds());
        try {
            String table = w.run();
            log("write rounds:%n%s", w.rounds());
            String[][] rows = { { "Plain JDK durable append (reference)", "Reference: plain JDK durable append" },
                    { "Store's own durable append (EventStore.append)", "Durable emit through the store" },
                    { "REST POST /api/events", "Durable emit through REST" },
                    { "MCP tools/call emit_event", "Durable emit through MCP" } };
            for (String[] r : rows) {
                for (int writers : new int[]{ 1, 8 }) {
                    WriteBenchmark.Cell c = w.median(r[0], writers);
                    double store = w.median(rows[1][0], writers).rate();
                    put(r[1] + ", " + writers + " writer" + (writers > 1 ? "s" : ""),
                            String.format("%,.0f events/s, %.2fx the store's own (%.0f µs CPU per event)", c.rate(),
                                    c.rate() / store, c.cpuMicrosPerEvent()));
                }
            }
            notes.add("Write faces side by side (same run):\n\n" + table);
        } finally {
            w.cleanUp();
        }
        indexAdds();
    }

    /**
     * The index's own share of a write as the day fills: CPU of the calling thread for one more event (the last
     * 5,000 added before each size; a little out of order, as concurrent writers deliver), in this JVM after one
     * uncounted pass. It must not grow with the day (docs/performance.md, "the day no longer copied").
     */
    void indexAdds() {
        int[] sizes = o.smoke() ? new int[]{ 10_000, 20_000 } : new int[]{ 10_000, 125_000, 250_000 };
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        String[] nodes = { "pi4", "nas", "nuc-1", "gpu" };
        for (int pass = 0; pass < 2; pass++) {
            Random rnd = new Random(42);
            EventIndex index = new EventIndex();
            long now = Timestamps.toMicros(Instant.parse("2026-11-30T00:00:00Z"));
            int n = 0;
            for (int size : sizes) {
                long start = 0;
                for (; n < size; n++) {
                    now += 300;
                    long ts = rnd.nextInt(3) == 0 ? now - rnd.nextInt(2_000) : now;
                    UUID id = new UUID(rnd.nextLong(), rnd.nextLong());
                    if (n == size - 5_000) {
                        start = cpu.getCurrentThreadCpuTime();
                    }
                    index.add(new IndexEntry(id, ts, nodes[rnd.nextInt(nodes.length)], "healthcheck_failed", Severity.WARNING,
                            "bench", "svc-" + rnd.nextInt(8), id.toString(), null));
                }
                if (pass == 1) {
                    put(String.format("Index: one more event in a day of %,d events (in process)", size),
                            String.format("%.1f µs CPU", (cpu.getCurrentThreadCpuTime() - start) / 1000.0 / 5_000));
                }
            }
        }
    }

    /** {@code --writes-only}: the packaged server on an empty store, and the write faces side by side. */
    void writesOnly(Path root) throws Exception {
        Path jar = o.serverJar();
        check(Files.exists(jar), jar + " exists (run ./mvnw package first)");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int port = freePort();
        Process p = startServer(jar, root, port);
        try {
            put("Server start on an empty store (JVM start to readiness UP)",
                    String.format("%.1f s", awaitReady(http, "http://127.0.0.1:" + port, p)));
            writes(root, port, p);
        } finally {
            stopServer(p);
        }
    }

    /** Time from a bash writer's exit until the server serves the event (watcher path), over several samples. */
    void bashVisibility(HttpClient http, String base, Path root) throws Exception {
        Path lib = Path.of("tools", "scripts", "lib", "events.sh");
        boolean useLib = Files.exists(lib);
        String script = useLib
                ? "source " + lib.toAbsolutePath() + " && emit_event node_online info bench.sh bench-svc '' '{\"n\":1}'"
                : String.join("\n",
                        "set -e",
                        "d=\"$HOMELAB_EVENTS_DIR/$(date -u +%F)/$HOMELAB_NODE\"; mkdir -p \"$d\"",
                        "ts=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ); fn=$(date -u -d \"${ts%Z}Z\" +%Y%m%dT%H%M%S).${ts:20:6}Z",
                        "id=$(cat /proc/sys/kernel/random/uuid)",
                        "tmp=\"$d/.$id.tmp\"; f=\"$d/${fn}_node_online_$id.json\"",
                        "printf '{\"timestamp\":\"%s\",\"node\":\"%s\",\"type\":\"node_online\",\"severity\":\"info\",\"source\":\"bench.sh\",\"service\":\"bench-svc\",\"correlation_id\":\"%s\",\"payload\":{\"n\":1}}\\n' \"$ts\" \"$HOMELAB_NODE\" \"$id\" > \"$tmp\"",
                        "ln \"$tmp\" \"$f\"; rm \"$tmp\"; echo \"$id\"");
        int samples = o.smoke() ? 3 : 20;
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
            pb.environment().put("HOMELAB_EVENTS_DIR", root.toAbsolutePath().toString()); // the server runs elsewhere
            pb.environment().put("HOMELAB_NODE", "bench-bash");
            pb.environment().remove("HOMELAB_EVENTS_URL");
            Process p = pb.start();
            String id = new String(p.getInputStream().readAllBytes()).trim();
            String err = new String(p.getErrorStream().readAllBytes());
            check(p.waitFor() == 0 && id.length() == 36, "bash wrote an event: " + id + " " + err);
            long t = System.nanoTime();
            long deadline = t + Duration.ofSeconds(30).toNanos();
            while (http.send(HttpRequest.newBuilder(URI.create(base + "/api/events/" + id)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                check(System.nanoTime() < deadline, "the bash-written event " + id + " became visible within 30 s");
                Thread.sleep(2);
            }
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        log("bash visibility samples (ms, sorted): %s",
                Arrays.toString(Arrays.stream(nanos).map(x -> x / 1_000_000).toArray()));
        put("Bash-written event visible over REST (" + (useLib ? "tools/scripts/lib/events.sh" : "plain bash with ln")
                + "; median / max of " + samples + ")",
                String.format("%.0f ms / %.0f ms", nanos[samples / 2] / 1e6,
                        nanos[samples - 1] / 1e6));
    }

    private Process startServer(Path jar, Path root, int port) throws IOException {
        return startServer(jar, root, port, Files.exists(appCdsArchive(jar)));
    }

    /** The class-data archive the build writes beside the jar (application.properties, docs/performance.md). */
    private static Path appCdsArchive(Path jar) {
        return jar.toAbsolutePath().resolveSibling("app-cds.jsa");
    }

    /**
     * Launches the jar as docker/entrypoint.sh and the systemd unit do: from its own directory (the archive names
     * the jar by a relative path), with {@code -XX:SharedArchiveFile=app-cds.jsa} when {@code withArchive}.
     */
    private Process startServer(Path jar, Path root, int port, boolean withArchive) throws IOException {
        Path app = jar.toAbsolutePath();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + o.serverHeap()));
        if (withArchive) {
            command.add("-XX:SharedArchiveFile=" + appCdsArchive(app).getFileName());
        }
        command.addAll(o.serverJvmArgs()); // e.g. -XX:StartFlightRecording=filename=/tmp/server.jfr,settings=profile
        command.addAll(List.of("-jar", app.toString()));
        Path serverLog = serverLog(root);
        log("server log: %s", serverLog);
        ProcessBuilder pb = new ProcessBuilder(command).directory(app.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(serverLog.toFile()));
        pb.environment().put("HOMELAB_EVENTS_DIR", root.toAbsolutePath().toString()); // the server runs elsewhere
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().put("HOMELAB_NODE", "bench-server");
        pb.environment().put("HOMELAB_AUDIT_KEY_FILE",
                auditDir(root).resolve("audit-ed25519.key").toAbsolutePath().toString());
        pb.environment().put("HOMELAB_INDEX_SNAPSHOT_MIN_EVENTS", "0"); // the smoke size exercises the snapshot too
        // The generated store spans 90 days ending before today: retention would archive its oldest days and
        // the next run would measure a smaller store.
        pb.environment().put("HOMELAB_ARCHIVE_ENABLED", "false");
        return pb.start();
    }

    private static double awaitReady(HttpClient http, String base, Process p) throws Exception {
        long t0 = System.nanoTime();
        // a first scan of 1M files on two cores shared with other builds has taken over 5 minutes
        long deadline = t0 + Duration.ofMinutes(15).toNanos();
        while (System.nanoTime() < deadline) {
            check(p.isAlive(), "server running (its log is named above, \"server log: ...\")");
            try {
                if (http.send(
                        HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    // the JVM was started just before t0 by startServer
                    return secs(t0);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("server not ready within 15 minutes");
    }

    private static void stopServer(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Removes what the benchmark emitted (dates from the generator's end on), so the store stays as generated. */
    static void removeEmitted(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        String end = Timestamps.DATE.format(StoreGenerator.END);
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.toList()) {
                String name = d.getFileName().toString();
                if (name.matches("\\d{4}-\\d{2}-\\d{2}") && name.compareTo(end) >= 0) {
                    deleteTree(d);
                }
            }
        }
    }

    /** Beside the store, not one shared file: two benchmark runs on the machine would interleave their servers' logs. */
    static Path serverLog(Path store) {
        return store.toAbsolutePath().resolveSibling(store.getFileName() + "-server.log");
    }

    /**
     * Where the server's audit key and its anchor file go: beside the store (never inside it) and apart from the
     * user's ~/.config, in a directory of their own, so a run on a temporary store leaves nothing behind.
     */
    static Path auditDir(Path store) {
        return store.resolveSibling(store.getFileName() + "-audit");
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    /**
     * The reference point, measured here and now: read every file with plain JDK code and find its
     * correlation id by string search (no JSON parser, no validation), on one thread and on every core.
     */
    double plainJdkBaseline(Path root) throws Exception {
        double allCores = 0;
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root, 3)) {
            // event files only: not the hidden .audit or .index trees (.audit/<date>/<node>.seals is as deep)
            s.filter(p -> p.getNameCount() - root.getNameCount() == 3 && !p.getFileName().toString().startsWith(".")
                    && !root.relativize(p).getName(0).toString().startsWith("."))
                    .forEach(files::add);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        // a first pass, not counted: the scans measured after this one find the files in the page cache and their
        // names in the kernel's caches, so the reference must too (a measured first pass took 10.7 s where the scan
        // after it took 8.8 s; at 1M the store had partly left the cache between runs)
        readEveryFile(files, cores);
        // --startup-only compares with as many threads as the scan has, and saves the single-thread pass
        for (int threads : o.startupOnly() ? new int[]{ cores } : new int[]{ 1, cores }) {
            long t0 = System.nanoTime();
            readEveryFile(files, threads);
            double secs = secs(t0);
            put("Reference: plain JDK read + string search of every file, " + threads + " thread" + (threads > 1 ? "s" : ""),
                    String.format("%.1f s (%,.0f files/s)", secs, files.size() / secs));
            allCores = secs;
        }
        return allCores;
    }

    /** Reads every file with plain JDK code on {@code threads} threads and finds its correlation id by string search. */
    private static void readEveryFile(List<Path> files, int threads) throws Exception {
        AtomicLong found = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> fs = new ArrayList<>();
        int chunk = (files.size() + threads - 1) / threads;
        for (int t = 0; t < threads; t++) {
            List<Path> part = files.subList(Math.min(files.size(), t * chunk), Math.min(files.size(), (t + 1) * chunk));
            fs.add(pool.submit(() -> {
                for (Path f : part) {
                    String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
                    if (text.indexOf("\"correlation_id\":\"") >= 0) {
                        found.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        check(found.get() == files.size(), "every file has a correlation id");
    }

    /** The 1, 5 and 15 minute load averages, to print beside every figure (the machine is shared). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + what);
        }
    }

    void put(String name, String value) {
        results.put(name, value);
        log("%s: %s", name, value);
    }

    static void log(String fmt, Object... args) {
        System.out.printf("[bench] " + fmt + "%n", args);
    }

    void report() throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("| Measure (").append(o.writesOnly() ? "write faces, empty store" : String.format("%,d events", o.events()))
                .append(") | Result |\n|---|---|\n");
        results.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        notes.forEach(n -> b.append("\n").append(n).append('\n'));
        System.out.println();
        System.out.println(b);
        if (o.out() != null) {
            Files.writeString(o.out(), b.toString());
        }
    }
}
