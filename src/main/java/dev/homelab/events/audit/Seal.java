package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;

/**
 * One line of a seal record ({@code .audit/<date>/<node>.seals}): an event file's relative path, the SHA-256 and
 * size of its exact bytes, when it was sealed, and the event's listing key (timestamp, node, id), so the day's
 * Merkle tree can be put in listing order from the record alone, even when a file was later changed or removed.
 *
 * <pre>
 * {"path":"2026-11-26/pi4/20261126T234751.123456Z_deployment_failed_0b6f....json","sha256":"9f86...","size":312,
 *  "sealed_at":"2026-11-26T23:47:51.301Z","timestamp":"2026-11-26T23:47:51.123456Z","node":"pi4","id":"0b6f..."}
 * </pre>
 */
record Seal(String path, String sha256, long size, Instant sealedAt, Instant timestamp, String node, UUID id) {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Listing order, defined once in {@link Event#LISTING_ORDER}: the seal's key is turned into an event that
     * carries only the fields the order reads.
     */
    static final Comparator<Seal> LISTING_ORDER = Comparator.comparing(Seal::orderKey, Event.LISTING_ORDER);

    static Seal of(String path, byte[] bytes, Instant sealedAt, Event event) {
        return new Seal(path, Hashes.sha256Hex(bytes), bytes.length, sealedAt, event.timestamp(), event.node(), event.id());
    }

    private Event orderKey() {
        return new Event(id, timestamp, node, null, null, null, null, null, null, null);
    }

    /** The Merkle leaf of this file (see {@link Merkle#leaf}). */
    byte[] leafHash() {
        return Merkle.leaf(Hashes.unhex32(sha256), path);
    }

    /** The line, newline included. */
    byte[] toLine() {
        ObjectNode o = JSON.createObjectNode();
        o.put("path", path);
        o.put("sha256", sha256);
        o.put("size", size);
        o.put("sealed_at", sealedAt.toString());
        o.put("timestamp", timestamp.toString());
        o.put("node", node);
        o.put("id", id.toString());
        try {
            byte[] json = JSON.writeValueAsBytes(o);
            byte[] line = new byte[json.length + 1];
            System.arraycopy(json, 0, line, 0, json.length);
            line[json.length] = '\n';
            return line;
        } catch (IOException e) {
            throw new IllegalStateException("a seal always serializes", e);
        }
    }

    /** Parses one line (without its newline); throws IllegalArgumentException when it is not a complete seal. */
    static Seal parse(byte[] bytes, int from, int to) {
        JsonNode o;
        try {
            o = JSON.readTree(new String(bytes, from, to - from, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        try {
            Hashes.unhex32(text(o, "sha256"));
            JsonNode size = o.get("size");
            if (size == null || !size.canConvertToLong() || size.asLong() < 0) {
                throw new IllegalArgumentException("size is missing");
            }
            return new Seal(text(o, "path"), text(o, "sha256"), size.asLong(), Instant.parse(text(o, "sealed_at")),
                    Instant.parse(text(o, "timestamp")), text(o, "node"), UUID.fromString(text(o, "id")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a seal: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return v.asText();
    }
}
