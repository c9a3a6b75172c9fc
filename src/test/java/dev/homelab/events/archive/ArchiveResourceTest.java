package dev.homelab.events.archive;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Archive, verify, query archived, restore, over REST against the running application. Its own profile,
 * hence its own fresh store: the retention run below archives every old day, which must not reach the
 * events of other test classes.
 */
@QuarkusTest
@TestProfile(ArchiveResourceTest.OwnStore.class)
class ArchiveResourceTest {

    public static class OwnStore implements QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("homelab.archive.delete-archives-after-days", "365");
        }
    }

    private static String emit(String timestamp, String correlationId) {
        return given().contentType(ContentType.JSON)
                .body("{\"timestamp\":\"" + timestamp + "\",\"type\":\"deployment_started\",\"severity\":\"info\","
                        + "\"source\":\"ci\",\"service\":\"web\",\"correlation_id\":\"" + correlationId + "\",\"payload\":{}}")
                .post("/api/events").then().statusCode(201).extract().path("id");
    }

    @Test
    void anArchivedDayIsQueryableWhenAskedAndRestoresIntoTheLiveLayout() throws Exception {
        String chain = "arch-" + UUID.randomUUID();
        // dates relative to today, so the policy (keep 90 days, delete archives after 365) judges them the same any day
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String dayA = today.minusDays(200).toString();
        String dayB = today.minusDays(199).toString();
        String expired = today.minusDays(400).toString();
        String oldId = emit(expired + "T12:00:00Z", "expired-" + chain);
        List<String> ids = new ArrayList<>();
        ids.add(emit(dayA + "T10:00:00Z", chain));
        ids.add(emit(dayA + "T11:00:00Z", chain));
        String liveId = emit(dayB + "T09:00:00Z", chain);
        Path root = Path.of(given().get("/api/store").then().extract().<String>path("root"));

        given().post("/api/archive/" + dayA).then().statusCode(200)
                .body("outcome", equalTo("archived")).body("archived", equalTo(2)).body("removed", equalTo(2));
        assertFalse(Files.exists(root.resolve(dayA)));
        given().post("/api/archive/" + dayA).then().statusCode(200).body("outcome", equalTo("already_archived"));
        given().get("/api/archive/" + dayA).then().statusCode(200).body("files.size()", equalTo(2));
        given().get("/api/archive").then().statusCode(200).body("archives.date", hasItem(dayA));

        given().get("/api/events?correlation_id=" + chain).then().statusCode(200).body("total", equalTo(1));
        given().get("/api/events?correlation_id=" + chain + "&include_archived=true&order=oldest").then().statusCode(200)
                .body("total", equalTo(3)).body("events.id", equalTo(List.of(ids.get(0), ids.get(1), liveId)));
        // paging across archived and live events neither skips nor repeats
        String cursor = given().get("/api/events?correlation_id=" + chain + "&include_archived=true&order=oldest&limit=2")
                .then().body("events.id", equalTo(ids)).body("has_more", equalTo(true)).extract().path("next_cursor");
        given().get("/api/events?correlation_id=" + chain + "&include_archived=true&order=oldest&limit=2&cursor=" + cursor)
                .then().body("events.id", equalTo(List.of(liveId))).body("has_more", equalTo(false));
        given().get("/api/chains/" + chain).then().statusCode(200).body("count", equalTo(1));
        given().get("/api/chains/" + chain + "?include_archived=true").then().statusCode(200).body("count", equalTo(3));
        given().get("/api/events/" + ids.get(0)).then().statusCode(404);

        given().post("/api/archive/restore/" + dayA).then().statusCode(200)
                .body("written", equalTo(2)).body("archive_removed", equalTo(true));
        assertTrue(Files.exists(root.resolve(dayA)));
        given().get("/api/events/" + ids.get(0)).then().statusCode(200);
        given().get("/api/chains/" + chain).then().statusCode(200).body("count", equalTo(3));
        given().get("/api/archive/" + dayA).then().statusCode(404);
        // a restored day is held live: the retention policy leaves it alone
        given().post("/api/archive/run").then().statusCode(200)
                .body("archived.date", org.hamcrest.Matchers.hasItems(dayB, expired))
                .body("archives_deleted", equalTo(List.of(expired)));
        assertTrue(Files.exists(root.resolve(dayA)));
        given().get("/api/archive").then().body("archives.date", hasItem(dayB));
        assertEquals(0, given().get("/api/archive").then().extract().<List<String>>path("archives.date").stream()
                .filter(d -> d.equals(dayA) || d.equals(expired)).count(),
                "restored day not archived again; expired archive deleted");
        assertFalse(Files.exists(root.resolve(expired)));
        given().get("/api/events/" + oldId).then().statusCode(404);
    }

    @Test
    void badDatesAreRefusedNamingTheField() {
        given().post("/api/archive/2026-02-30").then().statusCode(400).body("errors[0].field", equalTo("date"));
        given().post("/api/archive/../etc").then().statusCode(404);
        given().post("/api/archive/2999-01-01").then().statusCode(400).body("detail", containsString("before today"));
        given().post("/api/archive/restore/2020-01-01").then().statusCode(404);
        given().get("/api/events?include_archived=yes").then().statusCode(400).body("errors[0].field",
                equalTo("include_archived"));
        given().get("/api/chains/x?include_archived=1").then().statusCode(400).body("errors[0].field",
                equalTo("include_archived"));
    }
}
