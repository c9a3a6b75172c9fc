package dev.homelab.events.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.homelab.events.service.Incidents;

/** GET /api/incidents: the tool's list, in the same order, with each incident's nodes and open steps. */
@QuarkusTest
class IncidentResourceTest {

    @Inject
    Incidents incidents;

    static void post(String cid, String type, String severity, String node, Instant at, Map<String, Object> payload) {
        given().contentType(ContentType.JSON).body(Map.of("timestamp", at.toString(), "node", node, "type", type,
                "severity", severity, "source", "deploy.sh", "service", "ir-svc", "correlation_id", cid, "payload", payload))
                .post("/api/events").then().statusCode(201);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void listCarriesNodesAndOpenStepsInTheToolsOrder() {
        String cid = "ir-" + UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        post(cid, "deployment_failed", "error", "ir-n1", now.minusSeconds(50), Map.of("stage", "verify"));
        post(cid, "remediation_started", "warning", "ir-n2", now.minusSeconds(40),
                Map.of("step", "restart", "action", "restart_service"));
        post(cid, "remediation_started", "warning", "ir-n1", now.minusSeconds(30), Map.of("step", "rollback"));
        post(cid, "remediation_completed", "info", "ir-n1", now.minusSeconds(20),
                Map.of("step", "rollback", "result", "succeeded"));

        JsonPath answer = given().queryParam("since", "2h").queryParam("limit", "200").get("/api/incidents")
                .then().statusCode(200).extract().jsonPath();
        Incidents.IncidentList tool = incidents.open("2h", 200);
        assertEquals(tool.total(), answer.getInt("total"));
        assertEquals(tool.incidents().stream().map(Incidents.Incident::correlationId).toList(),
                answer.getList("incidents.correlation_id"));
        int at = answer.getList("incidents.correlation_id").indexOf(cid);
        Map<String, Object> mine = answer.getMap("incidents[" + at + "]");
        assertEquals("remediating", mine.get("outcome"));
        assertEquals(1, mine.get("open_remediations"));
        assertEquals(List.of("ir-n1", "ir-n2"), mine.get("nodes"));
        List<?> steps = (List<?>) mine.get("open_steps");
        assertEquals(1, steps.size(), "only the step still open: " + steps);
        assertEquals("restart_service", ((Map<?, ?>) steps.get(0)).get("action"));
        assertEquals("open", ((Map<?, ?>) steps.get(0)).get("status"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBadLimitIsNamed() {
        given().queryParam("limit", "0").get("/api/incidents").then().statusCode(400).body(containsString("limit"));
        given().queryParam("limit", "many").get("/api/incidents").then().statusCode(400).body(containsString("limit"));
        given().queryParam("since", "yesterday-ish").get("/api/incidents").then().statusCode(400).body(containsString("since"));
    }
}
