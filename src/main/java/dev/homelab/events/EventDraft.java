package dev.homelab.events;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a caller asks to record, before validation. Every field is raw text as received (null when
 * absent), so that the validator can name each bad field and the value it got. {@code id} is an optional
 * client-chosen event id (null: the validator picks a random one); importers that must not record a repeat twice
 * derive it from what they receive.
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
