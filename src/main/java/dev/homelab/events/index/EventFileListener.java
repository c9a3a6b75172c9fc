package dev.homelab.events.index;

import dev.homelab.events.Event;

/**
 * Told about each event file this process writes ({@link EventWriter}) or finds written by others (the
 * reconciler and its watcher), so that a layer above can follow every file without this package knowing it
 * (the audit trail seals them). Called on the writer's or the scanner's thread: an implementation must not
 * block and must not throw; it hands the work to its own thread.
 */
@FunctionalInterface
public interface EventFileListener {

    /**
     * @param relativePath {@code <date>/<node>/<name>}, relative to the store root
     * @param event        what the file holds, as the one reader read it; its {@code payload} is null when the
     *                     reconciler read it (the index never builds payload trees): use {@code bytes}
     * @param bytes        the file's exact bytes as written or read (the writer and the reconciler both hold them,
     *                     so no listener needs to read the file back); null only from a caller that has none
     */
    void eventFileSeen(String relativePath, Event event, byte[] bytes);
}
