package dev.homelab.events.sync;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.homelab.events.EventTypes;
import dev.homelab.events.Names;

/**
 * The {@code node_offline} / {@code node_online} events of one peer. A peer silent (unreachable) for longer
 * than the heartbeat window is recorded once as offline, and at its next answer once as online; both events
 * of one outage share a correlation id {@code sync-outage-<uuid>}. The decision is saved as pending before
 * the event is written, and a pending transition is checked against the store before it is written again
 * (after a failure or a restart), so each transition is recorded exactly once.
 *
 * <p>
 * Not thread-safe on its own: {@link PeerPuller} calls it from its synchronized runs.
 */
final class PeerHeartbeat {

    private static final Logger LOG = Logger.getLogger(PeerHeartbeat.class);

    private final String name;
    private final URI base;
    private final Optional<String> configuredNode;
    private final PeerStateFile state;
    private final PeerPuller.Announcer announcer;
    private final Duration window;
    private final Supplier<Instant> clock;

    PeerHeartbeat(String name, URI base, Optional<String> configuredNode, PeerStateFile state,
            PeerPuller.Announcer announcer, Duration window, Supplier<Instant> clock) {
        this.name = name;
        this.base = base;
        this.configuredNode = configuredNode;
        this.state = state;
        this.announcer = announcer;
        this.window = window;
        this.clock = clock;
    }

    /** Records node_offline when the peer has been silent for longer than the window (once per outage). */
    void checkSilence() {
        PeerState s = state.get();
        Instant since = s.failingSince();
        if (since != null && !s.offline() && Duration.between(since, clock.get()).compareTo(window) > 0) {
            transition(true);
        }
    }

    /** The peer answered: records node_online when it was offline. */
    void answered() {
        if (state.get().offline()) {
            transition(false);
        }
    }

    /** Saves the decision first, then writes the event, then clears the pending mark: once per transition. */
    private void transition(boolean nowOffline) {
        String outage = nowOffline ? "sync-outage-" + UUID.randomUUID() : state.get().outage();
        state.update(s -> s.transition(nowOffline, outage, nowOffline ? EventTypes.NODE_OFFLINE : EventTypes.NODE_ONLINE));
        state.saveQuietly();
        finishPending();
    }

    /** Writes a transition event decided earlier but not yet confirmed written (this run, or before a restart). */
    void finishPending() {
        PeerState s = state.get();
        if (s.pending() == null) {
            return;
        }
        String node = s.node() != null ? s.node() : configuredNode.orElse(Names.isValidNode(name) ? name : null);
        if (node == null) {
            LOG.warnf("Peer %s changed to %s but its node name is unknown; set homelab.sync.peers.%s.node", name,
                    s.pending(), name);
            state.update(p -> p.transition(p.offline(), p.outage(), null));
            state.saveQuietly();
            return;
        }
        String outage = s.outage() != null ? s.outage() : "sync-outage-" + UUID.randomUUID();
        try {
            if (!announcer.alreadyRecorded(outage, s.pending())) {
                announcer.record(s.pending(), node, outage, payload(s));
                LOG.infof("Peer %s (node %s): %s recorded", name, node, s.pending());
            }
            state.update(p -> p.transition(p.offline(), outage, null));
            state.saveQuietly();
        } catch (RuntimeException e) {
            // keep it pending: the next tick tries again, and the check above prevents a second copy
            LOG.warnf("Could not record %s for peer %s yet: %s", s.pending(), name, e.toString());
        }
    }

    private Map<String, Object> payload(PeerState s) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("peer", name);
        payload.put("url", base.toString());
        payload.put("detected_by", "sync");
        if (s.lastSuccess() != null) {
            payload.put("last_success", s.lastSuccess().toString());
        }
        if (s.failingSince() != null) {
            payload.put("failing_since", s.failingSince().toString());
        }
        if (s.lastError() != null && s.pending().equals(EventTypes.NODE_OFFLINE)) {
            payload.put("last_error", s.lastError());
        }
        return payload;
    }
}
