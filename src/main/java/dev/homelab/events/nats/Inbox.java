package dev.homelab.events.nats;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.nats.client.Message;
import io.nats.client.MessageHandler;
import io.nats.client.impl.Headers;

/**
 * Imports what other nodes published: each message's bytes are written under its path through the store's
 * single import path (byte-exact, idempotent, never overwriting; conflicts reported), and only then
 * acknowledged, so a crash before the write means NATS delivers the message again. Messages this node
 * published itself are acknowledged and skipped.
 *
 * <p>
 * jnats calls {@link #onMessage} from one dispatcher thread per consumer; the counters are safe to read from
 * any thread.
 */
final class Inbox implements MessageHandler {

    private static final Logger LOG = Logger.getLogger(Inbox.class);
    /** After a failed write (disk full, I/O error), NATS delivers the message again after this long. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final LocalStore local;
    private final Outbox outbox;
    private final Consumer<String> onError;
    private final Map<LocalStore.Outcome, AtomicLong> outcomes = new EnumMap<>(LocalStore.Outcome.class);
    private final AtomicLong ownSkipped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final OriginKeys keys;
    private final AtomicLong failures = new AtomicLong();
    private volatile long lag = -1;
    private volatile Instant lagAt;
    private volatile Instant lastImport;

    Inbox(LocalStore local, Outbox outbox, OriginKeys keys, Consumer<String> onError) {
        this.local = local;
        this.keys = keys;
        this.outbox = outbox;
        this.onError = onError;
        for (LocalStore.Outcome o : LocalStore.Outcome.values()) {
            outcomes.put(o, new AtomicLong());
        }
    }

    @Override
    public void onMessage(Message m) {
        if (m.isJetStream()) {
            lag = m.metaData().pendingCount();
            lagAt = Instant.now();
        }
        Headers h = m.getHeaders();
        String origin = h == null ? null : h.getFirst(Subjects.ORIGIN_HEADER);
        String path = h == null ? null : h.getFirst(Subjects.PATH_HEADER);
        if (local.node().equals(origin)) {
            ownSkipped.incrementAndGet();
            m.ack();
            return;
        }
        if (path == null) {
            outcomes.get(LocalStore.Outcome.REJECTED).incrementAndGet();
            onError.accept("message on " + m.getSubject() + " has no " + Subjects.PATH_HEADER + " header; dropped");
            m.term(); // never deliverable: do not ask for it again
            return;
        }
        // a message without its publisher's name is checked against the key of the node its path names
        String signer = origin != null ? origin : nodeOfPath(path);
        if (signer != null && !keysAccept(signer, m)) {
            return;
        }
        boolean marked = outbox.mark(path); // before the write, so the outbox never sees the file unmarked
        LocalStore.Imported r;
        try {
            r = local.importFile(path, m.getData());
        } catch (RuntimeException e) {
            if (marked) {
                outbox.unmark(path);
            }
            failures.incrementAndGet();
            onError.accept("could not import " + path + " (retrying in " + RETRY_AFTER.toSeconds() + " s): " + e);
            m.nakWithDelay(RETRY_AFTER);
            return;
        }
        if (r.outcome() != LocalStore.Outcome.WRITTEN && marked) {
            outbox.unmark(path);
        }
        outcomes.get(r.outcome()).incrementAndGet();
        if (r.outcome() == LocalStore.Outcome.CONFLICT || r.outcome() == LocalStore.Outcome.REJECTED) {
            String why = r.outcome().name().toLowerCase(Locale.ROOT) + " importing " + path + " from "
                    + (origin == null ? "an unknown node" : origin) + ": " + r.detail();
            LOG.warn(why);
            onError.accept(why);
        } else {
            lastImport = Instant.now();
        }
        m.ack(); // after the durable import: a lost ack only means an identical redelivery
    }

    /**
     * The origin's audit key passes the same checks as a sync peer's ({@link OriginKeys}). When it does not, the
     * message is not imported and comes again after {@link OriginKeys#recheck()}: once an operator settled the key
     * (the refusal says how), it is imported; nothing is lost meanwhile.
     */
    private boolean keysAccept(String origin, Message m) {
        String refusal;
        try {
            refusal = keys.refusal(origin);
        } catch (IOException e) {
            failures.incrementAndGet();
            onError.accept(e.getMessage() + " (retrying in " + RETRY_AFTER.toSeconds() + " s)");
            m.nakWithDelay(RETRY_AFTER);
            return false;
        }
        if (refusal == null) {
            return true;
        }
        if (refused.incrementAndGet() % 1000 == 1) {
            LOG.warn("NATS: " + refusal); // once per thousand refused messages: the status keeps the latest
        }
        onError.accept(refusal);
        m.nakWithDelay(keys.recheck());
        return false;
    }

    /** The {@code <node>} of {@code <date>/<node>/<file>}; null for any other shape (the import rejects it). */
    static String nodeOfPath(String path) {
        String[] parts = path.split("/");
        return parts.length == 3 && !parts[1].isEmpty() ? parts[1] : null;
    }

    /** Messages not imported because their node's audit key was refused. */
    long refused() {
        return refused.get();
    }

    /** The consumer's lag as NATS last reported it; -1 before anything was heard. */
    long lag() {
        return lag;
    }

    Instant lagAt() {
        return lagAt;
    }

    void setLag(long value) {
        lag = value;
        lagAt = Instant.now();
    }

    long count(LocalStore.Outcome o) {
        return outcomes.get(o).get();
    }

    long ownSkipped() {
        return ownSkipped.get();
    }

    long failures() {
        return failures.get();
    }

    Instant lastImport() {
        return lastImport;
    }
}
