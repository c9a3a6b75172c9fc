package dev.homelab.events.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Pulling events from peer nodes ({@code homelab.sync.*}, or HOMELAB_SYNC_* environment variables). See
 * docs/sync-and-archive.md.
 */
@ConfigMapping(prefix = "homelab.sync")
public interface SyncConfig {

    /** Run the periodic pull at all (HOMELAB_SYNC_ENABLED); on-demand runs work either way. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Peers to pull from, each under a name of your choice: {@code homelab.sync.peers.nas.url=http://nas:8080}.
     * The name starts with a letter or digit and holds only letters, digits, '-' and '_', at most 63
     * characters; any other name stops the server at start-up. It names the peer's state file
     * {@code <root>/.sync/peers/<name>.json}, is the {@code peer} of the status and of on-demand runs, and,
     * when it is also a valid host name, stands in for the peer's node name in node_offline/node_online while
     * that is unknown (see {@link Peer#node()}).
     *
     * <p>
     * In environment variables ({@code HOMELAB_SYNC_PEERS_NAS_URL}) the name is read in lower case, and a peer
     * defined there alone can have letters and digits only: a variable with an underscore in the name, such as
     * HOMELAB_SYNC_PEERS_MY_NAS_URL, defines no peer and is ignored. A name with '-' or '_' is defined in
     * properties; its other keys may then come from the environment, '_' standing for '-'
     * (HOMELAB_SYNC_PEERS_MY_NAS_TOKEN sets the token of {@code my-nas}).
     */
    Map<String, Peer> peers();

    /**
     * How often every peer is pulled (HOMELAB_SYNC_INTERVAL), unless it is backing off; an ISO-8601 duration
     * such as PT60S or a short form such as 60s. The scheduler's resolution is one second: shorter intervals
     * run every second.
     */
    @WithDefault("PT60S")
    Duration interval();

    /**
     * A peer that has not answered at all (unreachable) for longer than this is recorded as node_offline
     * (HOMELAB_SYNC_HEARTBEAT_WINDOW); a peer answering with HTTP errors is failing, not offline.
     */
    @WithName("heartbeat-window")
    @WithDefault("PT5M")
    Duration heartbeatWindow();

    /** First wait after a failed pull; doubles on each further failure (HOMELAB_SYNC_BACKOFF_INITIAL). */
    @WithName("backoff-initial")
    @WithDefault("PT5S")
    Duration backoffInitial();

    /** Longest wait between attempts at an unreachable peer (HOMELAB_SYNC_BACKOFF_MAX). */
    @WithName("backoff-max")
    @WithDefault("PT5M")
    Duration backoffMax();

    /** Events asked for per export request (HOMELAB_SYNC_PAGE_SIZE), 1-1000. */
    @WithName("page-size")
    @WithDefault("200")
    int pageSize();

    /** Connect and request timeout of one HTTP call to a peer (HOMELAB_SYNC_TIMEOUT). */
    @WithDefault("PT10S")
    Duration timeout();

    interface Peer {
        /** Base URL of the peer's server, e.g. http://pi4.lan:8080 (HOMELAB_SYNC_PEERS_<NAME>_URL). */
        String url();

        /** Bearer token of the peer (its HOMELAB_EVENTS_TOKEN), sent on every call (HOMELAB_SYNC_PEERS_<NAME>_TOKEN). */
        Optional<String> token();

        /**
         * The peer's node name, for node_offline/node_online before it was ever reached
         * (HOMELAB_SYNC_PEERS_<NAME>_NODE); learned from its /api/store otherwise.
         */
        Optional<String> node();
    }
}
