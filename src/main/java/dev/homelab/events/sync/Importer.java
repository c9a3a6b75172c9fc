package dev.homelab.events.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventFileName;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.ReadResult;

/**
 * Writes files received from a peer into the local store under exactly their original path, with the
 * store's durable write, and indexes them. Idempotent: a file already present with identical bytes is
 * skipped. Never overwrites: a different file at that path, or the same id at another path, is a
 * conflict that is reported and left as it is. Thread-safe (the store's commit point arbitrates races).
 */
public class Importer {

    /** Where an archived copy of a path may be found, so archived days are not re-created live. */
    public interface ArchiveLookup {
        /** SHA-256 of the archived file at that relative path, if an archive holds it. */
        Optional<String> archivedSha256(String relativePath);

        ArchiveLookup NONE = path -> Optional.empty();
    }

    public enum Outcome {
        WRITTEN,
        IDENTICAL,
        CONFLICT,
        REJECTED
    }

    public record Result(Outcome outcome, String path, String detail) {
    }

    private final EventStore store;
    private final EventIndex index;
    private final Reconciler reconciler;
    private final ArchiveLookup archives;

    public Importer(EventStore store, EventIndex index, Reconciler reconciler, ArchiveLookup archives) {
        this.store = store;
        this.index = index;
        this.reconciler = reconciler;
        this.archives = archives;
    }

    public Result importItem(ExportPage.Item item) {
        String path = item.path();
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(item.content() == null ? "" : item.content());
        } catch (IllegalArgumentException e) {
            return new Result(Outcome.REJECTED, path, "content is not base64");
        }
        if (item.sha256() != null && !item.sha256().equals(Exporter.sha256(bytes))) {
            return new Result(Outcome.REJECTED, path, "content does not match its sha256 (damaged in transfer)");
        }
        Path relative;
        try {
            relative = Path.of(path == null ? "" : path);
            EventStore.checkLayoutPath(relative);
        } catch (IllegalArgumentException e) { // includes InvalidPathException
            return new Result(Outcome.REJECTED, path, e.getMessage());
        }
        EventFileName name = EventFileName.parse(relative.getFileName().toString()).orElseThrow();
        Optional<IndexEntry> sameId = index.get(name.id());
        if (sameId.isPresent() && !sameId.get().relativePath().equals(relative.toString())) {
            return new Result(Outcome.CONFLICT, path,
                    "id " + name.id() + " is already stored at " + sameId.get().relativePath());
        }
        Optional<String> archived = archives.archivedSha256(relative.toString());
        if (archived.isPresent()) {
            return archived.get().equals(Exporter.sha256(bytes))
                    ? new Result(Outcome.IDENTICAL, path, "already archived")
                    : new Result(Outcome.CONFLICT, path, "a different file with this path is archived");
        }
        EventStore.ImportOutcome outcome;
        try {
            outcome = store.importFile(relative, bytes);
        } catch (IllegalArgumentException e) {
            return new Result(Outcome.REJECTED, path, e.getMessage());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not write " + path + " durably", e);
        }
        return switch (outcome) {
            case WRITTEN -> {
                ReadResult r = store.codec().fromBytes(bytes, relative.toString(), Optional.of(name));
                if (r instanceof ReadResult.Ok ok) {
                    reconciler.indexNew(ok.event(), relative);
                }
                yield new Result(Outcome.WRITTEN, path, null);
            }
            case IDENTICAL -> new Result(Outcome.IDENTICAL, path, null);
            case CONFLICT ->
                new Result(Outcome.CONFLICT, path, "a different file with this path is already stored; it was kept");
        };
    }
}
