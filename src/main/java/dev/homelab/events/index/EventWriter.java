package dev.homelab.events.index;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.homelab.events.ConflictException;
import dev.homelab.events.Event;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.ReadResult;

/**
 * THE write path above the store. Every event that enters this store through this process goes here: new
 * events ({@link #append}: REST, MCP, function calling, ingest, all through the service) and byte-exact
 * copies ({@link #importFile}: sync import, archive restore, NATS). Each goes through the store's one
 * commit point ({@link EventStore}) and then through the one place that indexes it and counts it
 * ({@code indexWritten}), so an event is never written without being indexed, nor indexed twice, nor
 * counted differently depending on who wrote it.
 *
 * <p>
 * Metrics: {@code homelab.events.write} (timer of durable writes), {@code homelab.events.written{origin}}
 * (files written: {@code new} events or {@code import}ed copies), {@code homelab.events.rejected{reason}}
 * (writes that failed: {@code conflict}, {@code io_error}) and {@code homelab.events.imported{outcome}}
 * (every copy offered, by outcome), {@code homelab.events.group_commit.links} and
 * {@code homelab.events.group_commit.fsyncs} (new names linked, and the directory fsyncs that covered them: their
 * ratio is the mean batch of the store's group commit).
 *
 * <p>
 * Ids are unique in the whole store. A random id ({@link #append}) needs no check. An id the caller chose
 * ({@link #appendOnce}) and the id of a copy ({@link #importFile}) are checked against the index and written
 * under a lock of that id, so two concurrent requests with one id in this process yield exactly one file.
 * Across processes the commit point decides: a link never replaces a name, and the name carries the id.
 *
 * <p>
 * Listeners ({@link #addListener}: the audit trail's sealer) hear of every file after its commit point and its
 * index entry, on the writer's thread and possibly under an id lock, so they must only queue the work.
 *
 * <p>
 * Thread-safety: no state but the per-id locks and a copy-on-write listener list; the store's commit point
 * arbitrates races between writers, the index is safe for concurrent writers.
 */
public class EventWriter {

    /**
     * A new event, durably stored and indexed, its path relative to the store root and the bytes of its file (for
     * answers that echo the event without serializing it again; never modified).
     */
    public record Written(Event event, String relativePath, byte[] bytes) {
    }

    /**
     * What {@link #appendOnce} did: {@code created} when it wrote the event (then {@code bytes} are those of its
     * file), else {@code event} and {@code relativePath} are the stored event with that id (the same content: a
     * retry) and {@code bytes} are null.
     */
    public record Appended(Event event, String relativePath, boolean created, byte[] bytes) {
    }

    /** What {@link #importFile} did with one copy, with a detail message for anything but a plain write. */
    public record ImportResult(Outcome outcome, String path, String detail) {

        public enum Outcome {
            /** The file was missing and is now durably written and indexed. */
            WRITTEN,
            /** The very same bytes are already at that path; nothing changed. */
            IDENTICAL,
            /** A different file is at that path, or the event's id is stored at another path; the local file is kept. */
            CONFLICT,
            /** The path is outside the layout, or the bytes are not an event that belongs at that path. */
            REJECTED
        }
    }

    private final EventStore store;
    private final EventIndex index;
    private final MeterRegistry metrics;
    private final Timer writeTimer;
    /** Looked up once: a registry lookup per write (tags, id, map) costs more than the increment. */
    private final Counter writtenNew;
    private final Counter writtenImport;
    /** Per-id locks, striped: a check of an id and the write that follows it are one step for this process. */
    private final ReentrantLock[] idLocks = new ReentrantLock[64];
    /** Told about every file after its commit point and its index entry (the audit trail seals them). */
    private final List<EventFileListener> listeners = new CopyOnWriteArrayList<>();

    public EventWriter(EventStore store, EventIndex index, MeterRegistry metrics) {
        this.store = store;
        this.index = index;
        this.metrics = metrics;
        this.writeTimer = Timer.builder("homelab.events.write").description("Durable write of one event")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.writtenNew = metrics.counter("homelab.events.written", "origin", "new");
        this.writtenImport = metrics.counter("homelab.events.written", "origin", "import");
        FunctionCounter.builder("homelab.events.group_commit.links", store, s -> s.groupCommitStats().links())
                .description("New names linked into the store by this process").register(metrics);
        FunctionCounter.builder("homelab.events.group_commit.fsyncs", store, s -> s.groupCommitStats().directorySyncs())
                .description("Directory fsyncs that made those links durable, shared by concurrent writers")
                .register(metrics);
        for (int i = 0; i < idLocks.length; i++) {
            idLocks[i] = new ReentrantLock();
        }
    }

    /** A writer whose metrics go nowhere (tools and tests). */
    public EventWriter(EventStore store, EventIndex index) {
        this(store, index, new SimpleMeterRegistry());
    }

    public EventStore store() {
        return store;
    }

    /** Adds a listener told about every file this writer writes, after it is durable and indexed. */
    public void addListener(EventFileListener listener) {
        listeners.add(listener);
    }

    /**
     * Durably writes a new, already validated event, then indexes it. Returns only once it is on disk and
     * indexed.
     *
     * @throws FileAlreadyExistsException if a file with the event's name exists (it is left untouched)
     * @throws IOException if the write failed; nothing was stored then
     */
    public Written append(Event event) throws IOException {
        return append(event, true);
    }

    private Written append(Event event, boolean nameTakenIsConflict) throws IOException {
        Timer.Sample sample = Timer.start();
        String path = store.relativePathOf(event).toString();
        index.writing(path, true); // the watcher leaves it to us (see EventIndex.ownWrites)
        try {
            EventStore.Written stored;
            try {
                stored = store.write(event);
            } catch (FileAlreadyExistsException e) {
                if (nameTakenIsConflict) {
                    rejected("conflict");
                }
                throw e;
            } catch (IOException e) {
                rejected("io_error");
                throw e;
            } finally {
                sample.stop(writeTimer);
            }
            indexWritten(event, stored.relativePath(), stored.bytes(), "new");
            return new Written(event, stored.relativePath().toString(), stored.bytes());
        } finally {
            index.writing(path, false);
        }
    }

    /**
     * Writes a new, already validated event whose id the caller chose, at most once: if the store already holds
     * that id, nothing is written and the stored event is returned when {@code differences} finds none (a retry of
     * the same write), else a {@link ConflictException} names what differs. The check and the write run under
     * the lock of the id, so concurrent calls with one id in this process write exactly one file; a file of
     * another process under the very same name (the name carries the id) is found by the commit point and
     * treated alike.
     *
     * @param differences the fields in which a stored event with this id differs from {@code event}, empty when
     *                    it is the same event (the caller's rule: see {@code EventService})
     * @throws ConflictException when the id is stored with different content, or held by an unreadable file
     * @throws IOException if the write failed; nothing was stored then
     */
    public Appended appendOnce(Event event, Function<Event, List<String>> differences) throws IOException {
        ReentrantLock lock = lockOf(event.id());
        lock.lock();
        try {
            Optional<IndexEntry> known = index.get(event.id());
            if (known.isPresent()) {
                String path = known.get().relativePath();
                ReadResult r = store.read(Path.of(path));
                if (r instanceof ReadResult.Ok ok) {
                    return stored(event, ok.event(), path, differences);
                }
                if (Files.exists(store.root().resolve(path), LinkOption.NOFOLLOW_LINKS)) {
                    rejected("conflict");
                    throw new ConflictException("id", event.id().toString(), "is held by the file " + path
                            + ", which cannot be read as an event (see /api/store/problems); choose another id");
                }
                index.removePath(path); // the file is gone (removed by hand, archived): the files win
            }
            try {
                Written written = append(event, false);
                return new Appended(written.event(), written.relativePath(), true, written.bytes());
            } catch (FileAlreadyExistsException e) {
                // another process wrote this very name (the name carries the id) and it is not indexed yet
                Path relative = store.relativePathOf(event);
                ReadResult r = store.read(relative);
                if (r instanceof ReadResult.Ok ok) {
                    Appended same = stored(event, ok.event(), relative.toString(), differences);
                    indexFound(ok.event(), relative.toString(), ok.bytes());
                    return same;
                }
                throw new ConflictException("id", event.id().toString(), "is held by the file " + relative
                        + ", which cannot be read as an event (see /api/store/problems); choose another id");
            }
        } finally {
            lock.unlock();
        }
    }

    /** The stored event with the id of {@code event}, if {@code differences} finds none; else a conflict. */
    private Appended stored(Event event, Event stored, String path, Function<Event, List<String>> differences) {
        List<String> differ = differences.apply(stored);
        if (!differ.isEmpty()) {
            rejected("conflict");
            throw new ConflictException("id", event.id().toString(), "is already stored with different content ("
                    + String.join(", ", differ) + " differ) at " + path
                    + "; an id names one event: resend the same content to get it back, or choose a new id");
        }
        return new Appended(stored, path, false, null);
    }

    private ReentrantLock lockOf(UUID id) {
        return idLocks[Math.floorMod(id.hashCode(), idLocks.length)];
    }

    /**
     * Durably writes a copy of a file from another store (a peer, an archive) under exactly its relative path,
     * then indexes it. Never replaces anything: see {@link ImportResult.Outcome}.
     *
     * @throws IOException if the write failed (disk full, read-only...): not an outcome of this file but of the
     *                     store, so the caller stops rather than going on with the next file
     */
    public ImportResult importFile(String relativePath, byte[] bytes) throws IOException {
        EventStore.Checked checked;
        try {
            checked = store.checkImport(Path.of(relativePath == null ? "" : relativePath), bytes);
        } catch (IllegalArgumentException e) { // includes InvalidPathException
            return imported(ImportResult.Outcome.REJECTED, relativePath, e.getMessage());
        }
        Event event = checked.event();
        ReentrantLock lock = lockOf(event.id());
        lock.lock();
        try {
            return importChecked(checked, relativePath, bytes);
        } finally {
            lock.unlock();
        }
    }

    private ImportResult importChecked(EventStore.Checked checked, String relativePath, byte[] bytes)
            throws IOException {
        Event event = checked.event();
        String path = checked.relativePath().toString();
        Optional<IndexEntry> sameId = index.get(event.id());
        if (sameId.isPresent() && !sameId.get().relativePath().equals(path)) {
            return imported(ImportResult.Outcome.CONFLICT, relativePath,
                    "id " + event.id() + " is already stored at " + sameId.get().relativePath());
        }
        Timer.Sample sample = Timer.start();
        EventStore.ImportOutcome outcome;
        index.writing(path, true); // the watcher leaves it to us (see EventIndex.ownWrites)
        try {
            try {
                outcome = store.importFile(checked);
            } catch (IOException e) {
                rejected("io_error");
                throw e;
            } finally {
                sample.stop(writeTimer);
            }
            if (outcome == EventStore.ImportOutcome.WRITTEN) {
                indexWritten(event, checked.relativePath(), bytes, "import");
            }
        } finally {
            index.writing(path, false);
        }
        return switch (outcome) {
            case WRITTEN -> imported(ImportResult.Outcome.WRITTEN, relativePath, null);
            case IDENTICAL -> imported(ImportResult.Outcome.IDENTICAL, relativePath, null);
            case CONFLICT -> imported(ImportResult.Outcome.CONFLICT, relativePath,
                    "a different file with this path is already stored; it was kept");
        };
    }

    /**
     * The one place that indexes and counts a file this process has just durably written. Runs after the commit
     * point only: listeners (the sealer) never hear of a file that is not durably in place.
     */
    private void indexWritten(Event event, Path relative, byte[] bytes, String origin) {
        index.add(Reconciler.entryOf(event, relative.toString()));
        (origin.equals("new") ? writtenNew : writtenImport).increment();
        tell(relative.toString(), event, bytes);
    }

    /**
     * Indexes a file another process wrote and this one found on its write path (not counted as written here);
     * listeners hear of it too, since the reconciler skips a path once it is indexed.
     */
    private void indexFound(Event event, String relative, byte[] bytes) {
        index.add(Reconciler.entryOf(event, relative));
        tell(relative, event, bytes);
    }

    private void tell(String relative, Event event, byte[] bytes) {
        for (EventFileListener l : listeners) {
            l.eventFileSeen(relative, event, bytes);
        }
    }

    private void rejected(String reason) {
        metrics.counter("homelab.events.rejected", "reason", reason).increment();
    }

    private ImportResult imported(ImportResult.Outcome outcome, String path, String detail) {
        metrics.counter("homelab.events.imported", "outcome", outcome.name().toLowerCase(Locale.ROOT)).increment();
        return new ImportResult(outcome, path, detail);
    }
}
