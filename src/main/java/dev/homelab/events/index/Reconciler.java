package dev.homelab.events.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import dev.homelab.events.Event;
import dev.homelab.events.Timestamps;
import dev.homelab.events.storage.EventFiles;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.FileProblem;

/**
 * Brings the index in line with the files: adds events that other processes wrote, forgets files that
 * are gone, and keeps the list of entries that are not readable events. The files always win.
 *
 * <p>
 * Work is done per {@code <date>/<node>} directory ({@link DirectoryReconciler}). Each listed directory leaves a
 * fingerprint ({@link DirectoryFingerprints}), so a {@linkplain #reconcileChanged() cheap pass} re-lists only
 * the directories that changed since, and a {@linkplain #reconcile() full pass} re-lists all of them (for file
 * systems that do not keep change times honestly). The first full pass reads directories in parallel, newest
 * dates first, and publishes each directory as soon as it is read, so queries are answered while it runs. What
 * is and is not an event file is decided by {@link EventFiles} alone; what is not is kept in a
 * {@link ProblemRegistry}. One bad file or unreadable directory never fails a pass.
 *
 * <p>
 * Thread-safety: passes ({@link #reconcile}, {@link #reconcileChanged}) run one at a time, on one long-lived
 * pool whose idle threads end; {@link #indexFiles} (the watcher) may run at any time, also during a pass.
 */
public class Reconciler implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final EventStore store;
    private final EventIndex index;
    private final ProblemRegistry problems = new ProblemRegistry();
    private final DirectoryFingerprints fingerprints = new DirectoryFingerprints();
    private final DirectoryReconciler directories;
    /** Reads directories in parallel during passes; created once, its threads end when idle for a while. */
    private final ThreadPoolExecutor pool;
    private final Object passLock = new Object();
    private volatile Instant lastReconciled;
    private volatile Duration lastDuration = Duration.ZERO;
    private volatile boolean everCompleted;

    public Reconciler(EventStore store, EventIndex index) {
        this(store, index, Runtime.getRuntime().availableProcessors());
    }

    public Reconciler(EventStore store, EventIndex index, int threads) {
        this.store = store;
        this.index = index;
        this.directories = new DirectoryReconciler(store.files(), index, problems, fingerprints);
        int n = Math.max(1, threads);
        this.pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "event-index-scan");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Tests only: how close to a directory's change a listing may be and still be trusted (default two seconds). */
    void racyWindow(Duration window) {
        fingerprints.racyWindow(window.toNanos());
    }

    public EventIndex index() {
        return index;
    }

    public EventStore store() {
        return store;
    }

    /** Adds a listener told about every event file a pass or the watcher reads (before it is indexed). */
    public void addListener(EventFileListener listener) {
        directories.addListener(listener);
    }

    /** The index entry of an event stored at {@code relativePath}: the one mapping from events to rows. */
    public static IndexEntry entryOf(Event e, String relativePath) {
        return new IndexEntry(e.id(), Timestamps.toMicros(e.timestamp()), e.node(), e.type(), e.severity(), e.source(),
                e.service(), e.correlationId(), relativePath);
    }

    /** A full pass: every directory is listed again, whatever its fingerprint says. */
    public ReconcileReport reconcile() throws IOException {
        return pass(true);
    }

    /** A cheap pass: only directories whose fingerprint changed (or is racy, or new) are listed. */
    public ReconcileReport reconcileChanged() throws IOException {
        return pass(false);
    }

    /**
     * Indexes or re-examines individual files (relative paths {@code <date>/<node>/<name>}), for the
     * watcher: new files are read, files that are gone are forgotten. Returns how many events were added.
     */
    public int indexFiles(Collection<String> relativePaths) {
        return directories.indexFiles(relativePaths);
    }

    private ReconcileReport pass(boolean all) throws IOException {
        synchronized (passLock) {
            Instant started = Instant.now();
            DirectoryReconciler.Counts counts = new DirectoryReconciler.Counts();
            Set<String> topSeen = new HashSet<>();
            List<String> nodeDirs = listLayout(topSeen);
            nodeDirs.sort(Comparator.comparing((String d) -> d.substring(0, 10)).reversed().thenComparing(d -> d));
            runAll(nodeDirs, all, counts);
            forgetVanishedDirectories(new HashSet<>(nodeDirs), counts);
            // problems above the node level that are gone
            problems.removeIf(p -> p.chars().filter(ch -> ch == '/').count() < 2 && !topSeen.contains(p)
                    && !Files.exists(store.root().resolve(p), LinkOption.NOFOLLOW_LINKS));
            if (all) {
                index.trim();
            }
            lastReconciled = Instant.now();
            lastDuration = Duration.between(started, lastReconciled);
            everCompleted = true;
            return new ReconcileReport(counts.added.get(), counts.removed.get(), problems.size(), lastDuration,
                    counts.listed.get());
        }
    }

    /** Directories that vanished (archived, removed by hand): forget their events, fingerprints and problems. */
    private void forgetVanishedDirectories(Set<String> listed, DirectoryReconciler.Counts counts) {
        Set<String> gone = new HashSet<>(index.directories());
        gone.addAll(fingerprints.directories());
        gone.removeAll(listed);
        for (String dir : gone) {
            String[] parts = dir.split("/", 2);
            if (parts.length == 2 && !Files.isDirectory(store.root().resolve(dir), LinkOption.NOFOLLOW_LINKS)) {
                List<String> paths = new ArrayList<>();
                index.namesIn(parts[0], parts[1]).forEach(name -> paths.add(dir + "/" + name));
                counts.removed.addAndGet(index.removePaths(paths));
                fingerprints.remove(dir);
                problems.removeIf(p -> p.startsWith(dir + "/"));
            }
        }
    }

    /**
     * Reconciles every directory, in parallel on the long-lived pool. A directory that cannot be listed becomes
     * a problem and keeps its indexed events; the other directories go on. During the first build each date is
     * held ({@link EventIndex#holdingDay}) until its last directory is read, so its segment is built once.
     */
    private void runAll(List<String> dirs, boolean all, DirectoryReconciler.Counts counts) throws IOException {
        Map<String, AtomicInteger> left = new HashMap<>();
        boolean hold = !everCompleted;
        if (hold) {
            dirs.forEach(d -> left.computeIfAbsent(date(d), k -> new AtomicInteger()).incrementAndGet());
        }
        List<Future<?>> futures = new ArrayList<>(dirs.size());
        try {
            for (String d : dirs) {
                Runnable sync = () -> {
                    try {
                        directories.syncDirectory(d.substring(0, 10), d.substring(11), all, counts);
                    } catch (IOException | RuntimeException e) {
                        LOG.debugf("Directory %s could not be reconciled: %s", d, e);
                        problems.note(d, FileProblem.Reason.UNREADABLE, "directory cannot be listed: " + e);
                    }
                };
                Runnable task = !hold ? sync : () -> {
                    LocalDate day = LocalDate.parse(date(d));
                    try {
                        index.holdingDay(day, sync);
                    } finally {
                        if (left.get(date(d)).decrementAndGet() == 0) {
                            index.releaseDay(day);
                        }
                    }
                };
                if (dirs.size() < 2 || pool.getMaximumPoolSize() == 1) {
                    task.run();
                } else {
                    futures.add(pool.submit(task));
                }
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IOException("reconciling a directory failed", e.getCause());
                } catch (InterruptedException e) {
                    futures.forEach(x -> x.cancel(true));
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reconciling", e);
                }
            }
        } finally {
            // tasks that never ran (cancelled) leave their date held: nothing may stay out of the listings
            left.keySet().forEach(date -> index.releaseDay(LocalDate.parse(date)));
        }
    }

    /** The date of a {@code <date>/<node>} directory, a valid date (listLayout keeps only date directories). */
    private static String date(String dir) {
        return dir.substring(0, 10);
    }

    /** Lists the root and date levels; returns {@code <date>/<node>} directories and records foreign entries as problems. */
    private List<String> listLayout(Set<String> topSeen) throws IOException {
        List<String> out = new ArrayList<>();
        Path root = store.root();
        if (!Files.isDirectory(root)) {
            return out;
        }
        for (String date : DirectoryReconciler.names(root)) {
            EventFiles.Entry d = classify(Path.of(date));
            if (d instanceof EventFiles.Entry.Problem p) {
                topProblem(p, topSeen);
            } else if (d instanceof EventFiles.Entry.Directory) {
                for (String node : DirectoryReconciler.names(root.resolve(date))) {
                    EventFiles.Entry n = classify(Path.of(date, node));
                    if (n instanceof EventFiles.Entry.Problem p) {
                        topProblem(p, topSeen);
                    } else if (n instanceof EventFiles.Entry.Directory) {
                        out.add(date + "/" + node);
                    }
                }
            }
        }
        return out;
    }

    /** The reader's verdict on a date or node level entry; null when it vanished. */
    private EventFiles.Entry classify(Path relative) throws IOException {
        try {
            BasicFileAttributes attrs = Files.readAttributes(store.root().resolve(relative), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return store.files().classify(relative, attrs);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    private void topProblem(EventFiles.Entry.Problem p, Set<String> topSeen) {
        String rel = p.relativePath().toString();
        topSeen.add(rel);
        problems.note(rel, p.reason(), p.detail());
    }

    public List<FileProblem> problems() {
        return problems.list();
    }

    /** When the last pass (cheap or full) finished, or null before the first. */
    public Instant lastReconciled() {
        return lastReconciled;
    }

    public Duration lastDuration() {
        return lastDuration;
    }

    /** True once a pass over the whole tree has completed (or a snapshot was loaded and validated). */
    public boolean everCompleted() {
        return everCompleted;
    }

    /** Stops the pool's threads (they also end by themselves when idle). */
    @Override
    public void close() {
        pool.shutdownNow();
    }

    // ---------------------------------------------------------------- snapshot support

    Map<String, DirectoryFingerprints.Fingerprint> fingerprints() {
        return fingerprints.copy();
    }

    Map<String, ProblemRegistry.KnownProblem> knownProblems() {
        return problems.copy();
    }

    /** Restores what a snapshot recorded; the next {@link #reconcileChanged()} validates it against the disk. */
    void restore(Map<String, DirectoryFingerprints.Fingerprint> prints, Map<String, ProblemRegistry.KnownProblem> known) {
        fingerprints.restore(prints);
        problems.restore(known);
    }

    public record ReconcileReport(int added, int removed, int problems, Duration took, int directoriesListed) {
        public ReconcileReport(int added, int removed, int problems, Duration took) {
            this(added, removed, problems, took, 0);
        }
    }
}
