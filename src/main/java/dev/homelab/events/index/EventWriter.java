package dev.homelab.events.index;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.homelab.events.Event;
import dev.homelab.events.storage.EventStore;

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
 * (every copy offered, by outcome).
 *
 * <p>
 * Thread-safety: stateless; the store's commit point arbitrates races between writers, the index is safe for
 * concurrent writers.
 */
public class EventWriter {

    /** A new event, durably stored and indexed, and its path relative to the store root. */
    public record Written(Event event, String relativePath) {
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
    private final List<EventFileListener> listeners = new CopyOnWriteArrayList<>();

    public EventWriter(EventStore store, EventIndex index, MeterRegistry metrics) {
        this.store = store;
        this.index = index;
        this.metrics = metrics;
        this.writeTimer = Timer.builder("homelab.events.write").description("Durable write of one event")
                .publishPercentiles(0.5, 0.99).register(metrics);
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
        Timer.Sample sample = Timer.start();
        Path relative;
        try {
            relative = store.append(event);
        } catch (FileAlreadyExistsException e) {
            rejected("conflict");
            throw e;
        } catch (IOException e) {
            rejected("io_error");
            throw e;
        } finally {
            sample.stop(writeTimer);
        }
        indexWritten(event, relative, null, "new");
        return new Written(event, relative.toString());
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
        String path = checked.relativePath().toString();
        Optional<IndexEntry> sameId = index.get(event.id());
        if (sameId.isPresent() && !sameId.get().relativePath().equals(path)) {
            return imported(ImportResult.Outcome.CONFLICT, relativePath,
                    "id " + event.id() + " is already stored at " + sameId.get().relativePath());
        }
        Timer.Sample sample = Timer.start();
        EventStore.ImportOutcome outcome;
        try {
            outcome = store.importFile(checked);
        } catch (IOException e) {
            rejected("io_error");
            throw e;
        } finally {
            sample.stop(writeTimer);
        }
        return switch (outcome) {
            case WRITTEN -> {
                indexWritten(event, checked.relativePath(), bytes, "import");
                yield imported(ImportResult.Outcome.WRITTEN, relativePath, null);
            }
            case IDENTICAL -> imported(ImportResult.Outcome.IDENTICAL, relativePath, null);
            case CONFLICT -> imported(ImportResult.Outcome.CONFLICT, relativePath,
                    "a different file with this path is already stored; it was kept");
        };
    }

    /** The one place that indexes and counts a file this process has just durably written. */
    private void indexWritten(Event event, Path relative, byte[] bytes, String origin) {
        index.add(Reconciler.entryOf(event, relative.toString()));
        metrics.counter("homelab.events.written", "origin", origin).increment();
        for (EventFileListener l : listeners) {
            l.eventFileSeen(relative.toString(), event, bytes);
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
