package dev.homelab.events.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.EventDraft;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.service.EventService;

/**
 * The one way importers write: a draft with an id derived from what was received is recorded once; a repeat
 * (Alertmanager re-sending a notification, a CloudEvents producer retrying) returns the event already stored.
 *
 * <p>
 * Until the service offers idempotent writes itself, the check-then-emit pair is serialized here so two
 * concurrent deliveries of the same notification cannot both reach the store. Content of a repeat is not compared:
 * the id is derived from the fields that identify the notification, and the first delivery wins.
 */
@ApplicationScoped
public class IdempotentRecorder {

    @Inject
    EventService events;

    public synchronized Ingested record(EventDraft draft) {
        if (draft.id() == null) {
            throw new IllegalArgumentException("an ingested draft needs a derived id");
        }
        try {
            return new Ingested(events.get(draft.id().toString()), false);
        } catch (NotFoundException absent) {
            return new Ingested(events.emit(draft).event(), true);
        }
    }
}
