package dev.homelab.events;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a caller asks to record, before validation. Every field is raw text as received (null when
 * absent), so that the validator can name each bad field and the value it got.
 */
public record EventDraft(
        String timestamp,
        String node,
        String type,
        String severity,
        String source,
        String service,
        String correlationId,
        JsonNode payload) {
}
