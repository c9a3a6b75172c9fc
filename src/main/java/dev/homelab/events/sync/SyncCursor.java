package dev.homelab.events.sync;

import java.util.Optional;

/** A position in one node's arrival log: {@code <log id>.<arrival number>}, opaque to peers. */
public record SyncCursor(String logId, long seq) {

    public static final SyncCursor START = new SyncCursor("", 0);

    public String encode() {
        return logId.isEmpty() ? "" : logId + "." + seq;
    }

    /** Empty for text that is not a cursor; {@link #START} for blank text. */
    public static Optional<SyncCursor> decode(String text) {
        if (text == null || text.isBlank()) {
            return Optional.of(START);
        }
        int dot = text.lastIndexOf('.');
        if (dot <= 0 || !text.substring(0, dot).matches("[0-9a-f-]{36}")) {
            return Optional.empty();
        }
        try {
            long seq = Long.parseLong(text.substring(dot + 1));
            return seq < 0 ? Optional.empty() : Optional.of(new SyncCursor(text.substring(0, dot), seq));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
