package dev.homelab.events;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a caller asks to record, before validation. Every field is raw text as received (null when
 * absent), so that the validator can name each bad field and the value it got.
 *
 * <p>
 * {@code id} is the optional event id the caller chose (a UUID), which makes the write idempotent: the same id
 * with the same content returns the stored event instead of writing a second one, the same id with different
 * content is refused (docs/format.md, "Client-chosen ids"). Null: the server picks a random one.
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
        String id) {

    /** A draft without a chosen id: the server gives the event a random one. */
    public EventDraft(String timestamp, String node, String type, String severity, String source, String service,
            String correlationId, JsonNode payload) {
        this(timestamp, node, type, severity, source, service, correlationId, payload, null);
    }

    /** This draft with another correlation id. */
    public EventDraft withCorrelationId(String correlationId) {
        return new EventDraft(timestamp, node, type, severity, source, service, correlationId, payload, id);
    }
}
