package dev.homelab.events.archive;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Archive then restore gives back a valid event whose file name does not follow the grammar (a hand-made file,
 * a foreign writer), under the very same path and bytes, so it keeps its id. Its own profile, hence its own
 * fresh store.
 */
@QuarkusTest
@TestProfile(ArchiveRestoreNonStandardNameTest.OwnStore.class)
class ArchiveRestoreNonStandardNameTest {

    public static class OwnStore implements QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("homelab.node", "restore-test-node");
        }
    }

    @Test
    void aValidEventWithANonStandardNameIsRestoredUnderItsOwnPathWithItsId() throws Exception {
        Path root = Path.of(given().get("/api/store").then().extract().<String>path("root"));
        String day = LocalDate.now(ZoneOffset.UTC).minusDays(200).toString();
        Path relative = Path.of(day, "hand-node", "written-by-hand.json");
        byte[] bytes = ("{\"timestamp\":\"" + day + "T10:00:00Z\",\"node\":\"hand-node\",\"type\":\"backup_finished\","
                + "\"severity\":\"info\",\"source\":\"restic\",\"service\":\"nas\",\"correlation_id\":\"by-hand\","
                + "\"payload\":{}}\n").getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(root.resolve(relative).getParent());
        Files.write(root.resolve(relative), bytes);
        String id = await().atMost(Duration.ofSeconds(60)).until(
                () -> given().get("/api/events?node=hand-node").then().extract().<List<String>>path("events.id"),
                ids -> ids.size() == 1).get(0);

        given().post("/api/archive/" + day).then().statusCode(200).body("archived", equalTo(1)).body("removed",
                equalTo(1));
        assertFalse(Files.exists(root.resolve(relative)));

        given().post("/api/archive/restore/" + day).then().statusCode(200).body("written", equalTo(1))
                .body("conflicts", equalTo(0)).body("archive_removed", equalTo(true));
        assertArrayEquals(bytes, Files.readAllBytes(root.resolve(relative)), "same path, same bytes");
        given().get("/api/events/" + id).then().statusCode(200).body("correlation_id", equalTo("by-hand"));
        given().get("/api/events?node=hand-node").then().statusCode(200).body("total", equalTo(1));
    }
}
