package dev.homelab.events.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The REST face against a real server and a store of its own (its own test profile, so nothing another test class
 * wrote is in it). Each test uses its own service name or chain; the demo chain is loaded by the test that checks it.
 */
@QuarkusTest
@TestProfile(EventApiTest.OwnStore.class)
class EventApiTest {

    /** A store no other test class writes to. */
    public static class OwnStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("homelab.events.dir", Files.createTempDirectory("event-api").resolve("events").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Response emit(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/events");
    }

    static String emitOk(String type, String severity, String service, String cid, String node, String timestamp) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("type", type, "severity", severity, "source", "test.sh",
                "service", service, "correlation_id", cid, "payload", Map.of("k", "v")));
        if (node != null) {
            body.put("node", node);
        }
        if (timestamp != null) {
            body.put("timestamp", timestamp);
        }
        return emit(body).then().statusCode(201).extract().path("id");
    }

    @Test
    void emitReturnsTheStoredEventWithLocation() {
        String service = unique("svc");
        Response r = emit(Map.of("type", "deployment_started", "severity", "info", "source", "deploy.sh", "service", service,
                "correlation_id", "deploy-1", "payload", Map.of("version", "1.0")));

        r.then().statusCode(201)
                .header("Location", matchesPattern(".*/api/events/[0-9a-f-]{36}"))
                // absolute, from the request's scheme and Host, as RESTEasy resolves a relative Location
                .header("Location",
                        equalTo(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/api/events/"
                                + r.path("id")))
                .body("type", equalTo("deployment_started"))
                .body("node", equalTo("test-node"))
                .body("correlation_id", equalTo("deploy-1"))
                .body("timestamp", matchesPattern("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z"))
                .body("payload.version", equalTo("1.0"));
        String id = r.path("id");
        given().get(r.header("Location")).then().statusCode(200).body("id", equalTo(id)).body("service", equalTo(service));

        // the name the client used for the server is the one it gets back
        String host = "localhost:" + io.restassured.RestAssured.port;
        Response named = given().header("Host", host).contentType(ContentType.JSON)
                .body(Map.of("type", "node_online", "severity", "info", "source", "agent", "service", service))
                .post("/api/events");
        named.then().statusCode(201).header("Location", equalTo("http://" + host + "/api/events/" + named.path("id")));
    }

    /**
     * A created event is answered with its file's bytes and its id put first, not serialized again: the answer must
     * be exactly what Jackson writes for the event (GET still serializes it), for any payload.
     */
    @Test
    void theCreatedAnswerIsTheJsonOfTheStoredEvent() {
        String[] payloads = { "{}", "{\"version\":\"1.0\",\"n\":12345678901234567890123,\"x\":1e400,\"f\":0.1000}",
                "{\"text\":\"caf\u00e9 \ud83d\ude00 \\\"quoted\\\" back\\\\slash tab\\t nl\\n ctl\\u0001 \u2028\"}",
                "{\"nested\":{\"a\":[1,2.50,-0,true,false,null,{\"b\":[]}]},\"empty\":\"\"}", "null" };
        for (String payload : payloads) {
            for (String extra : new String[]{ "",
                    ",\"id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-11-20T10:00:00.5+01:00\"" }) {
                String body = "{\"type\":\"node_online\",\"severity\":\"warning\",\"source\":\"t\u00e9st.sh\",\"service\":\""
                        + unique("svc") + "\",\"correlation_id\":\"c-\u00fc\",\"payload\":" + payload + extra + "}";
                Response created = given().contentType(ContentType.JSON).body(body).post("/api/events");
                assertEquals(201, created.statusCode(), body + " answered " + created.asString());
                Response stored = given().get("/api/events/" + created.path("id"));
                stored.then().statusCode(200);
                assertEquals(stored.asString(), created.asString(), body);
                assertEquals(stored.contentType(), created.contentType());
            }
        }
    }

    @Test
    void missingCorrelationIdBecomesTheEventsOwnId() {
        Response r = emit(Map.of("type", "node_online", "severity", "info", "source", "agent", "service", "all"));
        r.then().statusCode(201);
        assertEquals(r.<String>path("id"), r.path("correlation_id"));
        assertEquals(Map.of(), r.path("payload"));
    }

    @Test
    void timestampWithOffsetIsNormalisedToUtc() {
        emit(Map.of("type", "node_offline", "severity", "warning", "source", "agent", "service", "all",
                "timestamp", "2026-11-27T01:30:00.123456+01:00"))
                .then().statusCode(201).body("timestamp", equalTo("2026-11-27T00:30:00.123456Z"));
    }

    @Test
    void chainIsOrderedByTimestampAcrossNodesAndDates() {
        String cid = unique("deploy");
        String service = unique("svc");
        String third = emitOk("remediation_started", "warning", service, cid, "nas", "2026-11-26T00:00:05Z");
        String first = emitOk("deployment_started", "info", service, cid, "pi4", "2026-11-25T23:59:58Z");
        String second = emitOk("deployment_failed", "error", service, cid, "pi4", "2026-11-25T23:59:59Z");
        String fourth = emitOk("service_recovered", "info", service, cid, "nas", "2026-11-26T00:01:00Z");

        given().get("/api/chains/" + cid).then().statusCode(200)
                .body("count", equalTo(4))
                .body("events.id", equalTo(List.of(first, second, third, fourth)))
                .body("events.node", equalTo(List.of("pi4", "pi4", "nas", "nas")));
    }

    @Test
    void listFiltersCombine() {
        String service = unique("svc");
        String cid = unique("c");
        emitOk("deployment_started", "info", service, cid, "pi4", null);
        String failed = emitOk("deployment_failed", "error", service, cid, "pi4", null);
        emitOk("deployment_failed", "error", service, cid, "nas", null);
        emitOk("service_unhealthy", "warning", service, cid, "pi4", null);

        given().queryParam("service", service).get("/api/events").then().statusCode(200)
                .body("total", equalTo(4)).body("events", hasSize(4)).body("has_more", equalTo(false));
        given().queryParam("service", service).queryParam("type", "deployment_failed").queryParam("node", "pi4")
                .get("/api/events").then().body("total", equalTo(1)).body("events[0].id", equalTo(failed));
        given().queryParam("service", service).queryParam("min_severity", "warning").get("/api/events").then()
                .body("total", equalTo(3));
        given().queryParam("service", service).queryParam("type", "deployment_started,service_unhealthy")
                .get("/api/events").then().body("total", equalTo(2));
        given().queryParam("service", service).queryParam("since", "now-1h").get("/api/events").then()
                .body("total", equalTo(4));
        given().queryParam("service", service).queryParam("until", "2000-01-01T00:00:00Z").get("/api/events").then()
                .body("total", equalTo(0));
    }

    @Test
    void cursorPagesNewestFirstWithoutRepeatsOrGaps() {
        String service = unique("svc");
        Set<String> written = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            written.add(emitOk("healthcheck_failed", "warning", service, unique("c"), null,
                    "2026-11-20T10:00:0" + i + "Z"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        String previousTimestamp = "9999";
        do {
            var request = given().queryParam("service", service).queryParam("limit", 3);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/api/events");
            page.then().statusCode(200).body("total", equalTo(7));
            for (Map<String, Object> e : page.<List<Map<String, Object>>>path("events")) {
                assertTrue(((String) e.get("timestamp")).compareTo(previousTimestamp) < 0, "newest first");
                previousTimestamp = (String) e.get("timestamp");
                seen.add((String) e.get("id"));
            }
            cursor = page.path("next_cursor");
            assertEquals(cursor != null, page.<Boolean>path("has_more"));
        } while (cursor != null);
        assertEquals(7, seen.size());
        assertEquals(written, new HashSet<>(seen));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "type|bogus_type|is not an allowed type; allowed: deployment_started",
            "type|Deployment-Started|is not an allowed type",
            "severity|fatal|allowed: info, warning, error, critical",
            "severity|INFO|allowed: info, warning, error, critical",
            "node|../x|must be a hostname",
            "node|a/b|must be a hostname",
            "node|%2e%2e|must be a hostname",
            "node|a\\b|must be a hostname",
            "node|-lead|must be a hostname",
            "source|a/b|must not contain '/' or '\\'",
            "service|..\\x|must not contain '/' or '\\'",
            "service|'   '|is required and must not be blank",
            "timestamp|yesterday|must be an ISO 8601 instant with an offset",
            "timestamp|2026-11-27T10:00:00|must be an ISO 8601 instant with an offset",
            "timestamp|2999-01-01T00:00:00Z|ahead of this node's clock",
    })
    void invalidFieldIsNamedAndNothingIsWritten(String field, String value, String message) {
        String service = unique("svc");
        Map<String, Object> body = new java.util.HashMap<>(Map.of("type", "deployment_started", "severity", "info",
                "source", "t.sh", "service", service));
        body.put(field, value);

        emit(body).then().statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("errors.field", hasItem(field))
                .body("errors.message", hasItem(containsString(message)));

        if (!field.equals("service")) {
            given().queryParam("service", service).get("/api/events").then().body("total", equalTo(0));
        }
    }

    @Test
    void textFieldsRefuseControlAndBidiCharactersAndOverlongValues() {
        for (String bad : List.of("nul\u0000x", "cr\r\nforged", "rtl\u202eexe.sh", "x".repeat(129))) {
            emit(Map.of("type", "deployment_started", "severity", "info", "source", bad, "service", "s"))
                    .then().statusCode(400).body("errors[0].field", equalTo("source"));
            emit(Map.of("type", "deployment_started", "severity", "info", "source", "s", "service", "s", "correlation_id", bad))
                    .then().statusCode(400).body("errors[0].field", equalTo("correlation_id"));
        }
        emit(Map.of("type", "deployment_started", "severity", "info", "source", "s", "service", "s", "node", "n".repeat(300)))
                .then().statusCode(400).body("errors[0].field", equalTo("node"));
    }

    @Test
    void everyBadFieldIsReportedAtOnce() {
        emit(Map.of("type", "nope", "severity", "loud", "source", "", "service", "x/y", "payload", List.of(1, 2)))
                .then().statusCode(400)
                .body("errors.field", equalTo(List.of("type", "severity", "source", "service", "payload")))
                .body("errors.find { it.field == 'payload' }.message", containsString("must be a JSON object"));
    }

    @Test
    void payloadMustBeASmallShallowObject() {
        emit(Map.of("type", "deployment_started", "severity", "info", "source", "s", "service", "s", "payload", "text"))
                .then().statusCode(400).body("errors[0].field", equalTo("payload"))
                .body("errors[0].value", equalTo("a string"));
        emit(Map.of("type", "deployment_started", "severity", "info", "source", "s", "service", "s",
                "payload", Map.of("blob", "x".repeat(70_000))))
                .then().statusCode(400).body("errors[0].message", containsString("larger than 65536 bytes"));
        Map<String, Object> deep = Map.of("leaf", 1);
        for (int i = 0; i < 20; i++) {
            deep = Map.of("d", deep);
        }
        emit(Map.of("type", "deployment_started", "severity", "info", "source", "s", "service", "s", "payload", deep))
                .then().statusCode(400).body("errors[0].message", containsString("nested deeper than 16"));
    }

    @Test
    void wrongJsonTypesAndUnknownFieldsAreRefused() {
        given().contentType(ContentType.JSON).body("{\"type\":1,\"severity\":\"info\",\"source\":\"s\",\"service\":\"s\"}")
                .post("/api/events").then().statusCode(400).body("errors[0].field", equalTo("type"))
                .body("errors[0].message", equalTo("must be a JSON string"));
        given().contentType(ContentType.JSON)
                .body("{\"type\":\"node_online\",\"severity\":\"info\",\"source\":\"s\",\"service\":\"s\",\"sevrity\":\"x\"}")
                .post("/api/events").then().statusCode(400).body("errors[0].field", equalTo("sevrity"));
        given().contentType(ContentType.JSON).body("[1,2]").post("/api/events").then().statusCode(400);
        String valid = "{\"type\":\"node_online\",\"severity\":\"info\",\"source\":\"s\",\"service\":\"trailing\"}";
        given().contentType(ContentType.JSON).body(valid + "}").post("/api/events").then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(valid + " {}").post("/api/events").then().statusCode(400);
        given().queryParam("service", "trailing").get("/api/events").then().body("total", equalTo(0));
        given().contentType(ContentType.JSON).body("{\"type\": ").post("/api/events").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void wrongContentTypeIs415() {
        given().contentType(ContentType.TEXT).body("type=deployment_started").post("/api/events").then().statusCode(415)
                .contentType("application/problem+json");
    }

    @Test
    void unknownAndMalformedIdsAreClear() {
        given().get("/api/events/" + UUID.randomUUID()).then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("no event with id"));
        given().get("/api/events/not-a-uuid").then().statusCode(400).body("errors[0].field", equalTo("id"));
        given().get("/api/chains/" + unique("nothing")).then().statusCode(404);
    }

    @Test
    void badListParametersAreNamed() {
        given().queryParam("limit", 5000).get("/api/events").then().statusCode(400)
                .body("errors[0].field", equalTo("limit")).body("errors[0].message", containsString("between 1 and 1000"));
        given().queryParam("limit", "ten").get("/api/events").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        given().queryParam("since", "last tuesday").get("/api/events").then().statusCode(400)
                .body("errors[0].field", equalTo("since"));
        given().queryParam("min_severity", "loud").get("/api/events").then().statusCode(400)
                .body("errors[0].field", equalTo("min_severity"));
        given().queryParam("cursor", "garbage").get("/api/events").then().statusCode(400)
                .body("errors[0].field", equalTo("cursor"));
        given().queryParam("type", "nope").get("/api/events").then().statusCode(400).body("errors[0].field", equalTo("type"));
    }

    @Test
    void storeInfoProblemsHealthMetricsAndOpenApiAreServed() {
        given().get("/api/store").then().statusCode(200).body("node", equalTo("test-node"))
                .body("types", hasItem("remediation_completed"));
        given().get("/api/store/problems").then().statusCode(200).body("count", notNullValue());
        given().get("/q/health/ready").then().statusCode(200).body("checks[0].name", equalTo("event-store"))
                .body("checks[0].data.reason", nullValue());
        emitOk("node_online", "info", unique("svc"), unique("c"), null, null);
        given().get("/q/metrics").then().statusCode(200).body(containsString("homelab_events_written_total"))
                .body(containsString("homelab_events_write_seconds"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/events"));
    }

    @Test
    void demoFlowLoadsOnceAndFormsTheSpecChain() {
        given().get("/api/chains/deploy-882").then().statusCode(404); // this store has never seen the demo
        given().post("/api/store/demo").then().statusCode(200).body("correlation_id", equalTo("deploy-882"))
                .body("written", equalTo(4));
        given().post("/api/store/demo").then().statusCode(200).body("written", equalTo(0));
        given().get("/api/chains/deploy-882").then().statusCode(200)
                .body("events.type", equalTo(List.of("deployment_started", "deployment_failed", "remediation_started",
                        "service_recovered")))
                .body("events[1].payload.error", equalTo("port 1883 not bound"))
                .body("events[2].source", equalTo("diagnostics.sh"))
                .body("events[3].source", endsWith("healthcheck.sh"));
    }
}
