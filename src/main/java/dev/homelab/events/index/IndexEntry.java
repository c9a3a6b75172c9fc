package dev.homelab.events.index;

import java.util.Comparator;
import java.util.UUID;

import dev.homelab.events.Severity;

/**
 * What the index keeps of one event: everything a filter needs, and the file to read for the rest.
 * Payloads stay on disk. Strings are deduplicated by the index, so repeated names cost one reference.
 */
public record IndexEntry(
        UUID id,
        long timestampMicros,
        String node,
        String type,
        Severity severity,
        String source,
        String service,
        String correlationId,
        String relativePath) {

    /** Listing order: time, node, id. Total and stable, so cursors never skip or repeat. */
    public static final Comparator<IndexEntry> BY_TIME = Comparator.comparingLong(IndexEntry::timestampMicros)
            .thenComparing(IndexEntry::node)
            .thenComparing(IndexEntry::id);
}
