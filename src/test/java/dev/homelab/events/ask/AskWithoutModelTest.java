package dev.homelab.events.ask;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The default test configuration has no model at all, as for a newcomer: the server starts, everything but
 * /api/ask works, readiness is UP, and /api/ask answers 503 saying what to configure.
 */
@QuarkusTest
class AskWithoutModelTest {

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL server;

    @Test
    void theTerminalScriptSaysWhatToConfigure() throws Exception {
        AskScript.Result r = AskScript.run(server, "what", "is", "broken?");

        org.junit.jupiter.api.Assertions.assertEquals(2, r.exitCode(), r.out() + r.err());
        org.junit.jupiter.api.Assertions.assertTrue(r.err().contains("503 No model configured")
                && r.err().contains("HOMELAB_ASK_BASE_URL"), r.err());
    }

    @Test
    void answers503NamingWhatToConfigure() {
        String question = "why did mosquitto go down? " + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("question", question)).post("/api/ask")
                .then().statusCode(503).contentType("application/problem+json")
                .body("status", equalTo(503))
                .body("title", equalTo("No model configured"))
                .body("detail", containsString("HOMELAB_ASK_BASE_URL"))
                .body("detail", containsString("HOMELAB_ASK_MODEL"))
                .body("detail", containsString("http://127.0.0.1:11434/v1"));
        // who asked what is on the audit trail even so
        List<Map<String, Object>> audits = given().get("/api/events?type=operator_query&source=ask&limit=1000")
                .then().statusCode(200).extract().path("events");
        Map<String, Object> audit = audits.stream().filter(e -> question.equals(payload(e).get("question"))).findFirst()
                .orElseThrow();
        org.junit.jupiter.api.Assertions.assertEquals("not_configured", payload(audit).get("outcome"));
        org.junit.jupiter.api.Assertions.assertEquals("unknown", payload(audit).get("asked_by"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> payload(Map<String, Object> e) {
        return (Map<String, Object>) e.get("payload");
    }

    @Test
    void theRestOfTheServerIsUnaffected() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", not(hasItem(containsString("model"))));
        // this app's store is shared with other test classes: a chain of its own, not the demo
        String cid = "ask-no-model-" + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("type", "node_online", "severity", "info", "source", "agent",
                "service", "all", "correlation_id", cid)).post("/api/events").then().statusCode(201);
        given().get("/api/chains/" + cid).then().statusCode(200).body("count", equalTo(1));
        given().get("/api/tools").then().statusCode(200);
    }

    @Test
    void auditTypeIsAcceptedWithoutConfiguration() {
        given().get("/api/store").then().statusCode(200).body("types", hasItem("operator_query"));
    }

    @Test
    void refusesAMissingQuestion() {
        given().contentType(ContentType.JSON).body(Map.of("since", "24h")).post("/api/ask")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("question"))
                .body("errors[0].message", containsString("is required"));
    }

    @Test
    void refusesABadSince() {
        given().contentType(ContentType.JSON).body(Map.of("question", "what broke?", "since", "last tuesday"))
                .post("/api/ask").then().statusCode(400).body("errors[0].field", equalTo("since"));
    }

    @Test
    void refusesUnknownFieldsAndNonStringQuestions() {
        given().contentType(ContentType.JSON).body(Map.of("question", "what broke?", "model", "gpt"))
                .post("/api/ask").then().statusCode(400).body("errors[0].field", equalTo("model"))
                .body("errors[0].message", containsString("allowed: question, since"));
        given().contentType(ContentType.JSON).body(Map.of("question", 42)).post("/api/ask")
                .then().statusCode(400).body("errors[0].field", equalTo("question"));
    }

    @Test
    void refusesAnOverlongQuestion() {
        given().contentType(ContentType.JSON).body(Map.of("question", "why ".repeat(600))).post("/api/ask")
                .then().statusCode(400).body("errors[0].field", equalTo("question"))
                .body("errors[0].message", containsString("at most 2000"));
    }
}
