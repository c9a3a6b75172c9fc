package dev.homelab.events.sync;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One page of {@code GET /api/sync/export}: files in arrival order after a cursor.
 *
 * @param node       the exporting node's name
 * @param items      the files, oldest arrival first
 * @param nextCursor where the next request continues (opaque; always set, equal to the request's when empty)
 * @param hasMore    more files follow right now
 * @param pending    files after {@code nextCursor} at the time of this page (the importer's lag)
 * @param reset      the given cursor belongs to another arrival log (rebuilt store): this page starts from 0
 * @param skipped    numbered files that are gone (archived or removed) and were passed over
 */
public record ExportPage(
        String node,
        List<Item> items,
        @JsonProperty("next_cursor") String nextCursor,
        @JsonProperty("has_more") boolean hasMore,
        long pending,
        boolean reset,
        int skipped) {

    /**
     * One file: its arrival number, id, path relative to the store root, SHA-256 of its bytes, and the exact
     * bytes in base64, so the importer can write the very same file under the very same path.
     */
    public record Item(long seq, UUID id, String path, String sha256, String content) {
    }
}
