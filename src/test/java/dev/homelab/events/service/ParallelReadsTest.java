package dev.homelab.events.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A page's files are read several at once, and the page is still exactly the page: order, failures, a busy pool. */
@Timeout(60)
class ParallelReadsTest {

    @Test
    void resultsKeepTheOrderOfTheEntries() {
        List<Integer> items = IntStream.range(0, 500).boxed().toList();
        assertEquals(items.stream().map(i -> "r" + i).toList(), ParallelReads.map(items, i -> "r" + i));
        assertEquals(List.of(), ParallelReads.map(List.<Integer>of(), i -> i));
        assertEquals(List.of(7), ParallelReads.map(List.of(7), i -> i));
    }

    @Test
    void slowReadsOverlap() throws Exception {
        // eight reads that each wait until four of them are running at once: only overlapping reads finish
        CountDownLatch together = new CountDownLatch(4);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Boolean> met = ParallelReads.map(List.of(1, 2, 3, 4, 5, 6, 7, 8), i -> {
            threads.add(Thread.currentThread().getName());
            together.countDown();
            try {
                return together.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(met.stream().allMatch(b -> b), "reads ran one after the other");
        assertTrue(threads.size() >= 4, threads.toString());
    }

    @Test
    void aFailingReadFailsTheCallAfterTheOthersFinished() {
        IllegalStateException boom = new IllegalStateException("boom");
        List<Integer> items = IntStream.range(0, 50).boxed().toList();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> ParallelReads.map(items, i -> {
            if (i == 17) {
                throw boom;
            }
            return i;
        }));
        assertSame(boom, thrown);
    }

    @Test
    @Timeout(20)
    void aHelperStuckInTheMiddleOfARead_doesNotHoldThePage() throws Exception {
        // a helper preempted (here: parked) after taking an item: the caller reads that item itself instead of
        // waiting for it; a call that waited would return only when the test released the helper, after it returned
        Thread caller = Thread.currentThread();
        CountDownLatch helperStuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean stalled = new AtomicBoolean();
        List<Integer> items = IntStream.range(0, 50).boxed().toList();
        try {
            List<Integer> page = ParallelReads.map(items, i -> {
                try {
                    if (Thread.currentThread() != caller && stalled.compareAndSet(false, true)) {
                        helperStuck.countDown();
                        release.await(60, TimeUnit.SECONDS);
                    } else if (Thread.currentThread() == caller) {
                        helperStuck.await(10, TimeUnit.SECONDS); // a helper holds an item before the caller goes on
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return i * 2;
            });
            assertTrue(stalled.get(), "no helper took an item");
            assertEquals(items.stream().map(i -> i * 2).toList(), page);
        } finally {
            release.countDown();
        }
    }

    @Test
    void nullResultsStayNullAndInPlace() {
        assertEquals(Arrays.asList(0, null, 2, null),
                ParallelReads.map(List.of(0, 1, 2, 3), i -> i % 2 == 0 ? i : null));
    }

    @Test
    void manyCallersAtOnceAllGetTheirPages() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(32);
        try {
            List<Future<List<Integer>>> pages = new ArrayList<>();
            for (int c = 0; c < 200; c++) {
                int base = c * 1000;
                pages.add(callers.submit(() -> ParallelReads.map(IntStream.range(0, 50).boxed().toList(), i -> base + i)));
            }
            for (int c = 0; c < pages.size(); c++) {
                int base = c * 1000;
                assertEquals(IntStream.range(0, 50).map(i -> base + i).boxed().toList(),
                        pages.get(c).get(30, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
