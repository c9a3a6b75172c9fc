package dev.homelab.events.storage;

import dev.homelab.events.Event;

/** The outcome of reading one file: an event, or why it is not one. */
public sealed interface ReadResult {

    /** A readable event and the exact bytes it was read from (what sync and archives copy). */
    record Ok(Event event, byte[] bytes) implements ReadResult {
    }

    record Skipped(FileProblem.Reason reason, String detail) implements ReadResult {
    }
}
