package dev.homelab.events.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.homelab.events.service.EventService;
import dev.homelab.events.testing.StoreFiles;

/**
 * Values are kept exactly on every face (issue 13): the bodies here are written as text, so the server gets the
 * literals as a client wrote them, and the checks compare the bytes on disk and the text of every answer, never
 * parsed values.
 */
@QuarkusTest
class EventApiValuesTest {

    /** Every awkward kind of number, compact, as the payload must be stored and served. */
    static final String PAYLOAD = "{\"ten\":1.10,\"E\":1E2,\"e\":1e2,\"neg_zero\":-0,\"neg_zero_f\":-0.0,"
            + "\"digits\":12345678901234567890.123456789012345,\"huge\":1e400,\"tiny\":1e-400,"
            + "\"int\":123456789012345678901234567890,\"list\":[1.10,{\"deep\":1E-7}]}";
    /** The same payload as a client may send it: spaces and new lines, which are not kept. */
    static final String PAYLOAD_SENT = PAYLOAD.replace(",", ",\n  ").replace(":", ": ");

    @Inject
    EventService service;

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String body(String service, String more) {
        return "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"values-test\",\"service\":\"" + service
                + "\"" + more + "}";
    }

    static Response post(String body) {
        return given().contentType("application/json").body(body).post("/api/events");
    }

    String stored(String id) throws IOException {
        try (Stream<Path> files = Files.walk(service.root())) {
            List<Path> found = files.filter(p -> p.getFileName().toString().endsWith("_" + id + ".json")).toList();
            assertEquals(1, found.size(), "one file for " + id);
            return Files.readString(found.get(0), StandardCharsets.UTF_8);
        }
    }

    @Test
    void restStoresAndServesEveryNumberAsItsLiteral() throws Exception {
        String svc = unique("values");
        Response r = post(body(svc, ",\"payload\": " + PAYLOAD_SENT));
        r.then().statusCode(201);
        String id = r.path("id");
        assertTrue(r.asString().contains("\"payload\":" + PAYLOAD), r.asString());
        assertTrue(stored(id).endsWith(",\"payload\":" + PAYLOAD + "}\n"), stored(id));
        assertTrue(given().get("/api/events/" + id).then().statusCode(200).extract().asString()
                .contains("\"payload\":" + PAYLOAD));
        assertTrue(given().queryParam("service", svc).get("/api/events").then().statusCode(200).extract().asString()
                .contains("\"payload\":" + PAYLOAD));
        String chain = given().get("/api/chains/" + r.path("correlation_id")).then().statusCode(200).extract().asString();
        assertTrue(chain.contains("\"payload\":" + PAYLOAD), chain);
    }

    @Test
    void functionCallingStoresAndServesEveryNumberAsItsLiteral() throws Exception {
        String svc = unique("values-fc");
        Response r = given().contentType("application/json").body(body(svc, ",\"payload\":" + PAYLOAD_SENT))
                .post("/api/tools/emit_event");
        r.then().statusCode(200);
        String id = r.path("id");
        assertTrue(stored(id).endsWith(",\"payload\":" + PAYLOAD + "}\n"), stored(id));
        String got = given().contentType("application/json").body("{\"id\":\"" + id + "\"}").post("/api/tools/get_event")
                .then().statusCode(200).extract().asString();
        assertTrue(got.contains("\"payload\":" + PAYLOAD), got);
    }

    @Test
    void mcpStoresAndServesEveryNumberAsItsLiteralInTextAndStructuredContent() throws Exception {
        String session = mcpSession();
        String svc = unique("values-mcp");
        String answer = mcp(session, 2, "tools/call", "{\"name\":\"emit_event\",\"arguments\":"
                + body(svc, ",\"payload\":" + PAYLOAD_SENT) + "}");
        assertTrue(answer.contains("\"isError\":false"), answer);
        String id = given().queryParam("service", svc).get("/api/events").then().statusCode(200).extract()
                .path("events[0].id");
        assertTrue(stored(id).endsWith(",\"payload\":" + PAYLOAD + "}\n"), stored(id));
        String got = mcp(session, 3, "tools/call", "{\"name\":\"get_event\",\"arguments\":{\"id\":\"" + id + "\"}}");
        assertTrue(got.contains("\"payload\":" + PAYLOAD), "structuredContent: " + got);
        assertTrue(got.contains("\\\"payload\\\":" + PAYLOAD.replace("\"", "\\\"")), "text: " + got);
    }

    @Test
    void repeatedKeysAreRefusedOnEveryFaceAndNothingIsWritten() throws Exception {
        int before = StoreFiles.events(service.root()).size();
        String svc = unique("dup");
        post(body(svc, ",\"type\":\"node_offline\"")).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("type"));
        post(body(svc, ",\"payload\":{\"a\":1,\"a\":2}")).then().statusCode(400).body("detail",
                containsString("Duplicate field 'a'"));
        given().contentType("application/json").body(body(svc, ",\"service\":\"other\"")).post("/api/tools/emit_event")
                .then().statusCode(400);
        String session = mcpSession();
        String answer = given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Mcp-Session-Id", session)
                .body("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"emit_event\","
                        + "\"arguments\":" + body(svc, ",\"payload\":{\"k\":1,\"k\":2}") + "}}")
                .post("/mcp").then().statusCode(400).extract().asString();
        assertTrue(answer.contains("-32700"), answer);
        assertEquals(before, StoreFiles.events(service.root()).size());
    }

    @Test
    void aLoneSurrogateIsRefusedNamingTheField() throws Exception {
        String svc = unique("surrogate");
        post(body(svc, ",\"payload\":{\"a\":[\"x\\ud800y\"]}")).then().statusCode(400)
                .body("errors[0].field", equalTo("payload")).body("detail", containsString("payload.a[0]"));
        post(body(svc, "").replace("values-test", "x\\udc00y")).then().statusCode(400)
                .body("errors[0].field", equalTo("source"));
        post(body(svc, ",\"correlation_id\":\"c\\ud800\"")).then().statusCode(400)
                .body("errors[0].field", equalTo("correlation_id"));
        String session = mcpSession();
        String answer = mcp(session, 4, "tools/call", "{\"name\":\"emit_event\",\"arguments\":"
                + body(svc, ",\"payload\":{\"a\":\"x\\ud800y\"}") + "}");
        assertTrue(answer.contains("\"isError\":true") && answer.contains("lone surrogate"), answer);
        given().queryParam("service", svc).get("/api/events").then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void timestampsFinerThanMicrosecondsAreRefused() {
        post(body(unique("nanos"), ",\"timestamp\":\"2026-11-26T23:47:51.123456789Z\"")).then().statusCode(400)
                .body("errors[0].field", equalTo("timestamp")).body("detail", containsString("at most 6 fraction digits"));
    }

    @Test
    void nodeNamesAreCaseInsensitiveAndStoredInLowerCase() throws Exception {
        String svc = unique("nodes");
        Response r = post(body(svc, ",\"node\":\"PI4-Values.Home\""));
        r.then().statusCode(201).body("node", equalTo("pi4-values.home"));
        String file = stored(r.path("id"));
        assertTrue(file.contains("\"node\":\"pi4-values.home\""), file);
        try (Stream<Path> dirs = Files.walk(service.root(), 2)) {
            assertTrue(dirs.anyMatch(p -> p.getFileName().toString().equals("pi4-values.home")));
        }
        given().queryParam("service", svc).queryParam("node", "PI4-VALUES.HOME").get("/api/events").then().statusCode(200)
                .body("total", equalTo(1));
    }

    @Test
    void invisibleCharactersLookAlikesAndBlankCorrelationIdsAreRefused() {
        String svc = unique("names");
        post(body(svc + "\\u200b", "")).then().statusCode(400).body("errors[0].field", equalTo("service"));
        post(body(svc + "\\ufeff", "")).then().statusCode(400).body("errors[0].field", equalTo("service"));
        post(body(svc, "").replace("values-test", "values\\u2028test")).then().statusCode(400)
                .body("errors[0].field", equalTo("source"));
        post(body("m\\u043esquitto", "")).then().statusCode(400).body("errors[0].field", equalTo("service"))
                .body("detail", containsString("look-alike"));
        post(body(svc, ",\"correlation_id\":\"   \"")).then().statusCode(400)
                .body("errors[0].field", equalTo("correlation_id"));
        given().queryParam("service", svc).get("/api/events").then().statusCode(200).body("total", equalTo(0));
    }

    static String mcpSession() {
        String session = given().contentType("application/json").accept("application/json, text/event-stream")
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"values\",\"version\":\"1\"}}}")
                .post("/mcp").then().statusCode(200).extract().header("Mcp-Session-Id");
        given().contentType("application/json").accept("application/json, text/event-stream").header("Mcp-Session-Id", session)
                .body("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").post("/mcp").then().statusCode(202);
        return session;
    }

    static String mcp(String session, int id, String method, String params) {
        return given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Mcp-Session-Id", session)
                .body("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}")
                .post("/mcp").then().statusCode(200).extract().asString();
    }
}
