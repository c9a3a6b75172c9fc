package dev.homelab.events.service;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.Event;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.archive.LiveEvents;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.IndexPage;

/** The live side of queries that include archived days, over {@link EventService}: same filters, same loading. */
@ApplicationScoped
public class ArchiveLiveEvents implements LiveEvents {

    @Inject
    EventService events;

    @Override
    public EventQuery toQuery(ListCriteria criteria, int defaultLimit, int maxLimit, Instant now) {
        return events.toQuery(criteria, defaultLimit, maxLimit, now);
    }

    @Override
    public IndexPage entries(EventQuery query) {
        return events.entries(query);
    }

    @Override
    public List<Event> loadAll(List<IndexEntry> entries) {
        return events.loadAll(entries);
    }

    @Override
    public List<Event> chain(String correlationId) {
        return events.chain(correlationId);
    }
}
