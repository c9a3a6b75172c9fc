package dev.homelab.events.service;

import dev.homelab.events.Event;

/** A durably stored new event and its path relative to the store root. */
public record Emitted(Event event, String path) {
}
