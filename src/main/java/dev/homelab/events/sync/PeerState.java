package dev.homelab.events.sync;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What this node remembers about one peer across restarts, in {@code <root>/.sync/peers/<name>.json}
 * (replaced atomically after each page and each transition).
 *
 * @param cursor          the peer's export cursor after the last imported page
 * @param node            the peer's node name, learned from its /api/store
 * @param eventsPulled    files written here from this peer, all time
 * @param failingSince    first failure since the last success (null while healthy)
 * @param offline         a node_offline transition happened and no node_online since
 * @param outage          correlation id shared by the node_offline and node_online events of one outage
 * @param pending         a transition event decided but not yet confirmed written (node_offline/node_online)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PeerState(
        String cursor,
        String node,
        @JsonProperty("events_pulled") long eventsPulled,
        @JsonProperty("conflicts") long conflicts,
        @JsonProperty("rejected") long rejected,
        @JsonProperty("last_success") Instant lastSuccess,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("last_error_at") Instant lastErrorAt,
        @JsonProperty("failing_since") Instant failingSince,
        @JsonProperty("consecutive_failures") int consecutiveFailures,
        boolean offline,
        String outage,
        String pending,
        @JsonProperty("lag_events") long lagEvents) {

    public static PeerState initial() {
        return new PeerState("", null, 0, 0, 0, null, null, null, null, 0, false, null, null, 0);
    }

    PeerState withCursor(String c, long pulled, long conflictsAdded, long rejectedAdded, long lag) {
        return new PeerState(c, node, eventsPulled + pulled, conflicts + conflictsAdded, rejected + rejectedAdded, lastSuccess,
                lastError, lastErrorAt, failingSince, consecutiveFailures, offline, outage, pending, lag);
    }

    PeerState withNode(String n) {
        return new PeerState(cursor, n, eventsPulled, conflicts, rejected, lastSuccess, lastError, lastErrorAt, failingSince,
                consecutiveFailures, offline, outage, pending, lagEvents);
    }

    PeerState succeeded(Instant at) {
        return new PeerState(cursor, node, eventsPulled, conflicts, rejected, at, lastError, lastErrorAt, null, 0, offline,
                outage,
                pending, lagEvents);
    }

    PeerState failed(Instant at, String error, boolean peerFault) {
        Instant since = peerFault ? (failingSince == null ? at : failingSince) : failingSince;
        return new PeerState(cursor, node, eventsPulled, conflicts, rejected, lastSuccess, error, at, since,
                consecutiveFailures + 1, offline, outage, pending, lagEvents);
    }

    /** The peer answered (even with an error): it is not silent, so the silence clock stops. */
    PeerState answered() {
        return new PeerState(cursor, node, eventsPulled, conflicts, rejected, lastSuccess, lastError, lastErrorAt, null,
                consecutiveFailures, offline, outage, pending, lagEvents);
    }

    PeerState transition(boolean nowOffline, String outageId, String pendingType) {
        return new PeerState(cursor, node, eventsPulled, conflicts, rejected, lastSuccess, lastError, lastErrorAt, failingSince,
                consecutiveFailures, nowOffline, outageId, pendingType, lagEvents);
    }
}
