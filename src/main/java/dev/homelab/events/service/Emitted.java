package dev.homelab.events.service;

import dev.homelab.events.Event;

/**
 * A durably stored event and its path relative to the store root. {@code created} is false when the caller
 * chose an id that was already stored with the same content: nothing new was written, this is the stored event
 * (a retry). {@code file} holds the bytes of the file just written when {@code created}, else null (never modified:
 * a face may answer with them instead of serializing the event again).
 */
public record Emitted(Event event, String path, boolean created, byte[] file) {

    /** A newly written event. */
    public Emitted(Event event, String path) {
        this(event, path, true, null);
    }

    /** An event without the bytes of its file. */
    public Emitted(Event event, String path, boolean created) {
        this(event, path, created, null);
    }
}
