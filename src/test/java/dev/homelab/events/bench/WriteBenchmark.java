package dev.homelab.events.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
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

    /** One writing face: a name and how each writer thread writes one event. */
    private record Face(String name, boolean inServer, WriterFactory writers) {
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

    /** Rate (events/s) and CPU microseconds per event of the process that did the writing. */
    record Cell(double rate, double cpuMicrosPerEvent) {
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
        List<Face> faces = List.of(
                new Face("Plain JDK durable append (reference)", false, () -> this::plainAppend),
                new Face("Store's own durable append (EventStore.append)", false,
                        () -> () -> store.append(IndexBenchmark.benchEvent("bench-store"))),
                new Face("REST POST /api/events", true, this::restWriter),
                new Face("MCP tools/call emit_event", true, () -> mcpWriter(session)));
        // the server's JIT: a fresh server compiles for tens of seconds, which would count against whichever face
        // runs first; the references are warmed by their own warm-up
        for (Face face : faces.subList(2, faces.size())) {
            Cell c = measure(face, 8);
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
        return table(faces);
    }

    /** The median cell of a face with a number of writers (rate and CPU each; the mean of the middle two when even). */
    Cell median(String face, int writers) {
        List<Cell> list = cells.get(face).get(writers);
        return new Cell(median(list.stream().mapToDouble(Cell::rate).toArray()),
                median(list.stream().mapToDouble(Cell::cpuMicrosPerEvent).toArray()));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private String table(List<Face> faces) {
        String store = faces.get(1).name();
        StringBuilder b = new StringBuilder();
        b.append("| Face (events/s; CPU µs per event of the writing process) | 1 writer | 8 writers |\n|---|---|---|\n");
        for (Face f : faces) {
            b.append("| ").append(f.name()).append(f.inServer() ? " (server CPU)" : " (this JVM's CPU)");
            for (int w : WRITERS) {
                Cell c = median(f.name(), w);
                b.append(String.format(" | %,.0f (%.0f µs)", c.rate(), c.cpuMicrosPerEvent()));
            }
            b.append(" |\n");
        }
        for (Face f : faces.subList(2, faces.size())) {
            b.append("| ").append(f.name()).append(" / store's own");
            for (int w : WRITERS) {
                b.append(String.format(" | %.2fx", median(f.name(), w).rate() / median(store, w).rate()));
            }
            b.append(" |\n");
        }
        b.append(String.format("%nMedian of %d round(s) of %.1f s per cell after %.1f s of warm-up; the order of the "
                + "faces rotates each round.%n", rounds, measure.toMillis() / 1e3, warmUp.toMillis() / 1e3));
        return b.toString();
    }

    private Cell measure(Face face, int writers) throws Exception {
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
            Thread.sleep(warmUp.toMillis()); // JIT, connections, the first directory of the day: not counted
            LongSupplier cpu = face.inServer() ? this::serverCpuNanos : WriteBenchmark::ownCpuNanos;
            long n0 = done.get();
            long c0 = cpu.getAsLong();
            long t0 = System.nanoTime();
            Thread.sleep(measure.toMillis());
            long n = done.get() - n0;
            long c = cpu.getAsLong() - c0;
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Cell(n / secs, n == 0 ? Double.NaN : c / 1e3 / n);
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
