package dev.homelab.events.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkiverse.mcp.server.test.McpAssured.McpStreamableTestClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonObject;

/**
 * Parameters far outside what the server supports get a 400 naming the parameter (an isError result or -32602 on
 * MCP), on every face: never a 500, and never an echo as long as the request.
 */
@QuarkusTest
class HostileRequestsTest {

    /** What the hostile run sent, and neighbours of it. */
    static final List<String> FAR_OUT = List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
            "now-99999999999d", "now-999999999w", "+10000-01-01T00:00:00Z");
    static final String RANGE = "0001-01-01T00:00:00Z";

    @Test
    void farOutTimeBoundsOnRestListingAre400NamingTheParameterAndTheRange() {
        for (String bound : List.of("since", "until")) {
            for (String value : FAR_OUT) {
                badRequest(given().queryParam(bound, value).get("/api/events").then(), bound)
                        .body("errors[0].message", containsString(RANGE));
            }
        }
    }

    @Test
    void farOutTimeBoundsOnFunctionCallingAre400NamingTheParameter() {
        for (String value : FAR_OUT) {
            for (String tool : List.of("list_events", "list_open_incidents")) {
                badRequest(given().contentType("application/json").body(Map.of("since", value))
                        .post("/api/tools/" + tool).then(), "since").body("errors[0].message", containsString(RANGE));
            }
            badRequest(given().contentType("application/json").body(Map.of("until", value)).post("/api/tools/list_events")
                    .then(), "until");
        }
    }

    @Test
    void farOutTimeBoundsOnMcpAreAToolErrorNamingTheParameter() {
        McpStreamableTestClient client = McpAssured.newConnectedStreamableClient();
        for (String value : FAR_OUT) {
            for (String tool : List.of("list_events", "list_open_incidents")) {
                JsonObject call = client.newRequest("tools/call")
                        .put("params",
                                new JsonObject().put("name", tool).put("arguments", new JsonObject().put("since", value)));
                client.when().message(call).withAssert(r -> {
                    // either form of a precise client error is fine: an isError tool result or a JSON-RPC -32602
                    String text;
                    if (r.containsKey("error")) {
                        assertTrue(r.getJsonObject("error").getInteger("code") == -32602, r.encode());
                        text = r.getJsonObject("error").encode();
                    } else {
                        JsonObject result = r.getJsonObject("result");
                        assertTrue(result.getBoolean("isError", false), tool + " " + value + ": " + r.encode());
                        text = result.encode();
                    }
                    assertTrue(text.contains("since") && text.contains(RANGE) && !text.contains("Internal error"),
                            tool + " " + value + ": " + text);
                }).send();
            }
        }
        client.when().thenAssertResults();
    }

    @Test
    void askRefusesAFarOutSinceBeforeAnyModelIsConsulted() {
        badRequest(given().contentType("application/json").body(Map.of("question", "what failed?", "since", FAR_OUT.get(0)))
                .post("/api/ask").then(), "since");
    }

    @Test
    void siblingParametersAreNamedToo() {
        badRequest(given().queryParam("limit", "99999999999999999999").get("/api/events").then(), "limit");
        badRequest(given().queryParam("limit", "-1").get("/api/events").then(), "limit");
        badRequest(given().queryParam("limit", "1e3").get("/api/events").then(), "limit");
        badRequest(given().queryParam("cursor", "\u0000\uFFFF garbage").get("/api/events").then(), "cursor");
        badRequest(given().queryParam("cursor", "A".repeat(3000)).get("/api/events").then(), "cursor");
        badRequest(given().queryParam("include_archived", "maybe").get("/api/events").then(), "include_archived");
        badRequest(given().queryParam("include_archived", "yes").get("/api/chains/deploy-882").then(), "include_archived");
        badRequest(given().queryParam("order", "sideways").get("/api/events").then(), "order");
        for (String date : List.of("+999999999-12-31", "9999-99-99", "0000-00-00", "2026-02-30", "x".repeat(1000))) {
            badRequest(given().get("/api/archive/" + date).then(), "date");
            badRequest(given().post("/api/archive/restore/" + date).then(), "date");
        }
        badRequest(given().queryParam("after", "garbage").get("/api/sync/export").then(), "after");
        badRequest(given().queryParam("after", "9".repeat(3000)).get("/api/sync/export").then(), "after");
        badRequest(given().queryParam("limit", "99999999999").get("/api/sync/export").then(), "limit");
        badRequest(given().queryParam("limit", "0").get("/api/sync/export").then(), "limit");
        badRequest(given().contentType("application/json").body(Map.of("limit", 99_999_999_999L))
                .post("/api/tools/list_events").then(), "limit");
    }

    @Test
    void longValuesAreEchoedOnlyInPart() {
        // a 3,000-character id, chain or filter must not come back as a 3,000-character error: errors never amplify
        String longId = "a".repeat(3000);
        badRequest(given().get("/api/events/" + longId).then(), "id").body("errors[0].value.length()", lessThan(200));
        given().get("/api/chains/" + longId).then().statusCode(404).contentType(Problem.MEDIA_TYPE)
                .body("detail.length()", lessThan(500));
        badRequest(given().queryParam("until", "now-" + "9".repeat(3000) + "d").get("/api/events").then(), "until")
                .body("errors[0].value.length()", lessThan(200)).body("detail.length()", lessThan(1000));
        badRequest(given().queryParam("since", "2026-01-01T00:00:00Z").queryParam("until", "2025-" + "1".repeat(2000))
                .get("/api/events").then(), "until").body("detail.length()", lessThan(1000));
    }

    static ValidatableResponse badRequest(ValidatableResponse r, String field) {
        return r.statusCode(400).contentType(Problem.MEDIA_TYPE).body("status", equalTo(400))
                .body("errors[0].field", equalTo(field));
    }
}
