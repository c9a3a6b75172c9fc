package dev.homelab.events.nats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.it.PackagedServer;

/**
 * The packaged server, twice, replicating through a real nats-server: events posted over REST and written by
 * the bash library while NATS is stopped reach the other node, each exactly once, when it is back. Run by
 * failsafe in {@code verify}, after packaging.
 */
class NatsPackagedIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // two server starts and a NATS outage on a loaded machine
    void restAndBashEventsWrittenWhileNatsIsDownReachTheOtherNodeExactlyOnce() throws Exception {
        NatsServer.binary();
        try (NatsServer nats = NatsServer.start(tmp);
                PackagedServer a = new PackagedServer(tmp.resolve("store-a"), tmp.resolve("a.log"),
                        Map.of("HOMELAB_NODE", "node-a", "HOMELAB_NATS_URL", nats.url()));
                PackagedServer b = new PackagedServer(tmp.resolve("store-b"), tmp.resolve("b.log"),
                        Map.of("HOMELAB_NODE", "node-b", "HOMELAB_NATS_URL", nats.url()))) {
            a.start();
            b.start();
            for (int i = 0; i < 5; i++) {
                post(a, "before-a-" + i);
                post(b, "before-b-" + i);
            }
            awaitTotal(a, 10);
            awaitTotal(b, 10);
            // every publish acknowledged before NATS goes: one still in flight at the stop waits again (16). The
            // other node holding the event does not show that (the stream can have it while the ack is on its way),
            // nor does a backlog of 0 (counted by the pass before, which had not yet seen the newest event): only
            // each node's 5 acknowledged publishes do
            for (PackagedServer s : List.of(a, b)) {
                Awaitility.await("outbox drained").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            JsonNode status = get(s, "/api/sync/status").path("nats");
                            assertEquals(5, status.path("published").asLong(), status.toString());
                            assertEquals(0, status.path("outbox_backlog").asLong(), status.toString());
                        });
            }

            nats.stop();
            for (int i = 0; i < 10; i++) {
                post(a, "outage-a-" + i);
            }
            Bash.emit(tmp.resolve("store-a"), "node-a", 5); // a script on node a, no server involved
            for (int i = 0; i < 5; i++) {
                post(b, "outage-b-" + i);
            }
            Awaitility.await("a's outbox holds what waits").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                        JsonNode ready = get(a, "/q/health/ready");
                        assertTrue(ready.toString().contains("\"outbox_backlog\":15"), ready.toString());
                    });

            nats.restart();
            awaitTotal(a, 30);
            awaitTotal(b, 30);
            Map<String, byte[]> fa = NatsNode.files(tmp.resolve("store-a"));
            Map<String, byte[]> fb = NatsNode.files(tmp.resolve("store-b"));
            assertEquals(fa.keySet(), fb.keySet());
            for (Map.Entry<String, byte[]> e : fa.entrySet()) {
                assertArrayEquals(e.getValue(), fb.get(e.getKey()), e.getKey());
            }
            assertEquals(30, StreamProbe.messages(nats.url(), "HOMELAB_EVENTS"), "each event once in the stream");
            JsonNode ready = get(b, "/q/health/ready");
            assertTrue(ready.toString().contains("\"nats\""), ready.toString());
        }
    }

    private void post(PackagedServer s, String cid) throws IOException, InterruptedException {
        String body = "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"nats-it\",\"service\":\"web\","
                + "\"correlation_id\":\"" + cid + "\",\"payload\":{}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/api/events"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
    }

    private JsonNode get(PackagedServer s, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return MAPPER.readTree(r.body());
    }

    private void awaitTotal(PackagedServer s, int n) {
        Awaitility.await(s.baseUrl() + " lists " + n + " events").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertEquals(n, get(s, "/api/events?limit=1000").path("total").asInt(),
                        get(s, "/q/health/ready").toString()));
    }
}
