package dev.homelab.events;

import java.util.List;

/**
 * Filters of a listing as a caller gives them (raw text, null when absent); validated by the service.
 *
 * @param since   lower time bound, inclusive (ISO 8601 or relative such as {@code now-1h}, {@code 24h})
 * @param until   upper time bound, exclusive
 * @param order   {@code newest} (default) or {@code oldest}
 * @param cursor  the {@code next_cursor} of the previous page
 */
public record ListCriteria(
        String since,
        String until,
        List<String> nodes,
        List<String> types,
        String minSeverity,
        String service,
        String source,
        String correlationId,
        String order,
        Integer limit,
        String cursor) {

    public static ListCriteria none() {
        return new ListCriteria(null, null, null, null, null, null, null, null, null, null, null);
    }
}
