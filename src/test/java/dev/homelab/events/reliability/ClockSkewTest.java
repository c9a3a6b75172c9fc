package dev.homelab.events.reliability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The clock-skew policy (docs/format.md): timestamps more than 24 hours ahead of this node's clock are refused,
 * any past timestamp from 1970 on is accepted and earlier ones refused, and the order is deterministic: timestamp,
 * then node, then id.
 */
@QuarkusTest
class ClockSkewTest {

    static String event(String timestamp, String node, String correlation) {
        return "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"ci\",\"service\":\"web\",\"timestamp\":\""
                + timestamp + "\",\"node\":\"" + node + "\",\"correlation_id\":\"" + correlation + "\"}";
    }

    @Test
    void moreThan24HoursAheadIsRefused() {
        String future = Instant.now().plus(25, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS).toString();
        given().contentType("application/json").body(event(future, "n1", "skew-future")).post("/api/events")
                .then().statusCode(400).body("errors.field", hasItem("timestamp"))
                .body("errors[0].message", containsString("24h ahead"));
    }

    @Test
    void upTo24HoursAheadIsAccepted() {
        // a minute inside the limit: the server's clock only moves on while the request travels, away from the limit
        String nearFuture = Instant.now().plus(24, ChronoUnit.HOURS).minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MICROS)
                .toString();
        given().contentType("application/json").body(event(nearFuture, "n1", "skew-accepted")).post("/api/events").then()
                .statusCode(201);
        String plus23 = Instant.now().plus(23, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS).toString();
        given().contentType("application/json").body(event(plus23, "n1", "skew-accepted")).post("/api/events").then()
                .statusCode(201);
    }

    @Test
    void pastTimestampsFrom1970OnAreAcceptedAndEarlierOnesRefused() {
        given().contentType("application/json").body(event("1971-02-03T04:05:06Z", "n1", "skew-past")).post("/api/events")
                .then().statusCode(201).body("timestamp", equalTo("1971-02-03T04:05:06.000000Z"));
        given().contentType("application/json").body(event("1970-01-01T00:00:00Z", "n1", "skew-past")).post("/api/events")
                .then().statusCode(201).body("timestamp", equalTo("1970-01-01T00:00:00.000000Z"));
        given().contentType("application/json").body(event("1969-12-31T23:59:59Z", "n1", "skew-past")).post("/api/events")
                .then().statusCode(400).body("errors.field", hasItem("timestamp"));
    }

    @Test
    void equalTimestampsAreOrderedByNodeThenId() {
        String ts = "2026-01-01T00:00:00.000001Z";
        String cid = "skew-ties-" + UUID.randomUUID();
        // several events per node, so that ties between ids are ordered too
        for (String node : List.of("zeta", "alpha", "mid", "alpha", "zeta", "alpha", "mid")) {
            given().contentType("application/json").body(event(ts, node, cid)).post("/api/events").then()
                    .statusCode(201);
        }
        List<Map<String, String>> chain = given().get("/api/chains/" + cid).then().statusCode(200).extract().jsonPath()
                .getList("events");
        List<String> nodes = chain.stream().map(e -> e.get("node")).toList();
        assertEquals(List.of("alpha", "alpha", "alpha", "mid", "mid", "zeta", "zeta"), nodes);
        for (int i = 1; i < chain.size(); i++) {
            if (nodes.get(i).equals(nodes.get(i - 1))) {
                UUID previous = UUID.fromString(chain.get(i - 1).get("id"));
                UUID current = UUID.fromString(chain.get(i).get("id"));
                assertTrue(previous.compareTo(current) < 0,
                        "same timestamp and node: ordered by id (UUID order), got " + previous + " before " + current);
            }
        }
        List<String> ids = chain.stream().map(e -> e.get("id")).toList();
        List<String> again = given().get("/api/chains/" + cid).then().extract().jsonPath().getList("events.id");
        assertEquals(ids, again, "the same query gives the same order every time");
        List<String> newestFirst = given().queryParam("correlation_id", cid).get("/api/events").then().extract()
                .jsonPath()
                .getList("events.id");
        List<String> reversed = new java.util.ArrayList<>(newestFirst);
        java.util.Collections.reverse(reversed);
        assertEquals(ids, reversed, "listing newest first is the exact reverse");
    }
}
