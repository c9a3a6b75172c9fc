package dev.homelab.events.sync;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The two periodic passes on the Quarkus scheduler, switched on: the sync pull fetches a peer's events and
 * the retention policy archives an old day, with nobody calling sync_now or the archive endpoints. (Every
 * other test runs with the retention schedule off, and without peers or with the sync schedule off.)
 */
@QuarkusTest
@TestProfile(ScheduledPassesTest.Scheduled.class)
@QuarkusTestResource(value = ScheduledPassesTest.Peer.class, restrictToAnnotatedClass = true)
class ScheduledPassesTest {

    private static final String CHAIN = "scheduled-chain";

    public static class Scheduled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("homelab.sync.enabled", "true", "homelab.sync.interval", "PT1S",
                    "homelab.archive.enabled", "true", "homelab.archive.interval", "PT1S");
        }
    }

    /** A peer holding two recent events, started before the application and configured as its peer. */
    public static class Peer implements QuarkusTestResourceLifecycleManager {
        private FakePeer peer;

        @Override
        public Map<String, String> start() {
            try {
                Path root = Files.createTempDirectory("scheduled-passes-peer");
                peer = new FakePeer(root, "sched-node");
                Instant recent = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
                peer.node.emit(recent, "sched-node", CHAIN);
                peer.node.emit(recent.plusSeconds(1), "sched-node", CHAIN);
                return Map.of("homelab.sync.peers.sched.url", peer.url().toString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            peer.close();
        }
    }

    @Test
    void theSyncScheduleOnItsOwnPullsThePeer() {
        given().get("/api/sync/status").then().statusCode(200).body("schedule_enabled", equalTo(true))
                .body("interval_seconds", equalTo(1));
        await("the scheduled pull brings the peer's two events").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> given().get("/api/events?correlation_id=" + CHAIN).then().statusCode(200)
                        .body("total", equalTo(2)));
        given().get("/api/sync/status").then().body("peers[0].state", equalTo("online"))
                .body("peers[0].events_pulled", equalTo(2));
    }

    @Test
    void theRetentionScheduleOnItsOwnArchivesAnOldDay() {
        String old = LocalDate.now(ZoneOffset.UTC).minusDays(200).toString();
        given().contentType(ContentType.JSON)
                .body("{\"timestamp\":\"" + old + "T12:00:00Z\",\"type\":\"deployment_started\",\"severity\":\"info\","
                        + "\"source\":\"ci\",\"service\":\"web\",\"payload\":{}}")
                .post("/api/events").then().statusCode(201);
        // the first run comes ten seconds after start-up, then one every second
        await("the scheduled retention archives " + old).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> given().get("/api/archive").then().statusCode(200).body("archives.date", hasItem(old)));
        given().get("/api/events?since=" + old + "T00:00:00Z&until=" + old + "T23:59:59Z").then().body("total",
                equalTo(0));
        given().get("/api/events?since=" + old + "T00:00:00Z&until=" + old + "T23:59:59Z&include_archived=true").then()
                .body("total", equalTo(1)).body("events.timestamp", equalTo(List.of(old + "T12:00:00.000000Z")));
    }
}
