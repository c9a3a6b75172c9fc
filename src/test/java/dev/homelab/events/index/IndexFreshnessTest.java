package dev.homelab.events.index;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The running application: a file another process writes into the store is served without a restart, and
 * readiness reports the index. How fast is a benchmark's claim (docs/performance.md), not a test's: the wait here
 * has a generous ceiling so that a loaded machine does not fail it.
 */
@QuarkusTest
class IndexFreshnessTest {

    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Test
    void aFileWrittenByAnotherProcessIsServedWithoutARestart() throws Exception {
        Path root = Path.of(given().get("/api/store").then().statusCode(200).extract().<String>path("root"));
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID id = UUID.randomUUID();
        String cid = "fresh-" + id;
        String json = "{\"timestamp\":\"" + DateTimeFormatter.ISO_INSTANT.format(at) + "\",\"node\":\"other-node\","
                + "\"type\":\"node_offline\",\"severity\":\"warning\",\"source\":\"other-process\",\"service\":\"svc\","
                + "\"correlation_id\":\"" + cid + "\",\"payload\":{\"n\":1}}\n";
        // as another writer does it: a hidden temporary file in the target directory, then a rename to the final name
        Path dir = Files.createDirectories(root.resolve(at.toString().substring(0, 10)).resolve("other-node"));
        Path temp = dir.resolve(".tmp-" + id);
        Files.writeString(temp, json, StandardCharsets.UTF_8);
        Files.move(temp, dir.resolve(NAME_TIME.format(at) + "_node_offline_" + id + ".json"), StandardCopyOption.ATOMIC_MOVE);

        Awaitility.await("the event written behind the server's back is served over REST").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> given().get("/api/events/" + id).statusCode() == 200);
        given().get("/api/events/" + id).then().body("correlation_id", equalTo(cid)).body("node", equalTo("other-node"));
        given().get("/api/chains/" + cid).then().statusCode(200).body("count", equalTo(1));
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
