package dev.homelab.events;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One stored event: the eight fields of the specification plus its id (the UUID in its file name).
 * Fields that a foreign writer added are kept in {@code extra} and rendered back at the top level.
 */
@JsonPropertyOrder({ "id", "timestamp", "node", "type", "severity", "source", "service", "correlation_id", "payload" })
public record Event(
        UUID id,
        @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", timezone = "UTC") Instant timestamp,
        String node,
        String type,
        Severity severity,
        String source,
        String service,
        @JsonProperty("correlation_id") String correlationId,
        ObjectNode payload,
        @JsonAnyGetter Map<String, JsonNode> extra) {

    public Event {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    /**
     * The order of every listing: time, then node, then id, so that equal timestamps still sort stably and
     * cursors never skip or repeat. The index keeps the same order on its rows ({@code IndexEntry.BY_TIME});
     * nothing else defines one.
     */
    public static final Comparator<Event> LISTING_ORDER = Comparator.comparing(Event::timestamp)
            .thenComparing(Event::node)
            .thenComparing(Event::id);

    /** {@link #LISTING_ORDER} as a method reference, for callers written against it. */
    public static int compareByTime(Event a, Event b) {
        return LISTING_ORDER.compare(a, b);
    }
}
