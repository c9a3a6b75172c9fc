package dev.homelab.events.index;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.storage.EventStore;

/** The running application: another process's file is served within a second, and readiness reports the index. */
@QuarkusTest
class IndexFreshnessTest {

    @Inject
    EventStore store;

    @Test
    void aFileWrittenByAnotherProcessIsServedWithinASecond() throws Exception {
        given().get("/api/events/" + java.util.UUID.randomUUID()).then().statusCode(404); // warm up the HTTP client
        Event e = TestEvents.event("node_offline", "other-node", "svc", "fresh-" + System.nanoTime(), Instant.now());
        Path target = IndexWatcherTest.writeLikeAnotherProcess(store.root(), e, store);
        long started = System.nanoTime();
        IndexWatcherTest.await("the event is served over REST", Duration.ofSeconds(10),
                () -> given().get("/api/events/" + e.id()).statusCode() == 200);
        long millis = (System.nanoTime() - started) / 1_000_000;
        org.junit.jupiter.api.Assertions.assertTrue(millis < 1000, "visible after " + millis + " ms (" + target + ")");
        given().get("/api/chains/" + e.correlationId()).then().statusCode(200).body("count", equalTo(1));
    }

    @Test
    void readinessReportsTheIndex() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks[0].data.index_start", equalTo("scan"))
                .body("checks[0].data.index_watcher", equalTo("running"))
                .body("checks[0].data.index_stale", equalTo(false))
                .body("checks[0].data.index_watched_directories", greaterThanOrEqualTo(1));
    }
}
