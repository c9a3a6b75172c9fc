package dev.homelab.events.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Optional;

import dev.homelab.events.index.EventWriter;

/**
 * Turns one item of a peer's export page into a call of the one write path ({@link EventWriter#importFile}):
 * decodes the base64 content, checks it against its SHA-256 (damage in transfer), and skips files that an
 * archive of this node already holds, so archived days are not re-created live. Everything else (path grammar,
 * content, never overwriting, the same id at another path, indexing) is the writer's. Thread-safe.
 */
public class Importer {

    /** Where an archived copy of a path may be found, so archived days are not re-created live. */
    public interface ArchiveLookup {
        /** SHA-256 of the archived file at that relative path, if an archive holds it. */
        Optional<String> archivedSha256(String relativePath);

        ArchiveLookup NONE = path -> Optional.empty();
    }

    /** In the order of {@link EventWriter.ImportResult.Outcome} (the puller counts by ordinal). */
    public enum Outcome {
        WRITTEN,
        IDENTICAL,
        CONFLICT,
        REJECTED
    }

    public record Result(Outcome outcome, String path, String detail) {
    }

    private final EventWriter writer;
    private final ArchiveLookup archives;

    public Importer(EventWriter writer, ArchiveLookup archives) {
        this.writer = writer;
        this.archives = archives;
    }

    /**
     * Imports one item.
     *
     * @throws UncheckedIOException when the store cannot write (disk full, read-only): the page stops there and
     *                              its cursor is not saved, so the item comes again
     */
    public Result importItem(ExportPage.Item item) {
        String path = item.path();
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(item.content() == null ? "" : item.content());
        } catch (IllegalArgumentException e) {
            return new Result(Outcome.REJECTED, path, "content is not base64");
        }
        String sha = Exporter.sha256(bytes);
        if (item.sha256() != null && !item.sha256().equals(sha)) {
            return new Result(Outcome.REJECTED, path, "content does not match its sha256 (damaged in transfer)");
        }
        Optional<String> archived = path == null ? Optional.empty() : archives.archivedSha256(path);
        if (archived.isPresent()) {
            return archived.get().equals(sha)
                    ? new Result(Outcome.IDENTICAL, path, "already archived")
                    : new Result(Outcome.CONFLICT, path, "a different file with this path is archived");
        }
        EventWriter.ImportResult r;
        try {
            r = writer.importFile(path, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + path + " durably", e);
        }
        return new Result(Outcome.valueOf(r.outcome().name()), r.path(), r.detail());
    }
}
