package dev.homelab.events;

import java.time.Instant;
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

    /** The ordering of every listing: time, then node, then id, so that equal timestamps still sort stably. */
    public static int compareByTime(Event a, Event b) {
        int c = a.timestamp.compareTo(b.timestamp);
        if (c != 0) {
            return c;
        }
        c = a.node.compareTo(b.node);
        return c != 0 ? c : a.id.compareTo(b.id);
    }
}
