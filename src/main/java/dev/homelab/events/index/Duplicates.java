package dev.homelab.events.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.FileProblem;
import dev.homelab.events.storage.ReadResult;

/**
 * Tells a harmless copy from a conflict when a second file carries an id the index already has (a
 * {@code cp -n} or {@code rsync} into another folder, a sync that raced a copy). Neither file is ever changed:
 * the index keeps the first one seen, and the second is reported, as a copy or as a conflict.
 */
public final class Duplicates {

    private Duplicates() {
    }

    /** The problem to report for {@code duplicate}, a second file with the id of the indexed {@code original}. */
    public static FileProblem problem(EventStore store, String duplicate, String original, UUID id, Instant seenAt) {
        if (sameContent(store, Path.of(duplicate), Path.of(original))) {
            return new FileProblem(duplicate, FileProblem.Reason.IDENTICAL_COPY,
                    "identical copy of " + original + " (id " + id + "); harmless, skipped", seenAt);
        }
        return new FileProblem(duplicate, FileProblem.Reason.DUPLICATE_ID, "id " + id + " is already stored at " + original
                + " with different content: a conflict; neither file is changed, the first one seen is served", seenAt);
    }

    /** Byte-identical files, or files holding equal events (same fields and payload, different formatting). */
    static boolean sameContent(EventStore store, Path a, Path b) {
        try {
            if (Files.mismatch(store.root().resolve(a), store.root().resolve(b)) == -1L) {
                return true;
            }
        } catch (IOException e) {
            return false; // one of them vanished or cannot be read: not provably the same
        }
        return store.read(a) instanceof ReadResult.Ok x && store.read(b) instanceof ReadResult.Ok y
                && x.event().equals(y.event());
    }
}
