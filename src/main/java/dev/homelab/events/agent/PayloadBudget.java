package dev.homelab.events.agent;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Text;

/**
 * Cuts payloads to a byte budget so one verbose event cannot flood a model's context. The result stays a
 * JSON object (the schema promises one): top-level fields are kept in order while they fit, long strings are
 * cut, and anything dropped or cut sets the flag the tools report as {@code payload_truncated}.
 */
final class PayloadBudget {

    /** A payload as sent to an agent, and whether it was cut. */
    record Cut(ObjectNode payload, boolean truncated) {
    }

    private static final int STRING_MAX_CHARS = 256;

    private final int budgetBytes;

    PayloadBudget(int budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    Cut apply(ObjectNode payload) {
        if (payload == null) {
            return new Cut(null, false);
        }
        if (size(payload) <= budgetBytes) {
            return new Cut(payload, false);
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        int used = 2;
        for (Map.Entry<String, JsonNode> f : payload.properties()) {
            JsonNode v = f.getValue();
            if (v.isTextual() && v.textValue().length() > STRING_MAX_CHARS) {
                v = JsonNodeFactory.instance.textNode(Text.shorten(v.textValue(), STRING_MAX_CHARS));
            }
            int cost = f.getKey().getBytes(StandardCharsets.UTF_8).length + size(v) + 4;
            if (used + cost <= budgetBytes) {
                out.set(f.getKey(), v);
                used += cost;
            }
        }
        return new Cut(out, true);
    }

    private static int size(JsonNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
