package dev.homelab.events.nats;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import dev.homelab.events.sync.ExportPage;
import dev.homelab.events.sync.Importer;
import dev.homelab.events.sync.SyncCursor;

/**
 * This node's store as NATS replication sees it: the two seams it uses, each in one method, so that the
 * consolidation (issue 12) can switch each in one place.
 * <ul>
 * <li>{@link #arrivalsAfter}: every event file that landed in the store, whoever wrote it (server, bash,
 * Python, sync, restore), in this node's arrival order, with its exact bytes. Today that is the sync
 * exporter's feed ({@code sync.Exporter} over {@code sync.ArrivalLog}), which reads each file through the
 * store's reader.</li>
 * <li>{@link #importFile}: the byte-exact, idempotent, never-overwriting import that peer sync uses. Today
 * {@code sync.Importer.importItem}; after issue 12, {@code index.EventWriter.importFile(path, bytes)}.</li>
 * </ul>
 * Thread-safe when the feed and importer are (both are).
 */
public final class LocalStore {

    /**
     * The arrival-ordered export feed: today {@code SyncService.export} or an {@code Exporter}. Files for which
     * {@code unread} holds are listed without being read (id and content null).
     */
    @FunctionalInterface
    public interface ArrivalFeed {
        ExportPage after(SyncCursor cursor, int limit, Predicate<String> unread) throws IOException;
    }

    /** What an import did: the outcomes of the store's single import path. */
    public enum Outcome {
        WRITTEN,
        IDENTICAL,
        CONFLICT,
        REJECTED
    }

    public record Imported(Outcome outcome, String detail) {
    }

    /** One event file: its arrival number, id, path relative to the root, and exact bytes (id and bytes null: not read). */
    public record Arrival(long seq, UUID id, String path, byte[] bytes) {
    }

    /**
     * A page of arrivals.
     *
     * @param end     the cursor after the last arrival looked at (gone files included)
     * @param pending arrivals after {@code end}
     * @param reset   the given cursor belonged to an earlier arrival log: this page starts again from 0
     */
    public record Page(List<Arrival> items, SyncCursor end, long pending, boolean reset) {
    }

    private final String node;
    private final ArrivalFeed feed;
    private final Importer importer;

    public LocalStore(String node, ArrivalFeed feed, Importer importer) {
        this.node = node;
        this.feed = feed;
        this.importer = importer;
    }

    /** This node's name: the origin of what it publishes. */
    public String node() {
        return node;
    }

    /**
     * SEAM (arrival order): up to {@code limit} event files that arrived after {@code after}; those for which
     * {@code unread} holds are listed without their bytes (the outbox passes over them, and reading them costs).
     */
    public Page arrivalsAfter(SyncCursor after, int limit, Predicate<String> unread) throws IOException {
        ExportPage page = feed.after(after, limit, unread);
        SyncCursor end = SyncCursor.decode(page.nextCursor())
                .orElseThrow(() -> new IOException("the export feed returned a cursor it cannot read: " + page.nextCursor()));
        List<Arrival> items = new ArrayList<>(page.items().size());
        for (ExportPage.Item i : page.items()) {
            items.add(new Arrival(i.seq(), i.id(), i.path(),
                    i.content() == null ? null : Base64.getDecoder().decode(i.content())));
        }
        return new Page(items, end, page.pending(), page.reset());
    }

    /**
     * SEAM (import): writes {@code bytes} under {@code relativePath} through the store's single import path.
     *
     * @throws java.io.UncheckedIOException when the disk refused the write (nothing was acknowledged: retry later)
     */
    public Imported importFile(String relativePath, byte[] bytes) {
        Importer.Result r = importer.importItem(
                new ExportPage.Item(0, null, relativePath, null, Base64.getEncoder().encodeToString(bytes)));
        return new Imported(Outcome.valueOf(r.outcome().name()), r.detail());
    }
}
