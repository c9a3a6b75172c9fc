package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;

/** Concurrent appends share directory fsyncs, and none is acknowledged before an fsync that covers its link. */
class GroupCommitTest {

    @TempDir
    Path root;
    final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Records which names each directory fsync made durable: the names present when it started. */
    static class RecordingStore extends EventStore {
        final Set<String> durable = ConcurrentHashMap.newKeySet();
        final AtomicInteger directoryForces = new AtomicInteger();
        volatile CountDownLatch gate;
        volatile boolean fail;
        /** When set, how long a round waits for writers still writing (instead of the last fsync's duration). */
        volatile long gather = -1;
        /** The next file force waits here (after counting down {@code inFileForce}), then fails if {@code failFile}. */
        final AtomicBoolean holdNextFileForce = new AtomicBoolean();
        final CountDownLatch inFileForce = new CountDownLatch(1);
        final CountDownLatch fileGate = new CountDownLatch(1);
        volatile boolean failFile;

        RecordingStore(Path root) {
            super(root, new EventCodec(TestEvents.MAPPER), 1 << 20);
        }

        @Override
        protected void forceDirectory(Path dir) throws IOException {
            List<String> linked;
            try (Stream<Path> s = Files.list(dir)) {
                linked = s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
            }
            directoryForces.incrementAndGet();
            CountDownLatch g = gate;
            if (g != null) {
                pass(g);
            }
            if (fail) {
                throw new IOException("No space left on device (injected)");
            }
            super.forceDirectory(dir);
            durable.addAll(linked);
        }

        @Override
        protected void forceFile(FileChannel channel) throws IOException {
            if (holdNextFileForce.compareAndSet(true, false)) {
                inFileForce.countDown();
                pass(fileGate);
                if (failFile) {
                    throw new IOException("Input/output error (injected)");
                }
            }
            super.forceFile(channel);
        }

        /** Waits (at most 30 s) until the test opens {@code g}. */
        private static void pass(CountDownLatch g) {
            try {
                g.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        protected long gatherNanos(long lastForceNanos) {
            return gather >= 0 ? gather : super.gatherNanos(lastForceNanos);
        }
    }

    private static Event event(int i) {
        return TestEvents.event("node_online", "pi4", "svc", "c", Instant.parse("2026-11-20T10:00:00Z").plusMillis(i));
    }

    @Test
    void concurrentAppendsShareDirectoryFsyncsAndAreAcknowledgedOnlyAfterOne() throws Exception {
        RecordingStore store = new RecordingStore(root);
        store.append(event(-1)); // creates the directories first, so every later force is a group commit
        store.directoryForces.set(0);
        EventStore.GroupCommitStats before = store.groupCommitStats();
        int writers = 8;
        int each = 40;
        List<Future<Integer>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int base = w * each;
            results.add(pool.submit(() -> {
                int violations = 0;
                for (int i = 0; i < each; i++) {
                    Path rel = store.append(event(base + i));
                    // acknowledged: the fsync that covered this name must have completed already
                    if (!store.durable.contains(rel.getFileName().toString())) {
                        violations++;
                    }
                }
                return violations;
            }));
        }
        for (Future<Integer> f : results) {
            assertEquals(0, f.get(60, TimeUnit.SECONDS), "an append returned before a directory fsync covering its link");
        }
        int forces = store.directoryForces.get();
        assertTrue(forces < writers * each, "directory fsyncs were shared: " + forces + " for " + writers * each + " appends");
        // the counters the write metrics and the benchmark report: every link, and every shared fsync once
        EventStore.GroupCommitStats after = store.groupCommitStats();
        assertEquals(writers * each, after.links() - before.links());
        assertEquals(forces, after.directorySyncs() - before.directorySyncs());
    }

    @Test
    void noAppendReturnsWhileTheDirectoryFsyncIsStillRunning() throws Exception {
        RecordingStore store = new RecordingStore(root);
        store.append(event(-1));
        store.directoryForces.set(0);
        store.gate = new CountDownLatch(1);
        List<Future<Path>> pending = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            pending.add(pool.submit(() -> store.append(event(n))));
        }
        // every file is linked (visible) while the fsync is held back, yet no append has returned
        awaitLinked(store, 7);
        assertEquals(7, linkedEvents(store));
        for (Future<Path> f : pending) {
            assertFalse(f.isDone(), "acknowledged before the directory fsync completed");
        }
        store.gate.countDown();
        for (Future<Path> f : pending) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertTrue(store.directoryForces.get() <= 3, "one held fsync, then at most two more rounds for the waiters: "
                + store.directoryForces.get());
    }

    @Test
    void aFailedSharedFsyncFailsEveryAppendItCoveredAndWithdrawsTheirFiles() throws Exception {
        RecordingStore store = new RecordingStore(root);
        store.append(event(-1));
        store.gate = new CountDownLatch(1);
        store.fail = true;
        List<Future<Path>> pending = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            pending.add(pool.submit(() -> store.append(event(n))));
        }
        awaitLinked(store, 7);
        store.gate.countDown();
        int failed = 0;
        for (Future<Path> f : pending) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof IOException);
                assertTrue(e.getCause().getMessage().contains("No space left"), e.getCause().getMessage());
                failed++;
            }
        }
        assertEquals(6, failed, "no append was acknowledged: every fsync failed");
        assertEquals(1, linkedEvents(store), "the withdrawn files are gone; only the first event remains");
    }

    /**
     * A writer that links while another is still writing its temp file waits for that link before forcing the
     * directory, so one fsync covers both (without the wait: two, the first before the other's link).
     */
    @Test
    void aRoundWaitsForAWriterStillWritingSoOneFsyncCoversBoth() throws Exception {
        RecordingStore store = new RecordingStore(root);
        store.append(event(-1));
        store.directoryForces.set(0);
        store.gather = TimeUnit.SECONDS.toNanos(30);
        store.holdNextFileForce.set(true);
        Future<Path> slow = pool.submit(() -> store.append(event(1)));
        assertTrue(store.inFileForce.await(20, TimeUnit.SECONDS));
        Future<Path> linker = pool.submit(() -> store.append(event(2)));
        awaitLinked(store, 2);
        assertEquals(2, linkedEvents(store), "the second writer linked");
        Thread.sleep(200);
        assertEquals(0, store.directoryForces.get(), "no fsync while the other writer is still writing");
        assertFalse(linker.isDone(), "acknowledged before a directory fsync");
        store.fileGate.countDown();
        slow.get(20, TimeUnit.SECONDS);
        linker.get(20, TimeUnit.SECONDS);
        assertEquals(1, store.directoryForces.get(), "one fsync covered both links");
        assertTrue(store.durable.contains(slow.get().getFileName().toString()));
        assertTrue(store.durable.contains(linker.get().getFileName().toString()));
    }

    /** A writer whose temp file fails ends the wait of the round gathering for it; nobody waits out the bound. */
    @Test
    void aWriterFailingBeforeItsLinkEndsTheWait() throws Exception {
        RecordingStore store = new RecordingStore(root);
        store.append(event(-1));
        store.directoryForces.set(0);
        store.gather = TimeUnit.SECONDS.toNanos(60);
        store.holdNextFileForce.set(true);
        store.failFile = true;
        Future<Path> failing = pool.submit(() -> store.append(event(1)));
        assertTrue(store.inFileForce.await(20, TimeUnit.SECONDS));
        Future<Path> linker = pool.submit(() -> store.append(event(2)));
        awaitLinked(store, 2);
        store.fileGate.countDown();
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions
                .assertThrows(java.util.concurrent.ExecutionException.class, () -> failing.get(20, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("Input/output error"), e.getCause().getMessage());
        // well inside the 60 s bound: the failure, not the bound, ended the wait
        Path rel = linker.get(20, TimeUnit.SECONDS);
        assertTrue(store.durable.contains(rel.getFileName().toString()));
        assertEquals(1, store.directoryForces.get());
        assertEquals(2, linkedEvents(store), "the failed write left no final-named file");
    }

    /** A lone writer finds nobody writing and forces at once, whatever the bound. */
    @Test
    void aLoneWriterNeverWaits() throws Exception {
        RecordingStore store = new RecordingStore(root);
        store.append(event(-1));
        store.directoryForces.set(0);
        store.gather = TimeUnit.SECONDS.toNanos(60);
        Future<Integer> appends = pool.submit(() -> {
            for (int i = 0; i < 5; i++) {
                store.append(event(i));
            }
            return 5;
        });
        assertEquals(5, appends.get(30, TimeUnit.SECONDS), "five appends, well inside one 60 s wait");
        assertEquals(5, store.directoryForces.get(), "one fsync each");
    }

    /** Polls (at most 20 s) until {@code n} events carry their final names; the caller asserts what it needs. */
    private void awaitLinked(RecordingStore store, long n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (linkedEvents(store) < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private long linkedEvents(RecordingStore store) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("2026-11-20/pi4"))) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }
}
