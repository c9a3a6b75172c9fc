package dev.homelab.events.audit;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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

    private record Keyed(Event key, Seal seal) {
    }

    /**
     * The seals in listing order, defined once in {@link Event#LISTING_ORDER}: each seal's key becomes an event
     * that carries only the fields the order reads (made once per seal, not per comparison).
     */
    static List<Seal> inListingOrder(Collection<Seal> seals) {
        List<Keyed> keyed = new ArrayList<>(seals.size());
        for (Seal s : seals) {
            keyed.add(new Keyed(s.orderKey(), s));
        }
        keyed.sort(Comparator.comparing(Keyed::key, Event.LISTING_ORDER));
        List<Seal> out = new ArrayList<>(keyed.size());
        keyed.forEach(k -> out.add(k.seal()));
        return out;
    }

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
        // a streaming parse: verification reads every seal line of the store, a tree per line would double its cost
        String path = null;
        String sha256 = null;
        String sealedAt = null;
        String timestamp = null;
        String node = null;
        String id = null;
        long size = -1;
        try (JsonParser p = JSON.getFactory().createParser(bytes, from, to - from)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                String text = v == JsonToken.VALUE_STRING ? p.getText() : null;
                switch (field) {
                    case "path" -> path = text;
                    case "sha256" -> sha256 = text;
                    case "sealed_at" -> sealedAt = text;
                    case "timestamp" -> timestamp = text;
                    case "node" -> node = text;
                    case "id" -> id = text;
                    case "size" -> size = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("not one JSON object");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
        try {
            Hashes.unhex32(sha256);
            if (size < 0) {
                throw new IllegalArgumentException("size is missing");
            }
            return new Seal(required("path", path), sha256, size, Instant.parse(required("sealed_at", sealedAt)),
                    Instant.parse(required("timestamp", timestamp)), required("node", node),
                    UUID.fromString(required("id", id)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a seal: " + e.getMessage(), e);
        }
    }

    private static String required(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return value;
    }
}
