package dev.homelab.events.nats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;

import dev.homelab.events.sync.PeerKeyCheck;

/**
 * The audit key check of NATS, the same one peer sync makes (docs/audit.md, "Across nodes"): each node publishes
 * its audit public key on {@code homelab.audit.<node>.key} (the stream keeps the latest per node), and before a
 * message of another node is imported, that node's key goes through the same {@link PeerKeyCheck}s peer sync asks
 * (the audit trail's pins), under the peer name {@code nats-<node>}: pinned on first sight, and a changed or
 * withdrawn key refuses every import from that node, with the same message as a peer pull.
 *
 * <p>
 * A verdict is kept for {@link #recheck()} per node (a minute by default), so the key is looked up once a minute,
 * not once a message.
 * Thread-safe.
 */
final class OriginKeys {

    /** JetStream's answer to a direct get of a subject that has no message. */
    private static final int NO_MESSAGE_FOUND = 10037;

    /** The lookup of a node's published key: the latest message on its key subject, or null when none. */
    @FunctionalInterface
    interface KeyLookup {
        String pem(String origin) throws IOException, JetStreamApiException;
    }

    private record Verdict(String refusal, long at) {
    }

    private final List<PeerKeyCheck> checks;
    private final Duration recheck;
    private volatile KeyLookup lookup;
    private final Map<String, Verdict> verdicts = new ConcurrentHashMap<>();

    /**
     * @param checks  the key checks peer sync asks (a live list: the audit trail adds its own at start)
     * @param recheck how long a verdict about a node's key is kept before the key is looked up again
     */
    OriginKeys(List<PeerKeyCheck> checks, Duration recheck) {
        this.checks = checks;
        this.recheck = recheck;
    }

    Duration recheck() {
        return recheck;
    }

    /** Looks keys up in {@code stream} (set when the replicator has set its streams up). */
    void lookUpIn(JetStreamManagement jsm, String stream) {
        lookup = origin -> {
            try {
                MessageInfo m = jsm.getLastMessage(stream, Subjects.keySubject(origin));
                return m.getData() == null ? null : new String(m.getData(), StandardCharsets.US_ASCII);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() == NO_MESSAGE_FOUND) {
                    return null; // the node publishes no key: an audit trail switched off, or an older version
                }
                throw e;
            }
        };
        verdicts.clear();
    }

    /** The name the key checks know a node by when its events come over NATS. */
    static String peerName(String origin) {
        return "nats-" + origin;
    }

    /**
     * Null when {@code origin}'s events may be imported; else why not (the refusal of a key check).
     *
     * @throws IOException when the key could not be looked up (NATS away): nothing is decided, try again later
     */
    String refusal(String origin) throws IOException {
        if (checks.isEmpty()) {
            return null; // no audit trail on this node: nothing is pinned, as with peer sync
        }
        long now = System.nanoTime();
        Verdict v = verdicts.get(origin);
        if (v != null && now - v.at() < recheck.toNanos()) {
            return v.refusal();
        }
        KeyLookup l = lookup;
        if (l == null) {
            throw new IOException("the audit keys on NATS are not set up yet");
        }
        String pem;
        try {
            pem = l.pem(origin);
        } catch (JetStreamApiException e) {
            throw new IOException("cannot look up the audit key of node " + origin + " on NATS: " + e.getErrorDescription(),
                    e);
        }
        String refusal = null;
        try {
            for (PeerKeyCheck c : checks) {
                c.check(peerName(origin), pem);
            }
        } catch (PeerKeyCheck.Refused r) {
            refusal = r.getMessage();
        }
        verdicts.put(origin, new Verdict(refusal, now));
        return refusal;
    }
}
