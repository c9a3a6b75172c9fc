package dev.homelab.events.reliability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The clock-skew policy (docs/format.md): timestamps more than 24 hours ahead of this node's clock are refused,
 * any past timestamp from 1970 on is accepted, and the order is deterministic: timestamp, then node, then id.
 */
@QuarkusTest
class ClockSkewTest {

    static String event(String timestamp, String node, String correlation) {
        return "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"ci\",\"service\":\"web\",\"timestamp\":\""
                + timestamp + "\",\"node\":\"" + node + "\",\"correlation_id\":\"" + correlation + "\"}";
    }

    @Test
    void moreThan24HoursAheadIsRefused() {
        String future = Instant.now().plus(25, ChronoUnit.HOURS).toString();
        given().contentType("application/json").body(event(future, "n1", "skew-future")).post("/api/events")
                .then().statusCode(400).body("errors.field", hasItem("timestamp"))
                .body("errors[0].message", containsString("24h ahead"));
    }

    @Test
    void upTo24HoursAheadAndFarPastAreAccepted() {
        String nearFuture = Instant.now().plus(23, ChronoUnit.HOURS).toString();
        given().contentType("application/json").body(event(nearFuture, "n1", "skew-accepted")).post("/api/events").then()
                .statusCode(201);
        given().contentType("application/json").body(event("1971-02-03T04:05:06Z", "n1", "skew-accepted")).post("/api/events")
                .then().statusCode(201).body("timestamp", equalTo("1971-02-03T04:05:06.000000Z"));
        given().contentType("application/json").body(event("1969-12-31T23:59:59Z", "n1", "skew-accepted")).post("/api/events")
                .then().statusCode(400).body("errors.field", hasItem("timestamp"));
    }

    @Test
    void equalTimestampsAreOrderedByNodeThenId() {
        String ts = "2026-01-01T00:00:00.000001Z";
        for (String node : List.of("zeta", "alpha", "mid", "alpha", "zeta")) {
            given().contentType("application/json").body(event(ts, node, "skew-ties")).post("/api/events").then()
                    .statusCode(201);
        }
        List<String> nodes = given().get("/api/chains/skew-ties").then().statusCode(200).extract().jsonPath()
                .getList("events.node");
        assertEquals(List.of("alpha", "alpha", "mid", "zeta", "zeta"), nodes);
        List<String> ids = given().get("/api/chains/skew-ties").then().extract().jsonPath().getList("events.id");
        List<String> again = given().get("/api/chains/skew-ties").then().extract().jsonPath().getList("events.id");
        assertEquals(ids, again, "the same query gives the same order every time");
        List<String> newestFirst = given().queryParam("correlation_id", "skew-ties").get("/api/events").then().extract()
                .jsonPath()
                .getList("events.id");
        List<String> reversed = new java.util.ArrayList<>(newestFirst);
        java.util.Collections.reverse(reversed);
        assertEquals(ids, reversed);
    }
}
