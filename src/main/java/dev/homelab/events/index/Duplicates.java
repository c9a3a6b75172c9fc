package dev.homelab.events.index;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

import dev.homelab.events.storage.EventFiles;
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
    public static FileProblem problem(EventFiles files, String duplicate, String original, UUID id, Instant seenAt) {
        if (sameContent(files, Path.of(duplicate), Path.of(original))) {
            return new FileProblem(duplicate, FileProblem.Reason.IDENTICAL_COPY,
                    "identical copy of " + original + " (id " + id + "); harmless, skipped", seenAt);
        }
        return new FileProblem(duplicate, FileProblem.Reason.DUPLICATE_ID, "id " + id + " is already stored at " + original
                + " with different content: a conflict; neither file is changed, the first one seen is served", seenAt);
    }

    /**
     * Byte-identical files, or files holding equal events (same fields and payload, different formatting).
     * Both are read by the one reader: a FIFO swapped in for either is never opened.
     */
    static boolean sameContent(EventFiles files, Path a, Path b) {
        if (files.read(a) instanceof ReadResult.Ok x && files.read(b) instanceof ReadResult.Ok y) {
            return Arrays.equals(x.bytes(), y.bytes()) || x.event().equals(y.event());
        }
        return false; // one of them vanished or is not an event: not provably the same
    }
}
