package dev.homelab.events.index;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import dev.homelab.events.config.StoreConfig;
import dev.homelab.events.storage.FileProblem;

/**
 * Builds the index at start and keeps it in line with the files:
 * <ol>
 * <li>start: load the snapshot if there is a valid one and validate it against the directories (seconds for
 * a million events); otherwise read every file in a background scan on all cores while queries are already
 * served (readiness says "index is still being built" until it is done);</li>
 * <li>a watcher indexes files written by other processes within a second;</li>
 * <li>a cheap pass every {@code homelab.events.rescan-interval} re-lists directories whose change time moved
 * (catching anything the watcher missed), and a full pass every {@code homelab.index.full-rescan-interval};</li>
 * <li>the snapshot is rewritten every {@code homelab.index.snapshot-interval} when the index changed, and at shutdown.</li>
 * </ol>
 */
@ApplicationScoped
public class IndexRefresher {

    private static final Logger LOG = Logger.getLogger(IndexRefresher.class);

    @Inject
    Reconciler reconciler;
    @Inject
    StoreConfig config;
    @Inject
    MeterRegistry metrics;
    @Inject
    EventIndex index;

    private volatile boolean ready;
    private final CountDownLatch built = new CountDownLatch(1);
    private volatile String startMode = "starting";
    private volatile Duration buildTime;
    private volatile IndexWatcher watcher;
    private volatile Instant lastFull;
    private volatile int sizeAtSnapshot = -1;
    private ScheduledExecutorService timer;
    /** Work waiting for the first build to end; null once it has (guarded by itself until then). */
    private List<Runnable> afterBuild = new ArrayList<>();
    private final Object afterBuildLock = new Object();

    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION) StartupEvent ev) {
        registerGauges();
        timer = Executors.newScheduledThreadPool(1, runnable -> {
            Thread t = new Thread(runnable, "event-index-rescan");
            t.setDaemon(true);
            return t;
        });
        Thread builder = new Thread(this::build, "event-index-build");
        builder.setDaemon(true);
        builder.start();
        if (config.events().demo()) {
            // the demo loader asks the index whether the chain exists: it must be complete first
            awaitReady(Duration.ofMinutes(10));
        }
    }

    private void build() {
        Instant started = Instant.now();
        try {
            // registering a watch on every directory (about a thousand at a million events) overlaps the snapshot
            // load, off the start-up thread; it is complete before the first pass lists anything, so nothing
            // written during the pass is missed
            Thread watching = config.index().watch() ? startWatcherThread() : null;
            IndexSnapshot.Loaded loaded = null;
            if (config.index().snapshot()) {
                try {
                    loaded = IndexSnapshot.load(snapshotFile(), reconciler);
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("Index snapshot %s not usable (%s); reading every file instead", snapshotFile(), e);
                }
            }
            if (watching != null) {
                watching.join();
            }
            Reconciler.ReconcileReport r = loaded != null ? reconciler.reconcileChanged() : reconciler.reconcile();
            // a validated snapshot counts as a full pass: every directory was checked against its fingerprint
            lastFull = Instant.now();
            buildTime = Duration.between(started, Instant.now());
            startMode = loaded != null ? "snapshot" : "scan";
            if (loaded != null && r.added() == 0 && r.removed() == 0) {
                sizeAtSnapshot = loaded.rows(); // the file on disk is this index: no need to write 50 MB again at stop
            }
            if (loaded != null) {
                LOG.infof(
                        "Event index loaded from snapshot: %d events, %d directories re-listed (+%d -%d), %d skipped entries, in %d ms",
                        index.size(), r.directoriesListed(), r.added(), r.removed(), r.problems(), buildTime.toMillis());
            } else {
                LOG.infof("Event index built: %d events, %d skipped entries, in %d ms", index.size(), r.problems(),
                        buildTime.toMillis());
            }
        } catch (InterruptedException e) {
            startMode = "failed";
            Thread.currentThread().interrupt(); // stopping
        } catch (IOException | RuntimeException e) {
            startMode = "failed";
            LOG.error("Event index could not be built; retrying at the next pass", e);
        } finally {
            ready = reconciler.everCompleted();
            built.countDown();
            scheduleAfterBuild();
            IndexWatcher w = watcher;
            if (w != null) {
                afterFirstBuild(() -> {
                    try {
                        w.watchOlderDays();
                    } catch (IOException e) {
                        LOG.warnf("Older days are not watched (%s): the periodic passes keep them fresh", e);
                    }
                });
            }
            runAfterBuild();
        }
    }

    /**
     * Runs {@code work} once the first build has ended (check {@link #ready()}: it may have failed), on a thread of its
     * own: what would compete with the build for the cores (sealing every file of a store never sealed) or what the
     * first request would otherwise pay (the open-incident table) starts right after readiness.
     */
    public void afterFirstBuild(Runnable work) {
        synchronized (afterBuildLock) {
            if (afterBuild != null) {
                afterBuild.add(work);
                return;
            }
        }
        start(work);
    }

    private void runAfterBuild() {
        List<Runnable> work;
        synchronized (afterBuildLock) {
            work = afterBuild;
            afterBuild = null;
        }
        work.forEach(IndexRefresher::start);
    }

    private static void start(Runnable work) {
        Thread t = new Thread(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.warn("Work after the index build failed", e);
            }
        }, "event-index-after-build");
        t.setDaemon(true);
        t.start();
    }

    private Thread startWatcherThread() {
        Thread t = new Thread(() -> {
            try {
                IndexWatcher w = new IndexWatcher(reconciler);
                // today's and yesterday's directories now (writers write those, also across midnight), the
                // older days once the index is ready
                w.start(LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
                watcher = w;
            } catch (IOException | RuntimeException e) {
                LOG.warnf("No file system watcher (%s): files of other processes appear at the next pass, every %s", e,
                        config.events().rescanInterval());
            }
        }, "event-index-watch-setup");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void scheduleAfterBuild() {
        ScheduledExecutorService t = timer;
        if (t == null || t.isShutdown()) {
            return;
        }
        long every = Math.max(100, config.events().rescanInterval().toMillis());
        t.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
        if (config.index().snapshot()) {
            long snap = Math.max(1000, config.index().snapshotInterval().toMillis());
            t.scheduleWithFixedDelay(this::saveSnapshotIfChanged, snap, snap, TimeUnit.MILLISECONDS);
            if (!"snapshot".equals(startMode)) {
                t.execute(this::saveSnapshotIfChanged); // the next start should not read every file again
            }
        }
    }

    private void refresh() {
        try {
            Duration full = config.index().fullRescanInterval();
            boolean doFull = lastFull == null || Duration.between(lastFull, Instant.now()).compareTo(full) >= 0;
            Reconciler.ReconcileReport r = doFull ? reconciler.reconcile() : reconciler.reconcileChanged();
            if (doFull) {
                lastFull = Instant.now();
            }
            ready = true;
            if (r.added() > 0 || r.removed() > 0) {
                LOG.debugf("Index reconciled (%s): +%d -%d", doFull ? "full" : "changed directories", r.added(), r.removed());
            }
        } catch (Exception e) {
            // keep the timer alive; health shows the index as stale through last_reconciled
            LOG.warn("Index reconciliation failed", e);
        }
    }

    private void saveSnapshotIfChanged() {
        if (!reconciler.everCompleted() || index.size() == sizeAtSnapshot
                || index.size() < config.index().snapshotMinEvents()) {
            return;
        }
        saveSnapshot();
    }

    /** Writes the snapshot now; returns the number of events written, or -1 on failure (logged). */
    public int saveSnapshot() {
        try {
            int n = IndexSnapshot.save(snapshotFile(), reconciler);
            sizeAtSnapshot = n;
            return n;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Index snapshot could not be written to %s: %s", snapshotFile(), e);
            return -1;
        }
    }

    public Path snapshotFile() {
        Path dir = config.index().snapshotDir().filter(s -> !s.isBlank()).map(Path::of)
                .orElse(reconciler.store().root().resolve(".index"));
        return dir.resolve(IndexSnapshot.FILE_NAME);
    }

    private void registerGauges() {
        metrics.gauge("homelab.events.indexed", index, EventIndex::size);
        for (FileProblem.Reason reason : FileProblem.Reason.values()) {
            metrics.gauge("homelab.events.skipped.files", List.of(Tag.of("reason",
                    reason.name().toLowerCase(Locale.ROOT))), reconciler,
                    r -> r.problems().stream().filter(p -> p.reason() == reason).count());
        }
    }

    /** True once the first full scan (or a validated snapshot) has completed. Queries are answered before, partially. */
    public boolean ready() {
        return ready;
    }

    /** Waits until the first build is done; true if it is. */
    public boolean awaitReady(Duration timeout) {
        try {
            return built.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && ready;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How the index was built at start: {@code snapshot}, {@code scan}, {@code starting} or {@code failed}. */
    public String startMode() {
        return startMode;
    }

    public Duration buildTime() {
        return buildTime;
    }

    public IndexWatcher watcher() {
        return watcher;
    }

    /** True when no pass has completed within {@code homelab.index.stale-after}, or the watcher failed. */
    public boolean stale() {
        Instant last = reconciler.lastReconciled();
        if (!ready || last == null) {
            return false; // still being built: reported as such, not as stale
        }
        IndexWatcher w = watcher;
        return Duration.between(last, Instant.now()).compareTo(config.index().staleAfter()) > 0
                || (config.index().watch() && (w == null || !w.running()));
    }

    void onStop(@Observes ShutdownEvent ev) {
        stop();
    }

    @PreDestroy
    void stop() {
        ScheduledExecutorService t = timer;
        timer = null;
        if (t != null) {
            t.shutdownNow();
        }
        IndexWatcher w = watcher;
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                LOG.debug("closing the watcher", e);
            }
        }
        if (t != null && config.index().snapshot() && reconciler.everCompleted() && index.size() != sizeAtSnapshot
                && index.size() >= config.index().snapshotMinEvents()) {
            int n = saveSnapshot();
            if (n >= 0) {
                LOG.infof("Index snapshot written: %d events", n);
            }
        }
    }
}
