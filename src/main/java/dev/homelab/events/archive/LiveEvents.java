package dev.homelab.events.archive;

import java.time.Instant;
import java.util.List;

import dev.homelab.events.Event;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.IndexPage;

/**
 * The live side of listings and chains that also cover archived days ({@link ArchiveQueries}): the listing
 * rules and the loading of live events belong to the service layer, which implements this interface
 * ({@code service.ArchiveLiveEvents}), so archive never imports it.
 */
public interface LiveEvents {

    /** Validates a listing's filters (every bad one named, as {@code InvalidInputException}). */
    EventQuery toQuery(ListCriteria criteria, int defaultLimit, int maxLimit, Instant now);

    /** Live index entries matching a query, one page of them. */
    IndexPage entries(EventQuery query);

    /** The events of index entries, in their order; entries whose file is gone are left out. */
    List<Event> loadAll(List<IndexEntry> entries);

    /** The live events of a chain, oldest first; {@code NotFoundException} when there are none. */
    List<Event> chain(String correlationId);
}
