package dev.homelab.events.storage;

import java.time.Instant;

/** An entry under the store root that is not a readable event; it is skipped, never altered. */
public record FileProblem(String path, Reason reason, String detail, Instant seenAt) {

    public enum Reason {
        /** A dot-prefixed file: a writer's temporary file, or one left by a crash. */
        TEMP_FILE,
        SYMLINK,
        NOT_REGULAR_FILE,
        /** A file or directory that has no place in the layout (wrong depth, not .json, bad date folder). */
        FOREIGN,
        EMPTY,
        OVERSIZED,
        NOT_UTF8,
        CORRUPT_JSON,
        INVALID_EVENT,
        /** A second file with an id that another file already has, with different content: a conflict, neither is changed. */
        DUPLICATE_ID,
        /** A second file with an id that another file already has, with the same content (a copy, a sync): harmless. */
        IDENTICAL_COPY,
        UNREADABLE
    }
}
