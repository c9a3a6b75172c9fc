package dev.homelab.events;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.storage.EventCodec;
import dev.homelab.events.storage.EventStore;

/** Small shared fixtures for tests that work below the service: events and stores on temp dirs. */
public final class TestEvents {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private TestEvents() {
    }

    public static EventStore store(Path root) {
        return new EventStore(root, new EventCodec(MAPPER), 1024 * 1024);
    }

    public static Event event(String type, String node, String service, String correlationId, Instant at) {
        ObjectNode payload = MAPPER.createObjectNode();
        payload.put("n", 1);
        return new Event(UUID.randomUUID(), Timestamps.truncate(at), node, type, Severity.INFO, "test.sh", service,
                correlationId, payload, Map.of());
    }

    public static Event event(String type) {
        return event(type, "pi4", "mosquitto", "cid-1", Instant.now());
    }

    public static ObjectNode json(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
