package dev.homelab.events.service;

import java.time.Instant;

/**
 * An entry under the store root that is not a readable event: it is skipped by every reader and never altered.
 *
 * @param path   relative to the store root
 * @param reason why it was skipped: TEMP_FILE, SYMLINK, NOT_REGULAR_FILE, FOREIGN, EMPTY, OVERSIZED, NOT_UTF8,
 *               CORRUPT_JSON, INVALID_EVENT, DUPLICATE_ID, IDENTICAL_COPY, UNREADABLE (the store's reader decides)
 * @param detail what exactly is wrong, for an operator
 * @param seenAt when it was found
 */
public record StoreProblem(String path, String reason, String detail, Instant seenAt) {
}
