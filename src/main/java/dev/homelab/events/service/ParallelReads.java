package dev.homelab.events.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Reads the files of one page or chain with several reads in flight. When the page cache is cold, each file
 * costs a disk read whose latency (not the CPU) dominates, and a page of fifty files read one after the other
 * adds up fifty of them; the disk serves several at once. The calling thread reads too and helpers only take
 * what is left, so a busy pool never makes a request wait for it: at worst the caller reads everything itself.
 *
 * <p>
 * Thread-safety: any number of callers; the pool's daemon threads end when idle.
 */
final class ParallelReads {

    /** Reads in flight per call besides the caller's own; disk latency, not cores, is what they overlap. */
    static final int HELPERS = 7;

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
        Object[] out = new Object[n];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < n;) {
                try {
                    out[i] = read.apply(items.get(i));
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e instanceof RuntimeException re ? re : new IllegalStateException(e));
                } finally {
                    done.countDown();
                }
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
        awaitUninterruptibly(done);
        if (failure.get() != null) {
            throw failure.get();
        }
        @SuppressWarnings("unchecked")
        List<R> results = (List<R>) Arrays.asList(out);
        return results;
    }

    /** The reads still running are a few file reads: waiting for them is short, and their results are needed. */
    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
