package dev.homelab.events;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a caller asks to record, before validation. Every field is raw text as received (null when
 * absent), so that the validator can name each bad field and the value it got.
 *
 * <p>
 * {@code id} is the optional event id the caller chose (null: the validator picks a random one); faces parse it
 * from text with {@code EventService.chosenId}, importers that must not record a repeat twice derive it from what
 * they receive. It makes the write idempotent: the same id with the same content returns the stored event instead
 * of writing a second one, the same id with different content is refused (docs/format.md, "Event ids").
 */
public record EventDraft(
        String timestamp,
        String node,
        String type,
        String severity,
        String source,
        String service,
        String correlationId,
        JsonNode payload,
        UUID id) {

    /** A draft without a chosen id: the event gets a fresh random one. */
    public EventDraft(String timestamp, String node, String type, String severity, String source, String service,
            String correlationId, JsonNode payload) {
        this(timestamp, node, type, severity, source, service, correlationId, payload, null);
    }
}
