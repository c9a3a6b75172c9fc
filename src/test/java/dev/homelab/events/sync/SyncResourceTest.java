package dev.homelab.events.sync;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class SyncResourceTest {

    private static String emit(String timestamp, String correlationId) {
        return given().contentType(ContentType.JSON)
                .body("{" + (timestamp == null ? "" : "\"timestamp\":\"" + timestamp + "\",")
                        + "\"type\":\"deployment_started\",\"severity\":\"info\","
                        + "\"source\":\"ci\",\"service\":\"web\",\"correlation_id\":\"" + correlationId + "\",\"payload\":{}}")
                .post("/api/events").then().statusCode(201).extract().path("id");
    }

    /** Follows next_cursor from {@code after} to the end; returns the items and the final cursor. */
    private static Map.Entry<List<Map<String, Object>>, String> drain(String after) {
        List<Map<String, Object>> items = new java.util.ArrayList<>();
        String cursor = after;
        boolean more = true;
        while (more) {
            JsonPath page = given().queryParam("after", cursor == null ? "" : cursor).queryParam("limit", 2)
                    .get("/api/sync/export").then().statusCode(200).extract().jsonPath();
            items.addAll(page.getList("items"));
            cursor = page.getString("next_cursor");
            more = page.getBoolean("has_more");
        }
        return Map.entry(items, cursor);
    }

    @Test
    void exportsExactBytesInArrivalOrderSoLateOldEventsStillComeAfterTheCursor() throws Exception {
        String chain = "sync-" + UUID.randomUUID();
        emit(null, chain);
        emit(null, chain);
        Path root = Path.of(given().get("/api/store").then().extract().<String>path("root"));
        var first = drain(null);
        assertTrue(first.getKey().size() >= 2);
        for (Map<String, Object> item : first.getKey()) {
            byte[] bytes = Base64.getDecoder().decode((String) item.get("content"));
            assertArrayEquals(Files.readAllBytes(root.resolve((String) item.get("path"))), bytes);
            assertEquals(Exporter.sha256(bytes), item.get("sha256"));
            assertTrue(((String) item.get("path")).contains((String) item.get("id")));
        }
        // an event from long ago arrives now: it sorts first by time, yet it is exported after the cursor
        String late = emit("2025-12-01T00:00:00Z", chain);
        var second = drain(first.getValue());
        assertEquals(1, second.getKey().size());
        assertEquals(late, second.getKey().get(0).get("id"));
        given().queryParam("after", second.getValue()).get("/api/sync/export").then().statusCode(200)
                .body("items.size()", equalTo(0)).body("has_more", equalTo(false))
                .body("next_cursor", equalTo(second.getValue()));
    }

    @Test
    void badExportArgumentsAreRefusedNamingTheField() {
        given().queryParam("after", "../../etc").get("/api/sync/export").then().statusCode(400)
                .body("errors[0].field", equalTo("after"));
        given().queryParam("limit", 0).get("/api/sync/export").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        given().queryParam("limit", "many").get("/api/sync/export").then().statusCode(400).body("errors[0].field",
                equalTo("limit"));
        given().queryParam("after", UUID.randomUUID() + ".5").get("/api/sync/export").then().statusCode(200)
                .body("reset", equalTo(true));
    }

    @Test
    void withoutPeersRunRefusesANamedPeerAndStatusAndHealthSaySo() {
        given().post("/api/sync/run?peer=nas").then().statusCode(400).body("errors[0].field", equalTo("peer"))
                .body("detail", containsString("no peers are configured"));
        given().post("/api/sync/run").then().statusCode(200).body("size()", equalTo(0));
        given().get("/api/sync/status").then().statusCode(200).body("node", equalTo("test-node")).body("peers.size()",
                equalTo(0));
        given().get("/q/health/well").then().statusCode(200).body("checks.name", hasItem("sync"));
        given().get("/q/health").then().statusCode(200).body("checks.name", hasItem("sync"));
        given().get("/q/health/ready").then().statusCode(200).body("checks.name", org.hamcrest.Matchers.not(hasItem("sync")));
    }
}
