package dev.homelab.events.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Reads the files of one page or chain with several reads in flight. When the page cache is cold, each file
 * costs a disk read whose latency (not the CPU) dominates, and a page of fifty files read one after the other
 * adds up fifty of them; the disk serves several at once. Helpers start at once, also for cached files: fifty
 * cached reads and decodes still finish sooner on two threads than on one (docs/performance.md, part 5). The
 * calling thread reads too and helpers only take what is left, so a busy pool never makes a request wait for it:
 * at worst the caller reads everything itself.
 *
 * <p>
 * Thread-safety: any number of callers; the pool's daemon threads end when idle.
 */
final class ParallelReads {

    /**
     * Reads in flight per call besides the caller's own; disk latency, not cores, is what they overlap (a cold page
     * of fifty files: four rounds of disk reads instead of seven with eight in flight).
     */
    static final int HELPERS = 15;

    private static final ThreadPoolExecutor POOL = pool();

    private ParallelReads() {
    }

    private static ThreadPoolExecutor pool() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor p = new ThreadPoolExecutor(4 * HELPERS, 4 * HELPERS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(256), r -> {
                    Thread t = new Thread(r, "event-file-read-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** {@code read} applied to every item, results in the items' order; a read's exception is rethrown here. */
    static <T, R> List<R> map(List<T> items, Function<T, R> read) {
        int n = items.size();
        if (n < 2) {
            List<R> out = new ArrayList<>(n);
            items.forEach(i -> out.add(read.apply(i)));
            return out;
        }
        AtomicReferenceArray<Object> out = new AtomicReferenceArray<>(n);
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < n;) {
                out.compareAndSet(i, null, attempt(read, items.get(i)));
            }
        };
        for (int h = Math.min(n - 1, HELPERS); h > 0; h--) {
            try {
                POOL.execute(worker);
            } catch (RejectedExecutionException full) {
                break; // the caller reads what no helper takes
            }
        }
        worker.run();
        // Items a helper took but has not finished are read again here rather than waited for: on two busy cores a
        // helper preempted in the middle of a cached read would otherwise hold the page for a scheduler slice. A
        // read still waiting for the disk is joined by this one (same page of the same file), not repeated.
        for (int i = 0; i < n; i++) {
            if (out.get(i) == null) {
                out.compareAndSet(i, null, attempt(read, items.get(i)));
            }
        }
        List<R> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object r = out.get(i);
            if (r instanceof Failure f) {
                throw f.error();
            }
            @SuppressWarnings("unchecked")
            R value = r == NULL ? null : (R) r;
            results.add(value);
        }
        return results;
    }

    private static final Object NULL = new Object();

    /** A read that threw: kept in the slot so that the call rethrows it after the others finished. */
    private record Failure(RuntimeException error) {
    }

    private static <T, R> Object attempt(Function<T, R> read, T item) {
        try {
            R r = read.apply(item);
            return r == null ? NULL : r;
        } catch (RuntimeException e) {
            return new Failure(e);
        } catch (Error e) {
            return new Failure(new IllegalStateException(e));
        }
    }
}
