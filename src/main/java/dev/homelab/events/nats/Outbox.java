package dev.homelab.events.nats;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;

import dev.homelab.events.storage.EventFileName;
import dev.homelab.events.sync.SyncCursor;

/**
 * Publishes every event file that arrives in this node's store, in arrival order, from a durable cursor
 * ({@link OutboxCursor}): events written while NATS was unreachable go out when it is back, none lost.
 * Each message is the file's exact bytes, with the event id as {@code Nats-Msg-Id} (the stream drops a
 * republished id within its de-duplication window), the relative path and this node's name in headers.
 *
 * <p>
 * Files this node imported from NATS are not published again (they were already in the stream): the
 * inbox marks them in {@link #importedFromNats} before it writes them, and the outbox drops the mark when
 * it passes them. The marks live in memory; after a restart such a file may be published once more, which
 * the stream drops within its window and importers skip as identical beyond it.
 *
 * <p>
 * The backlog is what this outbox will still publish: the arrivals after the cursor, less those it will pass
 * over because they came from the stream. An imported file can sit behind the cursor with the node's own
 * events (NATS went away before the next pass), so counting arrivals alone would report events that will
 * never be sent, and for as long as NATS stays away.
 *
 * <p>
 * Not thread-safe: one caller at a time (the periodic pass).
 */
final class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);
    /** Marks kept at most; past that a file is simply published again (harmless, see above). */
    private static final int MAX_MARKS = 1_000_000;
    /** Pages {@link #measureBacklog} reads at most per call; a longer backlog is counted over the next passes. */
    static final int COUNT_PAGES = 20;

    private final LocalStore local;
    private final Path cursorFile;
    private final int batch;
    private final Duration timeout;
    private final Set<String> importedFromNats = ConcurrentHashMap.newKeySet();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private volatile long backlog = -1;
    private volatile Instant lastPublish;
    private OutboxCursor cursor;
    /**
     * How far {@link #measureBacklog} has counted past the cursor, and how many of those arrivals wait: each
     * arrival is read once while NATS is away, not once a pass. Null when nothing was counted since the cursor
     * last moved or a publish pass ran.
     */
    private SyncCursor countedTo;
    private long countedWaiting;

    Outbox(LocalStore local, Path cursorFile, String stream, int batch, Duration timeout) throws IOException {
        this.local = local;
        this.cursorFile = cursorFile;
        this.batch = batch;
        this.timeout = timeout;
        this.cursor = OutboxCursor.load(cursorFile).orElse(OutboxCursor.start(stream));
    }

    /**
     * Called by the inbox before it imports {@code path}; {@link #unmark} when the import wrote nothing, and only if
     * this call set the mark: a redelivery of a file imported a moment ago (IDENTICAL) must not take away the mark
     * of the first import, which the outbox has not passed yet.
     *
     * @return whether the mark was set now
     */
    boolean mark(String path) {
        return importedFromNats.size() < MAX_MARKS && importedFromNats.add(path);
    }

    void unmark(String path) {
        importedFromNats.remove(path);
    }

    /**
     * Adopts the stream as set up on the server. A different stream, or the same name created anew (its
     * creation time changed: deleted, or a server that lost its storage), starts publishing from the beginning.
     */
    void useStream(String stream, String created) throws IOException {
        if (stream.equals(cursor.stream()) && created.equals(cursor.streamCreated())) {
            return;
        }
        boolean fresh = cursor.streamCreated().isEmpty() && stream.equals(cursor.stream());
        if (!fresh) {
            LOG.infof("NATS stream %s (created %s) is not the one this node last published to (%s, created %s): "
                    + "publishing every event again", stream, created, cursor.stream(), cursor.streamCreated());
        }
        cursor = new OutboxCursor(fresh ? cursor.cursor() : SyncCursor.START, stream, created);
        cursor.save(cursorFile);
        countedTo = null;
    }

    /** THE decision whether an arrival goes out: not when this node imported it from the stream. */
    private boolean cameFromStream(LocalStore.Arrival a) {
        return a.bytes() == null || importedFromNats.contains(a.path()); // null: marked when listed, so not read
    }

    /**
     * Publishes everything that arrived after the cursor, page by page, saving the cursor after each page.
     * Stops at the first failed publish (the cursor stays before it; the next pass starts there).
     *
     * @return how many events were published now
     * @throws IOException when a publish failed or timed out, or the store could not be read
     */
    int publishPending(JetStream js, String stream) throws IOException, InterruptedException {
        countedTo = null; // this pass moves the cursor and sets the backlog itself
        int sent = 0;
        while (true) {
            LocalStore.Page page = local.arrivalsAfter(cursor.cursor(), batch, importedFromNats::contains);
            List<LocalStore.Arrival> items = page.items();
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>(items.size());
            PublishOptions.Builder opts = PublishOptions.builder().expectedStream(stream);
            for (LocalStore.Arrival a : items) {
                if (cameFromStream(a)) {
                    importedFromNats.remove(a.path()); // passed: the mark is not needed any more (back on a failure)
                    acks.add(null); // it came from the stream: nothing to publish
                    continue;
                }
                Path rel = Path.of(a.path());
                String type = EventFileName.parse(rel.getFileName().toString()).orElseThrow().type();
                Headers h = new Headers().put(Subjects.PATH_HEADER, a.path()).put(Subjects.ORIGIN_HEADER, local.node());
                acks.add(js.publishAsync(Subjects.subject(rel.getName(1).toString(), type), h, a.bytes(),
                        opts.messageId(a.id().toString()).build()));
            }
            SyncCursor reached = page.reset() ? SyncCursor.START : cursor.cursor();
            IOException failure = null;
            int failedAt = items.size();
            for (int i = 0; i < items.size(); i++) {
                CompletableFuture<PublishAck> f = acks.get(i);
                if (f != null) {
                    try {
                        PublishAck ack = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                        published.incrementAndGet();
                        sent++;
                        if (ack.isDuplicate()) {
                            duplicates.incrementAndGet();
                        }
                    } catch (ExecutionException | TimeoutException e) {
                        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                        failure = new IOException("publishing " + items.get(i).path() + " failed: " + cause, cause);
                        failedAt = i;
                        break;
                    }
                }
                reached = new SyncCursor(page.end().logId(), items.get(i).seq());
            }
            if (failure == null) {
                reached = page.end(); // also covers arrivals whose files are gone
            }
            if (!reached.equals(cursor.cursor())) {
                cursor = cursor.at(reached);
                cursor.save(cursorFile);
            }
            if (failure != null) {
                // the cursor stays before the failed event: it and the rest of this page come again next pass
                long waiting = 0;
                for (int i = failedAt; i < items.size(); i++) {
                    if (acks.get(i) == null) {
                        mark(items.get(i).path()); // still from the stream when the next pass meets it again
                    } else {
                        waiting++;
                    }
                }
                backlog = waiting + page.pending();
                throw failure;
            }
            if (sent > 0) {
                lastPublish = Instant.now();
            }
            if (items.isEmpty() || page.pending() == 0) {
                backlog = page.pending();
                return sent;
            }
        }
    }

    /**
     * Counts what waits to be published, without publishing; for when NATS is unreachable or not set up. Goes on
     * from where the last count stopped, so each arrival is read once however long NATS stays away; reads at
     * most {@link #COUNT_PAGES} pages, and counts arrivals beyond them as waiting until a later pass reads them.
     */
    void measureBacklog() throws IOException {
        SyncCursor from = countedTo == null ? cursor.cursor() : countedTo;
        long waiting = countedTo == null ? 0 : countedWaiting;
        long beyond;
        for (int pages = 1;; pages++) {
            LocalStore.Page page = local.arrivalsAfter(from, batch, importedFromNats::contains);
            if (page.reset()) {
                waiting = 0; // a new arrival log (the old one was deleted): the publish pass starts at its beginning too
            }
            for (LocalStore.Arrival a : page.items()) {
                if (!cameFromStream(a)) {
                    waiting++;
                }
            }
            boolean moved = !page.end().equals(from);
            from = page.end();
            beyond = page.pending();
            if (beyond == 0 || !moved || pages >= COUNT_PAGES) {
                break;
            }
        }
        countedTo = from;
        countedWaiting = waiting;
        backlog = waiting + beyond;
    }

    long backlog() {
        return backlog;
    }

    long published() {
        return published.get();
    }

    long duplicates() {
        return duplicates.get();
    }

    Instant lastPublish() {
        return lastPublish;
    }

    OutboxCursor cursor() {
        return cursor;
    }
}
