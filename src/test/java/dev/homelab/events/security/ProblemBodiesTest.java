package dev.homelab.events.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

import dev.homelab.events.service.EventService;
import dev.homelab.events.testing.FailingRoutes;
import dev.homelab.events.testing.LogCapture;
import dev.homelab.events.testing.RawHttp;
import dev.homelab.events.testing.StoreFiles;

/**
 * Every error answer on every HTTP route is an RFC 9457 problem+json body whose status matches the response. The
 * /api routes are read from the OpenAPI document, so a route added later is covered without touching this test.
 */
@QuarkusTest
class ProblemBodiesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> SAMPLE_PARAMS = Map.of("id", UUID.randomUUID().toString(), "correlation_id",
            "no-such-chain", "date", "1999-01-01", "name", "list_events", "node",
            "no-such-node");
    static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

    @Inject
    EventService service;

    LogCapture logs;

    @BeforeEach
    void captureLogs() {
        logs = LogCapture.all();
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
    }

    /** One /api route of the OpenAPI document: its path with sample parameters, methods, and which take a body. */
    record Route(String path, Set<String> methods, Set<String> withBody) {
    }

    List<Route> apiRoutes() throws Exception {
        JsonNode doc = JSON.readTree(given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract()
                .asString());
        List<Route> routes = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : doc.get("paths").properties()) {
            if (!p.getKey().startsWith("/api")) {
                continue;
            }
            String path = p.getKey();
            for (Map.Entry<String, String> param : SAMPLE_PARAMS.entrySet()) {
                path = path.replace("{" + param.getKey() + "}", param.getValue());
            }
            assertFalse(path.contains("{"), "add a sample value for the path parameter of " + p.getKey());
            Set<String> methods = new HashSet<>();
            Set<String> withBody = new HashSet<>();
            for (Iterator<String> m = p.getValue().fieldNames(); m.hasNext();) {
                String method = m.next().toUpperCase(Locale.ROOT);
                methods.add(method);
                if (p.getValue().get(method.toLowerCase(Locale.ROOT)).has("requestBody")) {
                    withBody.add(method);
                }
            }
            routes.add(new Route(path, methods, withBody));
        }
        assertTrue(routes.size() >= 15, "the OpenAPI document lists the /api routes: " + routes);
        return routes;
    }

    @Test
    void everyApiRouteAnswersEveryKindOfBadRequestWithAProblem() throws Exception {
        List<String> before = StoreFiles.all(service.root());
        int checked = 0;
        for (Route r : apiRoutes()) {
            // no such resource below it
            checked += problem(given().get(r.path() + "/no/such/thing"), 404, r.path());
            // a method the route does not have
            for (String m : METHODS) {
                if (!r.methods().contains(m)) {
                    Response wrong = given().contentType("application/json").body("{}").request(m, r.path());
                    // 405, or 404 or 400 where another route's template takes the path (GET /api/archive/run is
                    // GET /api/archive/{date}): whichever, a problem
                    int expected = Set.of(400, 404).contains(wrong.statusCode()) ? wrong.statusCode() : 405;
                    checked += problem(wrong, expected, m + " " + r.path());
                }
            }
            for (String m : r.methods()) {
                // a body announced far over the limit: refused before it is read
                RawHttp.Response big = RawHttp.headOnly(RestAssured.port,
                        m + " " + r.path() + " HTTP/1.1\r\nHost: localhost\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 31457280\r\n\r\n");
                checked += problem(big, 413, m + " " + r.path());
                if (m.equals("GET")) {
                    continue;
                }
                // a body that is not JSON
                checked += problem(given().contentType("text/plain").body("hello").request(m, r.path()), 415,
                        m + " " + r.path());
                checked += problem(given().contentType("application/x-www-form-urlencoded").body("a=b").request(m, r.path()),
                        415, m + " " + r.path());
                if (!r.withBody().contains(m)) {
                    continue; // the route reads no body: a broken one would not stop it, so it is not sent
                }
                for (String bad : List.of("{\"type\":", "{} {}", "{\"type\":\"deployment_started\"}\n{\"type\":\"x\"}", "[1,2",
                        "{\"a\":1}}", "nul", "\"unterminated")) {
                    checked += problem(given().contentType("application/json").body(bad).request(m, r.path()), 400,
                            m + " " + r.path() + " " + bad);
                }
                RawHttp.Response invalidUtf8 = RawHttp.send(RestAssured.port,
                        m + " " + r.path() + " HTTP/1.1\r\nHost: localhost\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 4\r\nConnection: close\r\n\r\n",
                        new byte[]{ '"', (byte) 0xff, (byte) 0xfe, '"' });
                checked += problem(invalidUtf8, 400, m + " " + r.path() + " invalid UTF-8");
            }
        }
        System.out.printf("%d error answers checked on the /api routes%n", checked);
        assertEquals(before, StoreFiles.all(service.root()), "no refused request wrote anything");
    }

    @Test
    void aSecondJsonDocumentAfterTheEventIsA400ProblemNotAnEmptyAnswer() throws Exception {
        List<String> before = StoreFiles.all(service.root());
        Response r = given().contentType("application/json").body(HttpGuardTest.EVENT + " " + HttpGuardTest.EVENT)
                .post("/api/events");
        problem(r, 400, "two documents");
        assertTrue(r.jsonPath().getString("detail").contains("Trailing token"), r.asString());
        assertEquals(before, StoreFiles.all(service.root()));
    }

    @Test
    void unknownRoutesAnywhereAreProblems() {
        for (String path : List.of("/api", "/api/", "/api/nope", "/api/events/x/y", "/nope", "/q/nope", "/mcp/nope/deeper")) {
            problem(given().get(path), 404, path);
        }
    }

    @Test
    void anUnexpectedErrorIsAGeneric500WithAnIncidentIdAndOneErrorLineWithoutThePayload() {
        String secret = "payload-" + UUID.randomUUID();
        Response r = given().queryParam("value", secret).get("/testing/failures");
        problem(r, 500, "unexpected error");
        String incident = r.jsonPath().getString("incident_id");
        assertNotNull(incident, r.asString());
        assertFalse(r.asString().contains(secret) || r.asString().contains("IllegalStateException")
                || r.asString().contains("simulated"), "the answer tells nothing of the failure: " + r.asString());

        Response body = given().contentType("application/json").body("{\"secret\":\"" + secret + "\"}")
                .post("/testing/failures");
        problem(body, 500, "unexpected error with a body");

        List<LogRecord> errors = logs.errors();
        List<String> lines = errors.stream().map(ProblemBodiesTest::text).toList();
        assertEquals(2, errors.size(), "one ERROR line per failure: " + lines);
        assertTrue(lines.get(0).contains(incident) && lines.get(0).contains("GET /testing/failures")
                && lines.get(0).contains("IllegalStateException"), lines.get(0));
        assertTrue(lines.get(1).contains(body.jsonPath().getString("incident_id")), lines.get(1));
        for (LogRecord l : errors) {
            assertNull(l.getThrown(), "no stack trace at ERROR");
        }
        // the query string and the body never reach the log, though the exception message quotes them
        assertFalse(logs.records().stream().map(ProblemBodiesTest::text).anyMatch(l -> l.contains(secret)), lines.toString());
    }

    @Test
    void anUploadCutOffByTheSizeLimitIsNoServerError() throws Exception {
        RawHttp.Response r = RawHttp.chunked(RestAssured.port, "POST /api/events HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", "{\"payload\":\"", (byte) 'x',
                8L * 1024 * 1024);
        problem(r, 413, "chunked upload over the limit");
        given().get("/api/events?limit=1").then().statusCode(200);
        assertTrue(logs.errors().isEmpty(),
                () -> "the client's oversized upload is not a server error: "
                        + logs.records().stream().map(ProblemBodiesTest::text).toList());
    }

    @Test
    void aFailingVertxRouteAnswersAProblemToo() {
        Response r = given().get(FailingRoutes.VERTX_PATH);
        problem(r, 500, "Vert.x route");
        assertNotNull(r.jsonPath().getString("incident_id"));
        assertFalse(r.asString().contains("simulated"), r.asString());
    }

    static String text(LogRecord r) {
        Object[] p = r.getParameters();
        return r.getMessage() + (p == null ? "" : " " + java.util.Arrays.toString(p));
    }

    /** Asserts a problem+json answer with this status; returns 1 for the count of checks. */
    static int problem(Response r, int status, String what) {
        return problem(r.statusCode(), r.contentType(), r.asString(), status, what);
    }

    static int problem(RawHttp.Response r, int status, String what) {
        return problem(r.status(), r.header("content-type"), r.body(), status, what);
    }

    static int problem(int actual, String contentType, String body, int status, String what) {
        assertEquals(status, actual, what + ": " + body);
        assertNotNull(contentType, what + ": no Content-Type");
        assertTrue(contentType.startsWith(Problem.MEDIA_TYPE), what + ": " + contentType + " " + body);
        try {
            JsonNode p = JSON.readTree(body.getBytes(StandardCharsets.UTF_8));
            assertEquals(status, p.path("status").asInt(), what + ": " + body);
            assertFalse(p.path("title").asText().isBlank(), what + ": " + body);
            assertFalse(p.path("detail").asText().isBlank(), what + ": " + body);
        } catch (java.io.IOException e) {
            throw new AssertionError(what + ": not JSON: " + body, e);
        }
        return 1;
    }
}
