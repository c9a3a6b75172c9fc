package dev.homelab.events.archive;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.Event;
import dev.homelab.events.EventPage;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.index.Cursor;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.IndexPage;
import dev.homelab.events.index.Reconciler;

/**
 * Listings and chains that also cover archived days: the archives of the days in range are read and merged
 * with the live events in the listing order; a live copy of an event wins over its archived one. Slower
 * than live queries, so only on request ({@code include_archived=true}).
 */
@ApplicationScoped
public class ArchiveQueries {

    @Inject
    ArchiveCatalog catalog;
    @Inject
    EventIndex index;
    @Inject
    LiveEvents live;

    /** A listing that also covers archived days: live and archived events merged in the listing order. */
    public EventPage listWithArchived(ListCriteria c, int defaultLimit, int maxLimit) {
        EventQuery q = live.toQuery(c, defaultLimit, maxLimit, Instant.now());
        IndexPage livePage = live.entries(q);
        Comparator<IndexEntry> order = q.newestFirst() ? IndexEntry.BY_TIME.reversed() : IndexEntry.BY_TIME;
        Map<IndexEntry, Event> archived = new HashMap<>();
        long archivedTotal = 0;
        for (LocalDate day : catalog.archivedDays()) {
            if (!overlaps(day, q)) {
                continue;
            }
            for (Event e : catalog.readDay(day)) {
                IndexEntry entry = Reconciler.entryOf(e, "archive:" + day);
                if (!q.matches(entry) || index.get(e.id()).isPresent()) {
                    continue; // live copies win (a day being archived or restored right now)
                }
                archivedTotal++;
                if (q.after() == null || order.compare(entry, q.after().asProbe()) > 0) {
                    archived.put(entry, e);
                }
            }
        }
        List<IndexEntry> merged = new ArrayList<>(livePage.entries());
        merged.addAll(archived.keySet());
        merged.sort(order);
        List<IndexEntry> page = merged.subList(0, Math.min(q.limit(), merged.size()));
        List<Event> out = new ArrayList<>(page.size());
        for (IndexEntry e : page) {
            Event a = archived.get(e);
            if (a != null) {
                out.add(a);
            } else {
                out.addAll(live.loadAll(List.of(e)));
            }
        }
        boolean hasMore = livePage.hasMore() || merged.size() > q.limit();
        String next = hasMore && !page.isEmpty() ? Cursor.of(page.get(page.size() - 1)).encode() : null;
        return new EventPage(out, livePage.total() + archivedTotal, hasMore, next);
    }

    /** A causal chain including archived events, oldest first; 404 when neither live nor archived events have it. */
    public List<Event> chainWithArchived(String correlationId) {
        List<Event> liveChain;
        try {
            liveChain = live.chain(correlationId);
        } catch (NotFoundException e) {
            liveChain = List.of();
        }
        Map<UUID, Event> byId = new HashMap<>();
        liveChain.forEach(e -> byId.put(e.id(), e));
        for (LocalDate day : catalog.archivedDays()) {
            Optional<ManifestCache.Cached> c = catalog.manifests().get(day);
            if (c.isEmpty() || c.get().manifest().files().stream().noneMatch(f -> correlationId.equals(f.correlationId()))) {
                continue;
            }
            for (Event e : catalog.readDay(day)) {
                if (correlationId.equals(e.correlationId())) {
                    byId.putIfAbsent(e.id(), e);
                }
            }
        }
        if (byId.isEmpty()) {
            throw new NotFoundException("no events with correlation_id " + correlationId + ", live or archived");
        }
        List<Event> out = new ArrayList<>(byId.values());
        out.sort(Event::compareByTime);
        return out;
    }

    private static boolean overlaps(LocalDate day, EventQuery q) {
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return (q.since() == null || end.isAfter(q.since())) && (q.until() == null || start.isBefore(q.until()));
    }
}
