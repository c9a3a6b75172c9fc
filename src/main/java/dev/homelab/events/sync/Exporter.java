package dev.homelab.events.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

import dev.homelab.events.index.EventFileListener;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.storage.EventFileName;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.ReadResult;

/**
 * Serves this node's files in arrival order (see {@link ArrivalLog} for why not by timestamp). Before each
 * page, every path the index knows is numbered, so a file is exportable as soon as it is indexed. Files are
 * read with the store's one reader ({@code EventFiles}): whatever it does not read as an event is passed over.
 * Thread-safe: the log is synchronized and files are read-only.
 */
public class Exporter {

    /** Stop filling a page beyond this much content, so a page of large files stays a sane response. */
    static final long PAGE_MAX_BYTES = 4L * 1024 * 1024;

    private final EventStore store;
    private final EventIndex index;
    private final ArrivalLog log;
    private final String node;

    public Exporter(EventStore store, EventIndex index, ArrivalLog log, String node) {
        this.store = store;
        this.index = index;
        this.log = log;
        this.node = node;
    }

    /** A full pass over the index's paths costs O(events); between changes of its size, at most one per this long. */
    static final long FULL_REFRESH_MILLIS = 1000;
    /**
     * With {@link #listener()} wired to the write path and the reconciler, new files are numbered from what they
     * report, and the full pass is only the safety net for a file indexed by another route: at most this often.
     * Without it, 50 nodes of 50,000 events each spent more CPU on full passes than a 2-core machine has.
     */
    static final long FED_FULL_REFRESH_MILLIS = 30_000;

    private long refreshedSize = -1;
    private long refreshedAt;
    private volatile boolean fed;
    private final Queue<String> reported = new ConcurrentLinkedQueue<>();

    /**
     * A listener for {@code EventWriter.addListener} and {@code Reconciler.addListener}: each file they report is
     * numbered at the next {@link #refresh()} without a full pass. Only queues (never blocks the writer).
     */
    public EventFileListener listener() {
        fed = true;
        return (relativePath, event, bytes) -> reported.add(relativePath);
    }

    /**
     * Numbers every indexed path not numbered yet; returns how many were new. Reported files (see
     * {@link #listener()}) are numbered once indexed; the full pass is skipped when the index size is unchanged
     * and the last pass is recent (with a listener: when the last one is recent at all). A file removed and
     * another added meanwhile is then numbered at a later pass. That only delays it; it is never lost, since a
     * later number still comes after every cursor handed out before.
     */
    public synchronized int refresh() throws IOException {
        long size = index.size();
        long now = System.currentTimeMillis();
        boolean full = fed
                ? now - refreshedAt >= FED_FULL_REFRESH_MILLIS
                : size != refreshedSize || now - refreshedAt >= FULL_REFRESH_MILLIS;
        if (!full) {
            return recordReported();
        }
        reported.clear(); // the full pass covers them
        int added = log.record(new ArrayList<>(index.paths()));
        refreshedSize = size;
        refreshedAt = now;
        return added;
    }

    /** The next {@link #refresh()} makes the full pass (tests). */
    synchronized void fullPassDue() {
        refreshedAt = 0;
    }

    /** Numbers the reported files that are indexed; keeps the others (reported just before indexing) for later. */
    private int recordReported() throws IOException {
        List<String> ready = new ArrayList<>();
        List<String> later = new ArrayList<>();
        for (String p; (p = reported.poll()) != null;) {
            (index.containsPath(p) ? ready : later).add(p);
        }
        reported.addAll(later); // not indexed yet, or never (a duplicate): the next full pass settles them
        return ready.isEmpty() ? 0 : log.record(ready);
    }

    public ArrivalLog log() {
        return log;
    }

    public ExportPage export(SyncCursor after, int limit) throws IOException {
        return export(after, limit, path -> false);
    }

    /**
     * As {@link #export(SyncCursor, int)}, but the files for which {@code unread} holds are listed without being
     * read (id, sha256 and content null): the NATS outbox passes over the files it imported from the stream, and
     * reading each of them again cost as much as importing it.
     */
    public ExportPage export(SyncCursor after, int limit, Predicate<String> unread) throws IOException {
        refresh();
        boolean reset = !after.logId().isEmpty() && (!after.logId().equals(log.logId()) || after.seq() > log.last());
        long from = after.logId().isEmpty() || reset ? 0 : after.seq();
        List<ExportPage.Item> items = new ArrayList<>();
        long position = from;
        long bytes = 0;
        int skipped = 0;
        for (ArrivalLog.Arrival a : log.after(from, limit)) {
            if (bytes >= PAGE_MAX_BYTES) {
                break;
            }
            position = a.seq();
            if (unread.test(a.path())) {
                items.add(new ExportPage.Item(a.seq(), null, a.path(), null, null));
                continue;
            }
            Optional<ReadResult.Ok> file = readFile(a.path());
            if (file.isEmpty()) {
                skipped++; // archived, removed or no longer an event file since it arrived: move past it
                if (!index.containsPath(a.path())) {
                    log.forget(a.path());
                }
                continue;
            }
            byte[] content = file.get().bytes();
            items.add(new ExportPage.Item(a.seq(), file.get().event().id(), a.path(), sha256(content),
                    Base64.getEncoder().encodeToString(content)));
            bytes += content.length;
        }
        long pending = log.last() - position;
        return new ExportPage(node, items, new SyncCursor(log.logId(), position).encode(), pending > 0, pending, reset,
                skipped);
    }

    /**
     * The file at {@code relative} if the one reader reads it as an event (so a FIFO swapped in never blocks
     * a page and an oversized file is never loaded) and its path can be re-created on the peer.
     */
    private Optional<ReadResult.Ok> readFile(String relative) {
        Path rel;
        try {
            rel = Path.of(relative);
            EventFileName.checkLayoutPath(rel);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // only files that follow the layout can be re-created under the same path
        }
        // the bytes and the id are what is sent: no payload tree needed
        return store.files().readForIndex(rel) instanceof ReadResult.Ok ok ? Optional.of(ok) : Optional.empty();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
