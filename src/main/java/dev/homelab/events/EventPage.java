package dev.homelab.events;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One page of a listing: the events, how many matched in all, and the cursor of the next page if any. */
public record EventPage(
        List<Event> events,
        long total,
        @JsonProperty("has_more") boolean hasMore,
        @JsonProperty("next_cursor") String nextCursor) {
}
