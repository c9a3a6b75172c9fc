package dev.homelab.events.nats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Application nodes (in-process wirings over their own temporary stores) replicating through one real
 * nats-server with JetStream: byte-exact exchange, exactly once in the stream, NATS down while nodes keep
 * writing, and a node restarted in the middle of catching up.
 */
class NatsReplicationTest {

    @TempDir
    Path tmp;

    private NatsServer nats;
    private final java.util.List<NatsNode> nodes = new java.util.ArrayList<>();

    @BeforeEach
    void startNats() throws IOException {
        NatsServer.binary();
        nats = NatsServer.start(tmp);
    }

    @AfterEach
    void stopAll() throws IOException {
        for (NatsNode n : nodes) {
            n.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    private NatsNode node(String name) throws IOException {
        NatsNode n = NatsNode.start(name, tmp.resolve(name), NatsNode.settings(nats.url(), name));
        nodes.add(n);
        return n;
    }

    private static ConditionFactory await(String what) {
        return Awaitility.await(what).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100));
    }

    /** Every node holds exactly the union of what all of them wrote, byte for byte. */
    private void awaitConverged(int total) {
        await("every store holds all " + total + " events").untilAsserted(() -> {
            for (NatsNode n : nodes) {
                assertEquals(total, n.files().size(), n.name + " holds " + n.files().size() + "; status " + n.status());
            }
        });
    }

    private void assertSameBytesEverywhere() throws IOException {
        Map<String, byte[]> first = nodes.get(0).files();
        for (NatsNode n : nodes.subList(1, nodes.size())) {
            Map<String, byte[]> other = n.files();
            assertEquals(new TreeMap<>(first).keySet(), new TreeMap<>(other).keySet(), n.name + " holds other paths");
            for (Map.Entry<String, byte[]> e : first.entrySet()) {
                assertArrayEquals(e.getValue(), other.get(e.getKey()), e.getKey() + " differs on " + n.name);
            }
        }
    }

    @Test
    void threeNodesExchangeTheirEventsByteExactAndEachIsInTheStreamOnce() throws Exception {
        NatsNode a = node("node-a");
        NatsNode b = node("node-b.lan"); // a dotted hostname: one subject token all the same
        NatsNode c = node("node-c");
        a.emit(40);
        b.emit(25);
        c.emit(10);

        awaitConverged(75);
        assertSameBytesEverywhere();
        assertEquals(75, StreamProbe.messages(nats.url(), "HOMELAB_EVENTS"), "one message per event, none twice");
        await("consumers caught up").untilAsserted(() -> {
            for (NatsNode n : nodes) {
                assertEquals(0, n.status().consumerLag(), n.name + ": " + n.status());
                assertEquals(0, n.status().outboxBacklog(), n.name + ": " + n.status());
            }
        });
        // a file is on disk a moment before its import is counted
        await("imports counted").untilAsserted(() -> {
            assertEquals(35, a.status().imported(), "a imported what b and c wrote, once each");
            assertEquals(50, b.status().imported());
            assertEquals(65, c.status().imported());
        });
        for (NatsNode n : nodes) {
            NatsStatus s = n.status();
            assertEquals("connected", s.state(), s.toString());
            assertTrue(s.ready(), s.toString());
            assertEquals(0, s.conflicts() + s.rejected(), s.toString());
        }
        assertEquals(40, a.status().published(), "imported events are not published again");
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // on a loaded machine: fsyncs and reconnects (ceilings below)
    void eventsWrittenWhileNatsIsDownArriveExactlyOnceWhenItIsBack() throws Exception {
        NatsNode a = node("node-a");
        NatsNode b = node("node-b");
        a.emit(10);
        awaitConverged(10);
        // b holding all ten does not mean a has each ack back: one on its way at the stop waits again (26)
        await("a's publishes acknowledged").untilAsserted(() -> {
            assertEquals(10, a.status().published(), a.status().toString());
            assertEquals(0, a.status().outboxBacklog(), a.status().toString());
        });

        Warnings warnings = Warnings.of(NatsReplicator.class);
        nats.stop();
        await("a notices").until(() -> !"connected".equals(a.status().state()));
        a.emit(20);
        b.emit(15);
        List<String> byBash = Bash.emit(a.root, "node-a", 5); // another writer on node a: the bash library
        a.rescan();
        await("the outboxes count what waits").untilAsserted(() -> {
            assertEquals(25, a.status().outboxBacklog(), a.status().toString());
            assertEquals(15, b.status().outboxBacklog(), b.status().toString());
        });
        assertFalse(a.status().ready(), "not ready while NATS is down: " + a.status());
        assertTrue(a.readiness().getStatus() == HealthCheckResponse.Status.UP,
                "an unreachable NATS is not a reason to be unready");

        nats.restart();
        awaitConverged(50);
        assertSameBytesEverywhere();
        for (String p : byBash) {
            assertTrue(b.files().containsKey(p), "the bash-written " + p + " reached b");
        }
        assertEquals(50, StreamProbe.messages(nats.url(), "HOMELAB_EVENTS"), "every event once in the stream");
        await("imports counted").untilAsserted(() -> {
            assertEquals(35, b.status().imported(), "b wrote each of a's events once");
            assertEquals(15, a.status().imported());
        });
        await("outboxes drained").untilAsserted(() -> {
            assertEquals(0, a.status().outboxBacklog());
            assertEquals(0, b.status().outboxBacklog());
        });
        // jnats reports DISCONNECTED after every failed reconnect attempt (one a second): the log says it once a node
        assertEquals(2, warnings.stop().stream().filter(m -> m.startsWith("NATS: disconnected")).count(),
                "one warning per node for the outage, not one per reconnect attempt: " + warnings.messages);
    }

    /** The WARN (and worse) messages a class logs from now until {@link #stop()}. */
    private static final class Warnings extends java.util.logging.Handler {
        private final java.util.logging.Logger logger;
        final List<String> messages = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        private Warnings(java.util.logging.Logger logger) {
            this.logger = logger;
        }

        static Warnings of(Class<?> c) {
            Warnings w = new Warnings(java.util.logging.Logger.getLogger(c.getName()));
            w.logger.addHandler(w);
            return w;
        }

        @Override
        public void publish(java.util.logging.LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                messages.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }

        /** Stops listening; what was logged. */
        List<String> stop() {
            close();
            return List.copyOf(messages);
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // on a loaded machine: fsyncs and reconnects (ceilings below)
    void aNodeRestartedWhileCatchingUpEndsWithEverythingAndNoConflict() throws Exception {
        NatsNode a = node("node-a");
        a.emit(600);
        await("a published").untilAsserted(() -> assertEquals(600, a.status().published()));

        NatsNode b = node("node-b"); // was offline: starts with the whole stream to catch up on
        await("b is catching up").until(() -> b.status().imported() >= 50);
        b.close(); // the process stops in the middle of its catch-up
        java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger(-1);
        Awaitility.await("b's store is still").atMost(Duration.ofSeconds(30)).during(Duration.ofMillis(500))
                .until(() -> held.getAndSet(b.files().size()) == held.get());
        int before = held.get();
        assertTrue(before < 600, "the stop happened mid-catch-up (b held " + before + ")");
        b.reopen();

        awaitConverged(600);
        assertSameBytesEverywhere();
        await("imports counted").untilAsserted(() -> assertEquals(600 - before, b.status().imported(),
                "after the restart b wrote exactly what it lacked: " + b.status()));
        NatsStatus s = b.status();
        assertEquals(0, s.conflicts() + s.rejected(), s.toString());
        assertEquals(600, StreamProbe.messages(nats.url(), "HOMELAB_EVENTS"));
    }

    @Test
    void withoutJetStreamTheStatusSaysWhatIsNeededAndReadinessIsDown() throws Exception {
        nats.close();
        nats = NatsServer.startWithoutJetStream(tmp);
        NatsNode a = node("node-a");
        a.emit(3);
        await("the problem is reported").untilAsserted(() -> {
            NatsStatus s = a.status();
            assertTrue(s.needsOperator(), s.toString());
            assertTrue(s.lastError().contains("JetStream") && s.lastError().contains("-js"), s.lastError());
            // counted by the periodic pass, which may have run between two of the emits
            assertEquals(3, s.outboxBacklog(), "the events wait in the outbox");
        });
        NatsStatus s = a.status();
        assertEquals("connected", s.state());
        assertFalse(s.ready());
        assertEquals(HealthCheckResponse.Status.DOWN, a.readiness().getStatus());
    }
}
