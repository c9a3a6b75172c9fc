package dev.homelab.events.nats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nats-server processes in one JetStream cluster, a stream with three replicas, two application nodes.
 * The server the writing node is connected to is killed (SIGKILL) while it publishes: nothing is lost.
 */
class NatsClusterTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // a loaded machine: cluster election, fsyncs; ceilings below
    void killingOneOfThreeServersMidStreamLosesNothing() throws Exception {
        NatsServer.binary();
        List<NatsServer> cluster = NatsServer.cluster(tmp, 3);
        String urls = cluster.stream().map(NatsServer::url).collect(Collectors.joining(","));
        NatsSettings base = NatsNode.settings(urls, "node-a");
        try (NatsNode a = NatsNode.start("node-a", tmp.resolve("node-a"), base.withStream("HOMELAB_EVENTS", 3));
                NatsNode b = NatsNode.start("node-b", tmp.resolve("node-b"),
                        NatsNode.settings(urls, "node-b").withStream("HOMELAB_EVENTS", 3))) {
            Awaitility.await("the R3 stream is up (a cluster elects its meta leader first)").atMost(Duration.ofSeconds(90))
                    .until(() -> a.status().ready() && b.status().ready());
            assertEquals(3, StreamProbe.replicas(urls, "HOMELAB_EVENTS"), "the stream is replicated on all three servers");
            a.emit(100);
            Awaitility.await("the first events are in").atMost(Duration.ofSeconds(90))
                    .until(() -> a.status().published() >= 20);
            String used = a.status().connectedUrl();
            NatsServer victim = cluster.stream().filter(s -> s.url().equals(used)).findFirst().orElseThrow();
            victim.kill();
            a.emit(100); // written while the cluster is one server short; published through the other two

            Awaitility.await("b holds all 200").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertEquals(200, b.files().size(), "b: " + b.status() + "\na: " + a.status()));
            Map<String, byte[]> mine = a.files();
            Map<String, byte[]> theirs = b.files();
            assertEquals(mine.keySet(), theirs.keySet());
            for (Map.Entry<String, byte[]> e : mine.entrySet()) {
                assertArrayEquals(e.getValue(), theirs.get(e.getKey()), e.getKey());
            }
            String survivors = cluster.stream().filter(NatsServer::alive).map(NatsServer::url)
                    .collect(Collectors.joining(","));
            assertEquals(200, StreamProbe.messages(survivors, "HOMELAB_EVENTS"), "each event once in the stream");
            Awaitility.await("b's imports counted (a file is on disk a moment before)").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertEquals(200, b.status().imported()));
            assertTrue(!a.status().connectedUrl().equals(used), "a moved to another server");
        } finally {
            for (NatsServer s : cluster) {
                s.close();
            }
        }
    }
}
