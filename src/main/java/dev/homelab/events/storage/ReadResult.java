package dev.homelab.events.storage;

import dev.homelab.events.Event;

/** The outcome of reading one file: an event, or why it is not one. */
public sealed interface ReadResult {

    record Ok(Event event) implements ReadResult {
    }

    record Skipped(FileProblem.Reason reason, String detail) implements ReadResult {
    }
}
