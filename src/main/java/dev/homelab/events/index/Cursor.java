package dev.homelab.events.index;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * A position in the listing order (timestamp, node, id), handed to clients as an opaque token. Because
 * the order is total, a page that starts after a cursor neither repeats nor skips events, even while
 * new events arrive.
 */
public record Cursor(long timestampMicros, String node, UUID id) {

    private static final String VERSION = "c1";

    public static Cursor of(IndexEntry e) {
        return new Cursor(e.timestampMicros(), e.node(), e.id());
    }

    public IndexEntry asProbe() {
        return new IndexEntry(id, timestampMicros, node, null, null, null, null, null, null);
    }

    public String encode() {
        String raw = VERSION + "|" + timestampMicros + "|" + node + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    public static Optional<Cursor> decode(String token) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = raw.split("\\|", -1);
            if (parts.length != 4 || !parts[0].equals(VERSION)) {
                return Optional.empty();
            }
            return Optional.of(new Cursor(Long.parseLong(parts[1]), parts[2], UUID.fromString(parts[3])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
