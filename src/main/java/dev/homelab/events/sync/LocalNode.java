package dev.homelab.events.sync;

/**
 * This node as sync needs it from the layers above: its name (in export pages and the status) and a way to
 * record {@code node_offline} / {@code node_online} as ordinary events. Implemented by the service layer
 * ({@code service.SyncLocalNode}), so sync never imports it.
 */
public interface LocalNode extends PeerPuller.Announcer {

    /** The node name this server writes its events under. */
    String nodeName();
}
