package dev.homelab.events.nats;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * NATS replication as {@code get_sync_status}, readiness and operators see it.
 *
 * @param enabled          HOMELAB_NATS_URL is set
 * @param node             this node (the origin of what it publishes)
 * @param servers          the configured servers (no credentials)
 * @param auth             the kind of credentials: none, token, user-password, creds-file
 * @param state            connecting, connected, reconnecting, disconnected, unreachable (never connected yet), closed,
 *                         or disabled
 * @param connectedUrl     the server in use, when connected
 * @param ready            stream and consumer are set up and the outbox runs
 * @param stream           the JetStream stream
 * @param consumer         this node's durable consumer; null when it only publishes
 * @param outboxBacklog    events in this store not yet published; -1 before the first count
 * @param consumerLag      events in the stream this node has not yet received; -1 before NATS first said
 * @param published        events published since start
 * @param imported         events written into this store from NATS since start
 * @param identical        received events that were already here
 * @param conflicts        received events whose path or id is taken by a different file (kept; see the log)
 * @param rejected         received messages that are not valid events
 * @param refused          received messages not imported because their node's audit key was refused (changed or
 *                         withdrawn since it was pinned; see last_error); they come again once a minute
 * @param lastPublish      when an event was last published
 * @param lastImport       when an event was last imported
 * @param lastError        the latest problem, with what to do when it needs an operator; null when none
 * @param lastErrorAt      when it happened
 * @param needsOperator    the latest problem will not go away by retrying (no JetStream, wrong credentials, a stream
 *                         that does not take homelab.events.>): readiness is DOWN until it is fixed
 */
public record NatsStatus(boolean enabled, String node, List<String> servers, String auth, String state,
        @JsonProperty("connected_url") String connectedUrl, boolean ready, String stream, String consumer,
        @JsonProperty("outbox_backlog") long outboxBacklog, @JsonProperty("consumer_lag") long consumerLag,
        long published, long imported, long identical, long conflicts, long rejected, long refused,
        @JsonProperty("last_publish") Instant lastPublish, @JsonProperty("last_import") Instant lastImport,
        @JsonProperty("last_error") String lastError, @JsonProperty("last_error_at") Instant lastErrorAt,
        @JsonProperty("needs_operator") boolean needsOperator) {

    public static NatsStatus disabled(String node) {
        return new NatsStatus(false, node, List.of(), "none", "disabled", null, false, null, null, -1, -1, 0, 0, 0, 0, 0, 0,
                null,
                null, null, null, false);
    }
}
