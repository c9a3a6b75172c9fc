package dev.homelab.events.nats;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.storage.EventStore;

/**
 * The application wiring with NATS on: an event posted over REST is published, an event another node
 * published lands in this store byte-exact and is served, and status, readiness and metrics show it.
 */
@QuarkusTest
@TestProfile(NatsProfile.class)
class NatsApplicationTest {

    @Inject
    NatsReplication nats;
    @Inject
    EventStore store;

    @BeforeEach
    void needsServer() {
        NatsServer.binary(); // skipped (or failed under CI) when nats-server is missing
    }

    @Test
    void postedEventsArePublishedAndOtherNodesEventsAreImported() throws Exception {
        Awaitility.await("set up").atMost(Duration.ofSeconds(60)).until(() -> nats.status().ready());
        given().contentType("application/json").body("""
                {"type":"deployment_started","severity":"info","source":"nats-test","service":"web","payload":{}}""")
                .post("/api/events").then().statusCode(201);
        Awaitility.await("published").atMost(Duration.ofSeconds(60))
                .until(() -> StreamProbe.messages(NatsProfile.Server.url, NatsProfile.STREAM) >= 1
                        && nats.status().published() >= 1);

        // another node publishes one of its events, as its outbox would
        Event theirs = TestEvents.event("deployment_finished", "other-node", "web", "nats-app-1", Instant.now());
        Path rel = store.relativePathOf(theirs);
        byte[] bytes = store.codec().toBytes(theirs);
        Connection c = Nats.connect(NatsProfile.Server.url);
        try {
            Headers h = new Headers().put(Subjects.PATH_HEADER, rel.toString()).put(Subjects.ORIGIN_HEADER, "other-node");
            c.jetStream().publish(Subjects.subject("other-node", "deployment_finished"), h, bytes,
                    PublishOptions.builder().messageId(theirs.id().toString()).build());
        } finally {
            c.close();
        }
        Awaitility.await("imported").atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(store.root().resolve(rel)));
        assertArrayEquals(bytes, Files.readAllBytes(store.root().resolve(rel)), "byte-exact");
        Awaitility.await("served").atMost(Duration.ofSeconds(30)).untilAsserted(
                () -> given().get("/api/events/" + theirs.id()).then().statusCode(200).body(containsString("other-node")));

        NatsStatus s = nats.status();
        assertTrue(s.enabled() && s.ready(), s.toString());
        assertEquals(1, s.imported(), s.toString());
        assertEquals(NatsProfile.STREAM, s.stream());
        given().get("/q/health/ready").then().statusCode(200).body(containsString("\"nats\""));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("homelab_nats_published_total"), "published counter");
        assertTrue(metrics.contains("homelab_nats_outbox_backlog"), "backlog gauge");
        assertTrue(metrics.contains("homelab_nats_consumer_lag"), "lag gauge");
        assertTrue(metrics.contains("homelab_nats_imported_total{outcome=\"written\"} 1.0"),
                () -> metrics.lines().filter(l -> l.contains("nats")).toList().toString());
        assertTrue(new String(bytes, StandardCharsets.UTF_8).endsWith("\n"));
    }
}
