package dev.homelab.events.ingest;

import dev.homelab.events.Event;

/**
 * One event an importer asked to record: the stored event, and whether this request wrote it ({@code false}: an
 * event with the same derived id was already there, the request was a repeat).
 */
public record Ingested(Event event, boolean written) {
}
