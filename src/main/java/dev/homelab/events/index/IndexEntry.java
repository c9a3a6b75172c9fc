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

    /**
     * Listing order: time, node, id. Total and stable, so cursors never skip or repeat. Defined once, in
     * {@link ListingOrder}, which must equal {@code Event.LISTING_ORDER}.
     */
    public static final Comparator<IndexEntry> BY_TIME = (a, b) -> ListingOrder.compare(
            a.timestampMicros(), a.node(), a.id().getMostSignificantBits(), a.id().getLeastSignificantBits(),
            b.timestampMicros(), b.node(), b.id().getMostSignificantBits(), b.id().getLeastSignificantBits());
}
