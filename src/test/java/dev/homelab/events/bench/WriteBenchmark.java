package dev.homelab.events.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.homelab.events.storage.EventCodec;
import dev.homelab.events.storage.EventStore;

/**
 * The write faces side by side with their references, in one run on one machine (issue 19): a plain JDK
 * durable append (temp file, fsync, rename, directory fsync; no HTTP, no group commit), the store's own
 * durable append ({@link EventStore#append}, group commit), {@code POST /api/events} and MCP
 * {@code tools/call emit_event} against a running server, each with 1 and 8 writers. Each writer keeps one
 * request in flight on its own keep-alive connection ({@link KeepAliveHttp}).
 *
 * <p>
 * On a shared machine figures drift by the minute, so the faces run in rounds, in an order that rotates each
 * round, and every cell is the median of its rounds; next to the rate the table gives the CPU the writing
 * process spent per event (the server's for the faces, this JVM's for the references), which the other
 * builds on the machine disturb much less than the rate.
 */
final class WriteBenchmark {

    /**
     * One writing face: a name, how each writer thread writes one event, and where its group-commit counts are read
     * (null for the plain append, which forces the directory once per event by construction).
     */
    private record Face(String name, boolean inServer, WriterFactory writers, GroupCommitCounts counts) {
    }

    /** Links made and directory fsyncs done so far by the writing process: {@code {links, fsyncs}}, or null if unknown. */
    private interface GroupCommitCounts {
        long[] read() throws IOException, InterruptedException;
    }

    /** Makes the per-thread writer of a face (each HTTP writer has its own connection). */
    private interface WriterFactory {
        Writer open() throws IOException;
    }

    private interface Writer extends AutoCloseable {
        void write() throws Exception;

        @Override
        default void close() {
        }
    }

    /**
     * Rate (events/s), CPU microseconds per event of the process that did the writing, and events per directory
     * fsync (the mean batch of the group commit; NaN where not counted).
     */
    record Cell(double rate, double cpuMicrosPerEvent, double eventsPerFsync) {
    }

    private static final int[] WRITERS = { 1, 8 };

    private final Path refRoot;
    private final String host;
    private final int port;
    private final long serverPid;
    private final Duration warmUp;
    private final Duration measure;
    private final int rounds;
    private final EventStore store;
    private final byte[] eventBytes;
    private final Map<String, Map<Integer, List<Cell>>> cells = new LinkedHashMap<>();
    private final HttpClient metricsClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String loadAtStart = "unknown";
    private String loadAtEnd = "unknown";

    /**
     * @param refRoot where the two references write (a directory next to the server's store, on the same file
     *                system); removed by {@link #cleanUp}
     */
    WriteBenchmark(Path refRoot, String host, int port, long serverPid, Duration warmUp, Duration measure, int rounds) {
        this.refRoot = refRoot;
        this.host = host;
        this.port = port;
        this.serverPid = serverPid;
        this.warmUp = warmUp;
        this.measure = measure;
        this.rounds = rounds;
        this.store = new EventStore(refRoot.resolve("store"), new EventCodec(IndexBenchmark.MAPPER), 1 << 20);
        this.eventBytes = store.codec().toBytes(IndexBenchmark.benchEvent("bench-ref"));
    }

    /** Runs every face with 1 and 8 writers, {@code rounds} times; returns the Markdown table. */
    String run() throws Exception {
        Files.createDirectories(refRoot.resolve("plain"));
        Files.createDirectories(store.root());
        String session = mcpSession();
        GroupCommitCounts storeCounts = () -> {
            EventStore.GroupCommitStats g = store.groupCommitStats();
            return new long[]{ g.links(), g.directorySyncs() };
        };
        List<Face> faces = List.of(
                new Face("Plain JDK durable append (reference)", false, () -> this::plainAppend, null),
                new Face("Store's own durable append (EventStore.append)", false,
                        () -> () -> store.append(IndexBenchmark.benchEvent("bench-store")), storeCounts),
                new Face("REST POST /api/events", true, this::restWriter, this::serverCounts),
                new Face("MCP tools/call emit_event", true, () -> mcpWriter(session), this::serverCounts));
        loadAtStart = IndexBenchmark.loadAverage();
        // the server's JIT: a fresh server compiles for tens of seconds, which would count against whichever face
        // runs first; the references are warmed by their own warm-up. 2 s per face was too short: the server's C2
        // compiler threads still took 0.3-0.4 ms of CPU per event 15-45 s into a one-writer load (docs/performance.md,
        // part 7; after 20 s of eight writers still 0.26 ms, after 90 s of one writer 0.002 ms), so each face first
        // gets fifteen warm-ups (30 s) with eight writers
        for (Face face : faces.subList(2, faces.size())) {
            Cell c = measure(face, 8, warmUp.multipliedBy(15), measure);
            IndexBenchmark.log("warm-up of the server, %s: %,.0f events/s (not counted)", face.name(), c.rate());
        }
        for (int round = 0; round < rounds; round++) {
            for (int writers : WRITERS) {
                for (int f = 0; f < faces.size(); f++) {
                    Face face = faces.get((f + round) % faces.size()); // rotate: no face always runs first
                    Cell c = measure(face, writers);
                    IndexBenchmark.log("round %d, %s, %d writer(s): %,.0f events/s, %.0f µs CPU per event", round + 1,
                            face.name(), writers, c.rate(), c.cpuMicrosPerEvent());
                    cells.computeIfAbsent(face.name(), k -> new LinkedHashMap<>())
                            .computeIfAbsent(writers, k -> new ArrayList<>()).add(c);
                }
            }
        }
        loadAtEnd = IndexBenchmark.loadAverage();
        return table(faces);
    }

    /** The median cell of a face with a number of writers (rate and CPU each; the mean of the middle two when even). */
    Cell median(String face, int writers) {
        List<Cell> list = cells.get(face).get(writers);
        return new Cell(median(list.stream().mapToDouble(Cell::rate).toArray()),
                median(list.stream().mapToDouble(Cell::cpuMicrosPerEvent).toArray()),
                median(list.stream().mapToDouble(Cell::eventsPerFsync).toArray()));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /**
     * One table: per face and number of writers the rate, its ratio to the store's own append with as many writers
     * (the target of issue 19: at least 0.8x with one writer, 1.0x with eight), the CPU per event and the events per
     * directory fsync; the load average of the machine at the start and the end of the write phases under it.
     */
    private String table(List<Face> faces) {
        String store = faces.get(1).name();
        StringBuilder b = new StringBuilder();
        b.append(
                "| Face | writers | events/s | / store's own | CPU µs per event (writing process) | events per directory fsync |\n"
                        + "|---|---|---|---|---|---|\n");
        for (int w : WRITERS) {
            for (Face f : faces) {
                Cell c = median(f.name(), w);
                b.append(String.format("| %s | %d | %,.0f | %.2fx | %.0f (%s) | %s |%n", f.name(), w, c.rate(),
                        c.rate() / median(store, w).rate(), c.cpuMicrosPerEvent(), f.inServer() ? "server" : "this JVM",
                        f.counts() == null
                                ? "1 (by construction)"
                                : Double.isNaN(c.eventsPerFsync())
                                        ? "not counted (a server without the counters)"
                                        : String.format("%.2f", c.eventsPerFsync())));
            }
        }
        b.append(String.format("%nMedian of %d round(s) of %.1f s per cell after %.1f s of warm-up (the server first "
                + "%.0f s per face with 8 writers); the order of the faces rotates each round. Machine load average "
                + "(1/5/15 min) at the start of the write phases %s, at the end %s.%n", rounds, measure.toMillis() / 1e3,
                warmUp.toMillis() / 1e3, warmUp.multipliedBy(15).plus(measure).toMillis() / 1e3, loadAtStart, loadAtEnd));
        return b.toString();
    }

    private Cell measure(Face face, int writers) throws Exception {
        return measure(face, writers, warmUp, measure);
    }

    private Cell measure(Face face, int writers, Duration warm, Duration span) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            fs.add(pool.submit(() -> {
                try (Writer writer = face.writers().open()) {
                    while (!stop.get()) {
                        writer.write();
                        done.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        try {
            Thread.sleep(warm.toMillis()); // JIT, connections, the first directory of the day: not counted
            LongSupplier cpu = face.inServer() ? this::serverCpuNanos : WriteBenchmark::ownCpuNanos;
            long[] g0 = face.counts() == null ? null : face.counts().read();
            long n0 = done.get();
            long c0 = cpu.getAsLong();
            long t0 = System.nanoTime();
            Thread.sleep(span.toMillis());
            long n = done.get() - n0;
            long c = cpu.getAsLong() - c0;
            double secs = (System.nanoTime() - t0) / 1e9;
            long[] g1 = face.counts() == null ? null : face.counts().read();
            double batch = g0 == null || g1 == null || g1[1] == g0[1] ? Double.NaN : (double) (g1[0] - g0[0]) / (g1[1] - g0[1]);
            return new Cell(n / secs, n == 0 ? Double.NaN : c / 1e3 / n, batch);
        } finally {
            stop.set(true);
            pool.shutdown(); // before a writer's failure is rethrown below, so no thread is left behind
            for (Future<?> f : fs) {
                f.get(); // a writer's failure (a wrong status) ends the benchmark here
            }
        }
    }

    /** The reference: temp file, write, fsync, rename, fsync of the directory, per event. */
    private void plainAppend() throws IOException {
        Path dir = refRoot.resolve("plain");
        String name = UUID.randomUUID() + ".json";
        Path temp = dir.resolve("." + name + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ByteBuffer buf = ByteBuffer.wrap(eventBytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private Writer restWriter() {
        KeepAliveHttp http = new KeepAliveHttp(host, port, 30_000);
        byte[] body = IndexBenchmark.restBody().getBytes(StandardCharsets.UTF_8);
        return new Writer() {
            @Override
            public void write() throws IOException {
                KeepAliveHttp.Response r = http.post("/api/events", "application/json", body);
                IndexBenchmark.check(r.status() == 201, "REST emit answered " + r.status() + " " + r.text());
            }

            @Override
            public void close() {
                http.close();
            }
        };
    }

    private Writer mcpWriter(String session) {
        KeepAliveHttp http = new KeepAliveHttp(host, port, 30_000);
        AtomicLong ids = new AtomicLong(2);
        return new Writer() {
            @Override
            public void write() throws IOException {
                String call = "{\"jsonrpc\":\"2.0\",\"id\":" + ids.incrementAndGet() + ",\"method\":\"tools/call\",\"params\":{"
                        + "\"name\":\"emit_event\",\"arguments\":{\"type\":\"healthcheck_failed\",\"severity\":\"warning\","
                        + "\"source\":\"bench\",\"service\":\"bench-svc\",\"payload\":{\"message\":\"" + "x".repeat(200)
                        + "\"}}}}";
                KeepAliveHttp.Response r = http.post("/mcp", "application/json", call.getBytes(StandardCharsets.UTF_8),
                        "Accept: application/json, text/event-stream", "Mcp-Session-Id: " + session);
                String text = r.text();
                IndexBenchmark.check(r.status() == 200 && text.contains("\"result\"") && !text.contains("\"isError\":true"),
                        "MCP emit answered " + r.status() + " " + text);
            }

            @Override
            public void close() {
                http.close();
            }
        };
    }

    /** Opens an MCP session (initialize, then notifications/initialized) shared by the MCP writers. */
    private String mcpSession() throws IOException {
        try (KeepAliveHttp http = new KeepAliveHttp(host, port, 30_000)) {
            KeepAliveHttp.Response init = http.post("/mcp", "application/json",
                    ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}")
                            .getBytes(StandardCharsets.UTF_8),
                    "Accept: application/json, text/event-stream");
            String session = init.headers().get("mcp-session-id");
            IndexBenchmark.check(init.status() == 200 && session != null,
                    "MCP initialize answered " + init.status() + " " + init.text());
            KeepAliveHttp.Response ack = http.post("/mcp", "application/json",
                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(StandardCharsets.UTF_8),
                    "Accept: application/json, text/event-stream", "Mcp-Session-Id: " + session);
            IndexBenchmark.check(ack.status() / 100 == 2, "MCP initialized answered " + ack.status());
            return session;
        }
    }

    /** The server's group-commit counters ({@code homelab.events.group_commit.*}) from its Prometheus endpoint. */
    private long[] serverCounts() throws IOException, InterruptedException {
        String text = metricsClient.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        long links = promCounter(text, "homelab_events_group_commit_links_total");
        long fsyncs = promCounter(text, "homelab_events_group_commit_fsyncs_total");
        return links < 0 || fsyncs < 0 ? null : new long[]{ links, fsyncs };
    }

    /** The value of an untagged counter in Prometheus text; -1 when it is missing (a server built before it). */
    private static long promCounter(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    /** CPU time (user + system) of the server process so far, from /proc (clock ticks of 10 ms). */
    private long serverCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(serverPid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat(5), counted from the state (field 3) here
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Removes what the references wrote. */
    void cleanUp() throws IOException {
        IndexBenchmark.deleteTree(refRoot);
    }

    /** For the log: the rates of every round, per face and writers. */
    String rounds() {
        StringBuilder b = new StringBuilder();
        cells.forEach((face, byWriters) -> byWriters.forEach((w, list) -> b.append(face).append(", ").append(w)
                .append(" writer(s): ").append(Arrays.toString(list.stream().mapToLong(c -> Math.round(c.rate())).toArray()))
                .append('\n')));
        return b.toString();
    }
}
