package dev.homelab.events.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.homelab.events.Event;
import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.index.EventFileListener;
import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventFiles;
import dev.homelab.events.storage.ReadResult;

/**
 * Seals event files: appends each file's SHA-256 to the seal record of its node-day
 * ({@code .audit/<date>/<node>.seals}, see {@link Seal}), once, the first time this process sees the file.
 *
 * <p>
 * Files arrive two ways. The write path and the reconciler tell it about every file they write or find
 * ({@link EventFileListener}); that call only queues the file, so a request never waits for sealing. A consumer
 * thread takes what arrived during one window ({@code homelab.audit.seal-window}), then appends all of it with one
 * write and one {@code fsync} per touched record (group commit). {@link #sweep} lists a node-day's directory and
 * seals whatever the record lacks: files written while the server was down, files whose seal a crash lost, files
 * dropped because the queue was full.
 *
 * <p>
 * Durability: an appended line counts only after its {@code fsync}; if that fails, the files are forgotten and
 * their node-day swept again later. A crash during an append leaves at most a torn last line: the next append to
 * that record first ends it with a newline, so it stays a line of its own that readers report and skip
 * ({@link SealFile}), and the file it was for, not being sealed, is sealed again by the start-up sweep. A file
 * already sealed is never sealed again, whatever its bytes are now (a changed file must not overwrite its seal).
 *
 * <p>
 * Thread-safety: {@link #eventFileSeen} may be called from any thread at any time; everything else runs under one
 * lock. One process seals a store: two servers on one store directory would interleave their records.
 */
final class Sealer implements EventFileListener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Sealer.class);

    /** Seal records kept open and their path sets in memory: enough for today, yesterday and late arrivals. */
    private static final int MAX_OPEN_DAYS = 16;
    /** Paths held in memory over all open records at most (about 150 bytes each). */
    private static final int MAX_CACHED_PATHS = 400_000;

    private record Pending(String path, Event event, byte[] bytes) {
    }

    private final AuditLayout layout;
    private final EventFiles files;
    private final Supplier<Instant> clock;
    private final BlockingQueue<Pending> queue;
    private final Set<NodeDay> dirty = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    /** Open records, least recently used first; guarded by {@link #lock}. */
    private final LinkedHashMap<NodeDay, DayRecord> days = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicLong sealedCount = new AtomicLong();
    private final AtomicLong droppedCount = new AtomicLong();
    private volatile Thread consumer;
    private volatile boolean stopping;
    private volatile BooleanSupplier holding = () -> false;

    Sealer(AuditLayout layout, EventFiles files, Clock clock, int capacity) {
        this.layout = layout;
        this.files = files;
        this.clock = clock::instant;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
    }

    /** Files sealed by this process so far. */
    long sealedCount() {
        return sealedCount.get();
    }

    /** Files that found the queue full (their node-day is swept instead). */
    long droppedCount() {
        return droppedCount.get();
    }

    int queued() {
        return queue.size();
    }

    @Override
    public void eventFileSeen(String relativePath, Event event, byte[] bytes) {
        // the node-day is worked out by the consumer: on a first start this runs in the scan threads for every file
        if (!queue.offer(new Pending(relativePath, event, bytes))) {
            droppedCount.incrementAndGet();
            NodeDay day = NodeDay.ofPath(relativePath);
            if (day != null) {
                dirty.add(day);
            }
        }
    }

    /**
     * While {@code hold} says so, the consumer thread leaves the queue alone: the server's first scan hands every
     * file of a store the audit trail never saw to this sealer, and hashing them competed with the scan for the same
     * cores. Files keep queueing meanwhile (beyond the queue's capacity their node-day is marked for a sweep), so
     * nothing goes unsealed; {@link #sealPending} still seals at once when asked.
     */
    void holdWhile(BooleanSupplier hold) {
        holding = hold;
    }

    /** Starts the consumer thread: it seals what arrives, each batch {@code window} after its first file. */
    void start(Duration window) {
        long windowNanos = Math.max(0, window.toNanos());
        Thread t = new Thread(() -> consume(windowNanos), "audit-sealer");
        t.setDaemon(true);
        consumer = t;
        t.start();
    }

    private void consume(long windowNanos) {
        while (!stopping) {
            try {
                if (holding.getAsBoolean()) {
                    TimeUnit.MILLISECONDS.sleep(100);
                    continue;
                }
                Pending first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                if (windowNanos > 0) {
                    TimeUnit.NANOSECONDS.sleep(windowNanos); // the group commit window: let more files arrive
                }
                seal(first);
            } catch (InterruptedException e) {
                if (stopping) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Sealing failed (%s); the files concerned are sealed at the next sweep", e.toString());
            }
        }
    }

    /** Seals everything queued now: one append and one fsync per touched seal record. Returns how many files. */
    int sealPending() throws IOException {
        return seal(null);
    }

    private int seal(Pending first) throws IOException {
        lock.lock();
        try {
            List<Pending> batch = new ArrayList<>();
            if (first != null) {
                batch.add(first);
            }
            queue.drainTo(batch);
            if (batch.isEmpty()) {
                return 0;
            }
            Instant now = clock.get();
            Map<DayRecord, List<Seal>> out = new LinkedHashMap<>();
            for (Pending p : batch) {
                NodeDay d = NodeDay.ofPath(p.path);
                if (d == null) {
                    continue; // not <date>/<node>/<file>: no seal record to put it in
                }
                DayRecord rec;
                try {
                    rec = record(d);
                } catch (IOException e) {
                    dirty.add(d);
                    LOG.warnf("Seal record of %s unreadable (%s); sweeping it later", d, e.toString());
                    continue;
                }
                if (rec.sealed.contains(p.path)) {
                    continue;
                }
                byte[] bytes = p.bytes;
                if (bytes == null) {
                    try {
                        bytes = EventFiles.readAtMost(layout.root().resolve(p.path), files.maxBytes() + 1);
                    } catch (FileSystemException gone) {
                        continue; // removed or replaced by something that is not a file: nothing to seal
                    }
                }
                rec.sealed.add(p.path);
                out.computeIfAbsent(rec, r -> new ArrayList<>()).add(Seal.of(p.path, bytes, now, p.event));
            }
            return commit(out);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Seals every event file of the node-day that its record lacks (as the one reader reads them), appending them
     * together. Returns how many files were sealed.
     */
    int sweep(NodeDay d) throws IOException {
        lock.lock();
        try {
            dirty.remove(d);
            DayRecord rec = record(d);
            Instant now = clock.get();
            List<Seal> seals = new ArrayList<>();
            for (String name : AuditLayout.names(layout.root().resolve(d.date()).resolve(d.node()))) {
                String rel = d + "/" + name;
                if (rec.sealed.contains(rel) || name.startsWith(".")) {
                    continue;
                }
                if (files.readForIndex(Path.of(rel)) instanceof ReadResult.Ok ok) { // the seal needs no payload tree
                    rec.sealed.add(rel);
                    seals.add(Seal.of(rel, ok.bytes(), now, ok.event()));
                }
            }
            Map<DayRecord, List<Seal>> out = new LinkedHashMap<>();
            out.put(rec, seals);
            return commit(out);
        } catch (IOException e) {
            dirty.add(d);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Node-days whose files may not all be sealed (the queue was full, or an append failed). */
    boolean isDirty(NodeDay d) {
        return dirty.contains(d);
    }

    /**
     * Runs {@code work} while no seal is appended, with the node-day's record read in full. A torn last line is
     * ended with a newline first, so what {@code work} sees ends at a line boundary.
     */
    <T> T withRecord(NodeDay d, RecordWork<T> work) throws IOException {
        lock.lock();
        try {
            Path file = layout.seals(d.date(), d.node());
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                DayRecord rec = record(d);
                rec.open(); // ends a torn last line
                rec.closeChannel();
            }
            return work.run(SealFile.read(file));
        } finally {
            lock.unlock();
        }
    }

    interface RecordWork<T> {
        T run(SealFile.Contents contents) throws IOException;
    }

    /** Appends each record's new lines with one write and one fsync; a failure forgets them (swept again later). */
    private int commit(Map<DayRecord, List<Seal>> out) throws IOException {
        IOException failed = null;
        int n = 0;
        for (Map.Entry<DayRecord, List<Seal>> e : out.entrySet()) {
            DayRecord rec = e.getKey();
            if (e.getValue().isEmpty()) {
                continue;
            }
            try {
                rec.append(e.getValue());
                n += e.getValue().size();
            } catch (IOException ex) {
                e.getValue().forEach(s -> rec.sealed.remove(s.path()));
                rec.closeChannel();
                dirty.add(rec.day);
                failed = failed == null ? ex : failed;
            }
        }
        sealedCount.addAndGet(n);
        if (failed != null) {
            throw failed;
        }
        return n;
    }

    /** The open record of a node-day, read from its file on first use. */
    private DayRecord record(NodeDay d) throws IOException {
        DayRecord rec = days.get(d);
        if (rec == null) {
            rec = new DayRecord(d, layout.seals(d.date(), d.node()));
            for (SealFile.Line line : SealFile.read(rec.file).lines()) {
                rec.sealed.add(line.seal().path());
            }
            days.put(d, rec);
            evict(d);
        }
        return rec;
    }

    private void evict(NodeDay keep) {
        int paths = days.values().stream().mapToInt(r -> r.sealed.size()).sum();
        Iterator<Map.Entry<NodeDay, DayRecord>> it = days.entrySet().iterator();
        while (it.hasNext() && (days.size() > MAX_OPEN_DAYS || paths > MAX_CACHED_PATHS)) {
            Map.Entry<NodeDay, DayRecord> eldest = it.next();
            if (eldest.getKey().equals(keep)) {
                continue;
            }
            paths -= eldest.getValue().sealed.size();
            eldest.getValue().closeChannel();
            it.remove();
        }
    }

    @Override
    public void close() {
        stopping = true;
        Thread t = consumer;
        if (t != null) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            try {
                seal(null); // what is queued at a clean shutdown is sealed now rather than at the next start
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Sealing at shutdown failed (%s); the next start seals those files", e.toString());
            }
            days.values().forEach(DayRecord::closeChannel);
            days.clear();
        } finally {
            lock.unlock();
        }
    }

    /** One node-day's seal record: the paths it holds and, while appending, its channel. Guarded by the sealer's lock. */
    private final class DayRecord {
        final NodeDay day;
        final Path file;
        final Set<String> sealed = new HashSet<>();
        FileChannel channel;

        DayRecord(NodeDay day, Path file) {
            this.day = day;
            this.file = file;
        }

        /** Opens for appending; a new file's directory entry is forced, a torn last line is ended. */
        void open() throws IOException {
            if (channel != null) {
                return;
            }
            layout.createParents(file);
            boolean existed = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
            if (existed && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("not a regular file (never followed): " + file);
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS);
            try {
                if (!existed) {
                    DurableFiles.forceDirectory(file.getParent());
                } else if (ch.size() > 0 && !endsWithNewline(ch.size())) {
                    // a crash tore the last line: end it, so it stays a fragment of its own and is reported as one
                    write(ch, new byte[]{ '\n' });
                    ch.force(true);
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            channel = ch;
        }

        private boolean endsWithNewline(long size) throws IOException {
            try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                return r.read(b, size - 1) == 1 && b.get(0) == '\n';
            }
        }

        /**
         * Appends and closes again: no file of the store stays open for writing between batches, so an operator can
         * still remount the store read-only (a busy mount refuses that; StoreFaultsTest.readOnlyStore).
         */
        void append(List<Seal> seals) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(seals.size() * 260);
            for (Seal s : seals) {
                buf.writeBytes(s.toLine());
            }
            open();
            try {
                write(channel, buf.toByteArray());
                channel.force(true); // the seals are durable only now
            } finally {
                closeChannel();
            }
        }

        private void write(FileChannel ch, byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        void closeChannel() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debugf("Closing %s: %s", file, e);
                }
                channel = null;
            }
        }
    }
}
