package dev.homelab.events.nats;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.homelab.events.sync.ArrivalLog;
import dev.homelab.events.sync.Exporter;
import dev.homelab.events.sync.Fixtures;
import dev.homelab.events.sync.Importer;

/**
 * One application node wired in-process as the application wires it: a real store, index and reconciler on a
 * temporary root, the sync exporter over its arrival log, the sync importer, and a {@link NatsReplicator} whose
 * periodic pass runs every 100 ms (the application runs it with quarkus-scheduler). {@link #restart()} is a
 * process restart: new objects over the same files.
 */
public final class NatsNode implements AutoCloseable {

    public final String name;
    public final Path root;
    private final NatsSettings settings;
    private final long tickMillis;
    private Fixtures.Node store;
    private ArrivalLog log;
    private NatsReplicator replicator;
    private ScheduledExecutorService ticker;

    private NatsNode(String name, Path root, NatsSettings settings, long tickMillis) {
        this.name = name;
        this.root = root;
        this.settings = settings;
        this.tickMillis = tickMillis;
    }

    static NatsNode start(String name, Path root, NatsSettings settings) throws IOException {
        return start(name, root, settings, 100);
    }

    /** A node whose periodic pass runs every {@code tickMillis} (the application's default is 1000). */
    public static NatsNode start(String name, Path root, NatsSettings settings, long tickMillis) throws IOException {
        NatsNode n = new NatsNode(name, root, settings, tickMillis);
        n.open();
        return n;
    }

    /** Settings for a node {@code name} on {@code servers} (comma-separated), with test-sized pages. */
    public static NatsSettings settings(String servers, String name) {
        return NatsSettings.defaults(servers, name).withBatch(50);
    }

    private void open() throws IOException {
        store = Fixtures.Node.at(root);
        log = new ArrivalLog(root.resolve(".sync").resolve("arrivals.log")).open();
        Exporter exporter = new Exporter(store.store(), store.index(), log, name);
        store.writer().addListener(exporter.listener()); // as SyncService wires it
        store.reconciler().addListener(exporter.listener());
        LocalStore local = new LocalStore(name, exporter::export,
                new Importer(store.writer(), Importer.ArchiveLookup.NONE));
        replicator = new NatsReplicator(settings, local, root.resolve(".nats"));
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nats-test-tick-" + name);
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(replicator::tick, 0, tickMillis, TimeUnit.MILLISECONDS);
    }

    /** Writes {@code n} events of this node through its store (as the server does); returns their paths. */
    public List<String> emit(int n) throws IOException {
        List<String> paths = new ArrayList<>();
        Instant base = Instant.now();
        for (int i = 0; i < n; i++) {
            paths.add(store.emit(base.minusSeconds(i), name, null).toString());
        }
        return paths;
    }

    /** Writes one event of this node dated {@code days} days ago (same time of day) through its store. */
    public void emitDaysAgo(int days) throws IOException {
        store.emit(Instant.now().minus(java.time.Duration.ofDays(days)), name, null);
    }

    /** Indexes files other processes wrote (what the index watcher and rescans do in the application). */
    void rescan() throws IOException {
        store.reconciler().reconcile();
    }

    public NatsStatus status() {
        return replicator.status();
    }

    /** How many events the node's index holds (cheap, unlike {@link #files()}). */
    public int indexed() {
        return store.index().size();
    }

    /** Every event file in the store, by relative path, with its bytes. */
    Map<String, byte[]> files() throws IOException {
        return files(root);
    }

    /** Every event file under a store root, by relative path, with its bytes (temp files of writes in progress left out). */
    static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new java.util.TreeMap<>();
        for (Path day : visible(root)) {
            for (Path node : visible(day)) {
                for (Path f : visible(node)) { // names only: a temp file may vanish, it is never opened
                    try {
                        out.put(root.relativize(f).toString(), java.nio.file.Files.readAllBytes(f));
                    } catch (java.nio.file.NoSuchFileException e) {
                        // gone since the listing
                    }
                }
            }
        }
        return out;
    }

    private static List<Path> visible(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!java.nio.file.Files.isDirectory(dir)) {
            return out;
        }
        try (java.nio.file.DirectoryStream<Path> ds = java.nio.file.Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".")) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Starts again after {@link #close()} over the same store (outbox cursor, arrival log, durable consumer kept). */
    void reopen() throws IOException {
        open();
    }

    org.eclipse.microprofile.health.HealthCheckResponse readiness() {
        return new NatsReadinessCheck(replicator).call();
    }

    @Override
    public void close() throws IOException {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replicator.close();
        log.close();
    }
}
