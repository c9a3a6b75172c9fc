package dev.homelab.events.index;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import dev.homelab.events.storage.EventFileName;

/**
 * Watches the store (root, date and node directories) so that files written by other processes (the bash
 * and Python libraries, rsync, copies) are indexed within a moment. A new directory is watched as soon as
 * it appears and then listed, which catches files written before the watch was in place. When the kernel's
 * queue overflows, events were lost: a cheap reconciliation pass finds the directories that changed.
 * The periodic passes stay the source of truth (network file systems send no events at all).
 *
 * <p>
 * Thread-safety: one daemon thread handles every event; {@link #close()} may be called from any thread.
 */
public class IndexWatcher implements Closeable {

    private static final Logger LOG = Logger.getLogger(IndexWatcher.class);
    /**
     * Events that arrive within this window are handled as one batch (one index publication). Long enough
     * that this server's own writes are usually indexed by the writer before the watcher looks at them.
     */
    private static final long BATCH_MILLIS = 50;
    /**
     * Within a batch the keys are drained this often: the JDK keeps at most 512 events per key and turns the rest
     * into an overflow (and an overflow into a pass that lists the changed directories and watches the tree again),
     * which four events per write of this server reached within one 50 ms window at about 2,500 writes a second.
     */
    private static final long DRAIN_MILLIS = 10;

    private final Reconciler reconciler;
    private final Path root;
    private final Map<WatchKey, Path> keys = new ConcurrentHashMap<>();
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong indexed = new AtomicLong();
    private volatile WatchService service;
    private volatile Thread thread;
    private volatile String failure;
    private volatile Instant lastEvent;
    private volatile String partial;
    /** Days before this one are not registered yet ({@link #watchOlderDays}); empty when all are. */
    private String olderThan = "";

    public IndexWatcher(Reconciler reconciler) {
        this.reconciler = reconciler;
        this.root = reconciler.store().root();
    }

    /** Registers the whole tree and starts the event thread. */
    public void start() throws IOException {
        start("");
    }

    /**
     * Registers the root and the days from {@code firstDay} ({@code yyyy-MM-dd}) on, with their node directories,
     * and starts the event thread; {@link #watchOlderDays} registers the rest. Registering about a thousand
     * directories of a large store cost a restart 0.3-0.45 s of readiness on two busy cores, while the days that
     * writers write are today's: the older ones can wait until the index is ready, and what changes in them
     * meanwhile the periodic pass finds (docs/performance.md, issue 19).
     */
    public synchronized void start(String firstDay) throws IOException {
        service = root.getFileSystem().newWatchService();
        olderThan = firstDay;
        register(root);
        registerDays(date -> date.compareTo(firstDay) >= 0);
        Thread t = new Thread(this::loop, "event-index-watcher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Registers the days before the {@code firstDay} given to {@link #start(String)}, newest first. */
    public synchronized void watchOlderDays() throws IOException {
        String before = olderThan;
        if (before == null || before.isEmpty() || service == null) {
            return;
        }
        olderThan = "";
        try {
            registerDays(date -> date.compareTo(before) < 0);
        } catch (ClosedWatchServiceException e) {
            // stopped meanwhile
        }
    }

    private void registerDays(Predicate<String> which) throws IOException {
        // newest dates first: if the kernel's watch limit (fs.inotify.max_user_watches) is reached, the old
        // days, which rarely change, are left to the periodic passes
        List<Path> dates = new ArrayList<>();
        for (Path date : children(root)) {
            if (isDateDir(date) && which.test(date.getFileName().toString())) {
                dates.add(date);
            }
        }
        dates.sort(Comparator.comparing(Path::toString).reversed());
        try {
            for (Path date : dates) {
                register(date);
                for (Path node : children(date)) {
                    if (isNodeDir(node)) {
                        register(node);
                    }
                }
            }
        } catch (IOException e) {
            partial = "watching " + keys.size() + " directories only (" + e.getMessage()
                    + "); older days are kept fresh by the periodic passes";
            LOG.warn(partial);
        }
    }

    private void loop() {
        WatchService ws = service;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                WatchKey first = ws.take();
                Set<String> files = new LinkedHashSet<>();
                boolean[] overflow = { false };
                handle(first, files, overflow);
                gather(ws, files, overflow);
                process(files, overflow[0]);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the application is stopping
        } catch (RuntimeException e) {
            failure = e.toString();
            LOG.warn("Index watcher stopped; the periodic reconciliation still runs", e);
        }
    }

    /**
     * Lets what arrives right behind the first key gather for {@link #BATCH_MILLIS}, so a burst is indexed in one go;
     * waiting on the queue instead woke this thread for every kernel event, four per write of this server (temp
     * created, written, linked, removed): most of its CPU per write (docs/performance.md). The keys are drained
     * every {@link #DRAIN_MILLIS} meanwhile, so a busy directory's key does not overflow.
     */
    void gather(WatchService ws, Set<String> files, boolean[] overflow) throws InterruptedException {
        for (long slept = 0; slept < BATCH_MILLIS; slept += DRAIN_MILLIS) {
            Thread.sleep(DRAIN_MILLIS);
            for (WatchKey k; (k = ws.poll()) != null;) {
                handle(k, files, overflow);
            }
        }
    }

    private void handle(WatchKey key, Set<String> files, boolean[] overflow) {
        Path dir = keys.get(key);
        for (WatchEvent<?> ev : key.pollEvents()) {
            if (ev.kind() == OVERFLOW || dir == null) {
                overflow[0] = true;
                continue;
            }
            Path child = dir.resolve((Path) ev.context());
            onEvent(child, ev.kind(), files, overflow);
        }
        if (!key.reset()) {
            keys.remove(key); // the directory is gone (archived); the reconciliation forgets its events
        }
    }

    /** Handles one event for a path under the root; file paths are collected in {@code files}. */
    void onEvent(Path child, WatchEvent.Kind<?> kind, Set<String> files, boolean[] overflow) {
        lastEvent = Instant.now();
        if (kind == OVERFLOW) {
            overflow[0] = true;
            return;
        }
        Path rel = root.relativize(child);
        String name = child.getFileName().toString();
        int depth = rel.getNameCount();
        if (depth == 3) {
            if (!name.startsWith(".") || kind == ENTRY_DELETE) {
                files.add(rel.toString());
            }
            return;
        }
        if (kind == ENTRY_DELETE || name.startsWith(".")) {
            if (kind == ENTRY_DELETE && !name.startsWith(".")) {
                overflow[0] = true; // a whole directory went away: let a pass drop its events
            }
            return;
        }
        try {
            if (depth == 1 && isDateDir(child)) {
                register(child);
                for (Path node : children(child)) {
                    if (isNodeDir(node)) {
                        watchAndList(node, files);
                    }
                }
            } else if (depth == 2 && isNodeDir(child)) {
                watchAndList(child, files);
            }
        } catch (IOException e) {
            overflow[0] = true; // could not watch it: a pass will list it
        }
    }

    /** Watches a new node directory, then lists it: files linked before the watch existed are not missed. */
    private void watchAndList(Path nodeDir, Set<String> files) throws IOException {
        register(nodeDir);
        for (Path f : children(nodeDir)) {
            String n = f.getFileName().toString();
            if (!n.startsWith(".")) {
                files.add(root.relativize(f).toString());
            }
        }
    }

    /** Indexes a batch of file events; after an overflow, a cheap pass finds what the lost events were about. */
    void process(Set<String> files, boolean overflow) {
        try {
            if (!files.isEmpty()) {
                indexed.addAndGet(reconciler.indexFiles(files));
            }
            if (overflow) {
                overflows.incrementAndGet();
                reregister();
                reconciler.reconcileChanged();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Index watcher could not index %d files (the periodic reconciliation will): %s", files.size(), e);
        }
    }

    /** After an overflow, directories created meanwhile may not be watched yet. */
    private void reregister() throws IOException {
        if (service == null) {
            return;
        }
        for (Path date : children(root)) {
            if (isDateDir(date)) {
                register(date);
                for (Path node : children(date)) {
                    if (isNodeDir(node)) {
                        register(node);
                    }
                }
            }
        }
    }

    private void register(Path dir) throws IOException {
        WatchService ws = service;
        if (ws == null) {
            return;
        }
        WatchKey key = dir.register(ws, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
        keys.put(key, dir);
    }

    private static Iterable<Path> children(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(out::add);
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        }
        return out;
    }

    private static boolean isDateDir(Path p) {
        return EventFileName.isDateDirectory(p.getFileName().toString()) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isNodeDir(Path p) {
        String n = p.getFileName().toString();
        return EventFileName.isNodeDirectory(n) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    public boolean running() {
        Thread t = thread;
        return t != null && t.isAlive() && failure == null;
    }

    /** The directories being watched (for diagnostics and tests). */
    public Set<Path> watched() {
        return Set.copyOf(keys.values());
    }

    public int watchedDirectories() {
        return keys.size();
    }

    public long overflows() {
        return overflows.get();
    }

    /** Events added to the index by the watcher since start. */
    public long indexed() {
        return indexed.get();
    }

    public String failure() {
        return failure;
    }

    /** Why not every directory is watched (the kernel's watch limit), or null. */
    public String partial() {
        return partial;
    }

    public Instant lastEvent() {
        return lastEvent;
    }

    @Override
    public synchronized void close() throws IOException {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        WatchService ws = service;
        service = null;
        if (ws != null) {
            ws.close();
        }
    }
}
