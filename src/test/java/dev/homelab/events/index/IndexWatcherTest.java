package dev.homelab.events.index;

import static java.nio.file.StandardWatchEventKinds.OVERFLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.storage.EventStore;

class IndexWatcherTest {

    @TempDir
    Path root;
    IndexWatcher watcher;

    @AfterEach
    void close() throws IOException {
        if (watcher != null) {
            watcher.close();
        }
    }

    /** Polls until the condition holds; fails after the timeout. Never a fixed sleep. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /** What the bash library does: write a dot-temp file, then hard-link it to its final name. */
    static Path writeLikeAnotherProcess(Path root, Event e, EventStore store) throws IOException {
        Path target = root.resolve(store.relativePathOf(e));
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling(".tmp-" + UUID.randomUUID());
        Files.write(temp, store.codec().toBytes(e));
        Files.createLink(target, temp);
        Files.delete(temp);
        return target;
    }

    /**
     * A restart watches the recent days first and the older ones once the index is ready (until then the periodic
     * pass finds what changes in an old day): both halves are registered, and the watcher indexes files in each.
     */
    @Test
    void olderDaysAreWatchedOnlyOnceAskedFor() throws Exception {
        EventStore store = TestEvents.store(root);
        store.append(TestEvents.event("node_online", "pi4", "svc", "c", Instant.parse("2026-11-20T10:00:00Z")));
        store.append(TestEvents.event("node_online", "nas", "svc", "c", Instant.parse("2026-11-24T10:00:00Z")));
        Reconciler r = new Reconciler(store, new EventIndex(), 1);
        r.reconcile();
        watcher = new IndexWatcher(r);
        watcher.start("2026-11-23");
        assertEquals(3, watcher.watchedDirectories(), () -> String.valueOf(watcher.watched())); // root, the recent day
        Event recent = TestEvents.event("node_offline", "nas", "svc", "c", Instant.parse("2026-11-24T11:00:00Z"));
        writeLikeAnotherProcess(root, recent, store);
        await("a file in a recent day is indexed", Duration.ofSeconds(10), () -> r.index().get(recent.id()).isPresent());

        watcher.watchOlderDays();
        assertEquals(5, watcher.watchedDirectories(), () -> String.valueOf(watcher.watched()));
        Event old = TestEvents.event("node_offline", "pi4", "svc", "c", Instant.parse("2026-11-20T11:00:00Z"));
        writeLikeAnotherProcess(root, old, store);
        await("a file in an older day is indexed once it is watched", Duration.ofSeconds(10),
                () -> r.index().get(old.id()).isPresent());
    }

    @Test
    void indexesFilesWrittenByOtherProcessesInExistingAndNewDirectories() throws Exception {
        EventStore store = TestEvents.store(root);
        store.append(TestEvents.event("node_online", "pi4", "svc", "c", Instant.parse("2026-11-20T10:00:00Z")));
        Reconciler r = new Reconciler(store, new EventIndex(), 1);
        r.reconcile();
        watcher = new IndexWatcher(r);
        watcher.start();
        assertEquals(3, watcher.watchedDirectories(), () -> String.valueOf(watcher.watched()));

        Event sameDir = TestEvents.event("node_offline", "pi4", "svc", "c", Instant.parse("2026-11-20T11:00:00Z"));
        writeLikeAnotherProcess(root, sameDir, store);
        await("the file in a watched directory is indexed", Duration.ofSeconds(10),
                () -> r.index().get(sameDir.id()).isPresent());

        Event newDay = TestEvents.event("node_offline", "nas", "svc", "c", Instant.parse("2026-11-25T11:00:00Z"));
        writeLikeAnotherProcess(root, newDay, store);
        await("the file in a new date directory is indexed", Duration.ofSeconds(10),
                () -> r.index().get(newDay.id()).isPresent());
        Event later = TestEvents.event("node_online", "nas", "svc", "c", Instant.parse("2026-11-25T12:00:00Z"));
        writeLikeAnotherProcess(root, later, store);
        await("the new directory is watched", Duration.ofSeconds(10), () -> r.index().get(later.id()).isPresent());

        Files.delete(root.resolve(store.relativePathOf(sameDir)));
        await("a deleted file is forgotten", Duration.ofSeconds(10), () -> r.index().get(sameDir.id()).isEmpty());
        assertTrue(r.problems().isEmpty(), "temporary files of finished writes leave no problem behind: " + r.problems());
        // a removal is published as a whole a moment after the id lookup stops finding it
        await("the index holds the three remaining events", Duration.ofSeconds(10), () -> r.index().size() == 3);
    }

    @Test
    void theRemovalOfAReportedTempFileClearsItsProblem() throws Exception {
        EventStore store = TestEvents.store(root);
        Event e = TestEvents.event("node_online", "pi4", "svc", "c", Instant.parse("2026-11-20T10:00:00Z"));
        store.append(e);
        Path stray = root.resolve(store.relativePathOf(e)).resolveSibling(".left-behind.tmp");
        Files.writeString(stray, "x");
        Reconciler r = new Reconciler(store, new EventIndex(), 1);
        r.reconcile();
        assertEquals(1, r.problems().size(), () -> r.problems().toString());
        watcher = new IndexWatcher(r);
        watcher.start();
        // a write's own temp file comes and goes unreported: its removal is skipped without a stat
        Event later = TestEvents.event("node_offline", "pi4", "svc", "c", Instant.parse("2026-11-20T11:00:00Z"));
        writeLikeAnotherProcess(root, later, store);
        await("the other process's event is indexed", Duration.ofSeconds(10), () -> r.index().get(later.id()).isPresent());
        assertEquals(1, r.problems().size(), () -> r.problems().toString());
        Files.delete(stray);
        await("the removed temp file's problem is cleared", Duration.ofSeconds(10), () -> r.problems().isEmpty());
    }

    @Test
    void anOverflowTriggersARescanThatFindsWhatTheLostEventsWereAbout() throws Exception {
        EventStore store = TestEvents.store(root);
        Reconciler r = new Reconciler(store, new EventIndex(), 1);
        r.reconcile();
        watcher = new IndexWatcher(r); // not started: the kernel's events are "lost"
        Set<String> files = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            writeLikeAnotherProcess(root, TestEvents.event("node_online", "pi4", "svc", "c", Instant.now().minusSeconds(i)),
                    store);
        }
        assertEquals(0, r.index().size());
        boolean[] overflow = { false };
        watcher.onEvent(root, OVERFLOW, files, overflow);
        assertTrue(overflow[0]);
        watcher.process(files, overflow[0]);
        assertEquals(5, r.index().size());
        assertEquals(1, watcher.overflows());
    }

    /**
     * Within one batch window the keys are drained five times, not once at its end: the JDK keeps at most 512
     * events per key and turns the rest into an overflow (a pass then lists the changed directories again), which
     * four events per write reached within one 50 ms window at about 2,500 writes a second.
     */
    @Test
    void theKeysAreDrainedSeveralTimesWithinOneBatchWindow() throws Exception {
        Reconciler r = new Reconciler(TestEvents.store(root), new EventIndex(), 1);
        watcher = new IndexWatcher(r);
        AtomicInteger polls = new AtomicInteger();
        WatchService counting = new WatchService() {
            @Override
            public WatchKey poll() {
                polls.incrementAndGet();
                return null;
            }

            @Override
            public WatchKey poll(long timeout, TimeUnit unit) {
                return poll();
            }

            @Override
            public WatchKey take() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
        watcher.gather(counting, new HashSet<>(), new boolean[1]);
        assertEquals(5, polls.get());
    }
}
