package dev.homelab.events.service;

import dev.homelab.events.Event;

/**
 * A durably stored event and its path relative to the store root. {@code created} is false when the caller
 * chose an id that was already stored with the same content: nothing new was written, this is the stored event
 * (a retry).
 */
public record Emitted(Event event, String path, boolean created) {

    /** A newly written event. */
    public Emitted(Event event, String path) {
        this(event, path, true);
    }
}
