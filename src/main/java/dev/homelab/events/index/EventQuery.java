package dev.homelab.events.index;

import java.time.Instant;
import java.util.Set;

import dev.homelab.events.Severity;

/**
 * A validated list query. Null or empty filters match everything. {@code after} is the position of the
 * last event of the previous page in the chosen order.
 */
public record EventQuery(
        Instant since,
        Instant until,
        Set<String> nodes,
        Set<String> types,
        Severity minSeverity,
        String service,
        String source,
        String correlationId,
        boolean newestFirst,
        Cursor after,
        int limit) {

    public boolean matches(IndexEntry e) {
        return (since == null || e.timestampMicros() >= dev.homelab.events.Timestamps.toMicros(since))
                && (until == null || e.timestampMicros() < dev.homelab.events.Timestamps.toMicros(until))
                && (nodes == null || nodes.isEmpty() || nodes.contains(e.node()))
                && (types == null || types.isEmpty() || types.contains(e.type()))
                && (minSeverity == null || e.severity().atLeast(minSeverity))
                && (service == null || service.equals(e.service()))
                && (source == null || source.equals(e.source()))
                && (correlationId == null || correlationId.equals(e.correlationId()));
    }
}
