package dev.homelab.events.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.homelab.events.ExactJson;

/**
 * GET /api/events and GET /api/chains/{id} as a CloudEvents 1.0 JSON batch (issue 18, docs/ingest.md): chosen by
 * Accept, paged by Link, and mapped so that what goes out comes back in as the same event (same id, the payload's
 * numbers as the same literals). Bodies are compared as text where numbers matter, never as parsed doubles.
 */
@QuarkusTest
class CloudEventsBatchTest {

    static final String BATCH = "application/cloudevents-batch+json";
    static final ObjectMapper EXACT = ExactJson.configure(new ObjectMapper());
    static final Pattern NEXT = Pattern.compile("^<([^>]+)>; rel=\"next\"$");

    /** Three events of one chain, oldest first, with the awkward numbers of {@link EventApiValuesTest#PAYLOAD}. */
    static List<String> seed(String service, String correlationId) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(EventApiValuesTest.post(EventApiValuesTest.body(service, ",\"node\":\"Ce-Node\",\"severity\":\"error\","
                    + "\"timestamp\":\"2026-11-2" + i + "T10:00:00.12345" + (i + 1) + "Z\",\"correlation_id\":\""
                    + correlationId
                    + "\",\"payload\":" + EventApiValuesTest.PAYLOAD_SENT).replace("\"severity\":\"info\",", ""))
                    .then().statusCode(201).extract().path("id"));
        }
        return ids;
    }

    static JsonNode tree(String text) throws Exception {
        return EXACT.readTree(text);
    }

    @Test
    void aListingIsACloudEventsBatchWhenAskedFor() throws Exception {
        String svc = EventApiValuesTest.unique("ce-out");
        String cid = EventApiValuesTest.unique("ce-chain");
        List<String> ids = seed(svc, cid);
        Response r = given().accept(BATCH).queryParam("service", svc).queryParam("order", "oldest").get("/api/events");
        r.then().statusCode(200).contentType(startsWith(BATCH)).header(CloudEventsResource.TOTAL, "3");
        assertNull(r.header("Link"), "one page: no next link");
        JsonNode batch = tree(r.asString());
        assertTrue(batch.isArray(), r.asString());
        assertEquals(3, batch.size());
        for (int i = 0; i < 3; i++) {
            JsonNode ce = batch.get(i);
            assertEquals("1.0", ce.path("specversion").asText());
            assertEquals(ids.get(i), ce.path("id").asText());
            assertEquals("values-test", ce.path("source").asText());
            assertEquals("deployment_started", ce.path("type").asText());
            assertEquals("2026-11-2" + i + "T10:00:00.12345" + (i + 1) + "Z", ce.path("time").asText());
            assertEquals(svc, ce.path("subject").asText());
            assertEquals(svc, ce.path("service").asText());
            assertEquals("ce-node", ce.path("node").asText());
            assertEquals("error", ce.path("severity").asText());
            assertEquals(cid, ce.path("correlationid").asText());
            assertEquals("application/json", ce.path("datacontenttype").asText());
        }
        // the data is the stored payload, byte for byte: every literal as it was written
        assertTrue(r.asString().contains("\"data\":" + EventApiValuesTest.PAYLOAD + "}"), r.asString());
    }

    @Test
    void aChainIsACloudEventsBatchOldestFirst() throws Exception {
        String cid = EventApiValuesTest.unique("ce-chain");
        List<String> ids = seed(EventApiValuesTest.unique("ce-out"), cid);
        Response r = given().accept(BATCH).get("/api/chains/" + cid);
        r.then().statusCode(200).contentType(startsWith(BATCH)).header(CloudEventsResource.TOTAL, "3");
        JsonNode batch = tree(r.asString());
        assertEquals(ids, List.of(batch.get(0).path("id").asText(), batch.get(1).path("id").asText(),
                batch.get(2).path("id").asText()));
        assertTrue(r.asString().contains("\"data\":" + EventApiValuesTest.PAYLOAD + "}"), r.asString());
        // an unknown chain is a 404, as in JSON
        given().accept(BATCH).get("/api/chains/" + EventApiValuesTest.unique("no-such-chain")).then().statusCode(404)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void aClientPagesWithTheLinkHeader() throws Exception {
        String svc = EventApiValuesTest.unique("ce-page");
        List<String> ids = seed(svc, EventApiValuesTest.unique("ce-chain"));
        Response first = given().accept(BATCH).queryParam("service", svc).queryParam("order", "oldest")
                .queryParam("limit", 2).get("/api/events");
        first.then().statusCode(200).header(CloudEventsResource.TOTAL, "3");
        JsonNode page1 = tree(first.asString());
        assertEquals(List.of(ids.get(0), ids.get(1)),
                List.of(page1.get(0).path("id").asText(), page1.get(1).path("id").asText()));
        String cursor = first.header(CloudEventsResource.NEXT_CURSOR);
        Matcher link = NEXT.matcher(first.header("Link"));
        assertTrue(link.matches(), first.header("Link"));
        String next = link.group(1);
        assertTrue(next.startsWith("/api/events?") && next.contains("service=" + svc) && next.contains("limit=2")
                && next.contains("order=oldest"), next);
        assertEquals(1, next.split("cursor=", -1).length - 1, "the cursor is replaced, not repeated: " + next);
        // the link is followed as it is, without re-encoding it
        Response second = given().urlEncodingEnabled(false).accept(BATCH).get(next);
        second.then().statusCode(200).header(CloudEventsResource.TOTAL, "3");
        assertNull(second.header("Link"));
        assertNull(second.header(CloudEventsResource.NEXT_CURSOR));
        JsonNode page2 = tree(second.asString());
        assertEquals(1, page2.size());
        assertEquals(ids.get(2), page2.get(0).path("id").asText());
        // the header cursor is the JSON listing's next_cursor
        assertEquals(cursor, given().queryParam("service", svc).queryParam("order", "oldest").queryParam("limit", 2)
                .get("/api/events").then().statusCode(200).extract().path("next_cursor"));
    }

    @Test
    void otherAcceptTypesKeepTheJsonAnswerAndUnknownOnesAre406() {
        String svc = EventApiValuesTest.unique("ce-accept");
        String cid = EventApiValuesTest.unique("ce-chain");
        seed(svc, cid);
        for (String accept : List.of("application/json", "*/*", "application/*",
                BATCH + ";q=0.5, application/json", "application/json, " + BATCH)) {
            given().accept(accept).queryParam("service", svc).get("/api/events").then().statusCode(200)
                    .contentType(startsWith("application/json")).body("total", equalTo(3));
            given().accept(accept).get("/api/chains/" + cid).then().statusCode(200)
                    .contentType(startsWith("application/json")).body("count", equalTo(3));
        }
        given().queryParam("service", svc).get("/api/events").then().statusCode(200)
                .contentType(startsWith("application/json")).body("total", equalTo(3));
        given().accept("application/json;q=0.5, " + BATCH).queryParam("service", svc).get("/api/events").then()
                .statusCode(200).contentType(startsWith(BATCH));
        for (String accept : List.of("text/plain", "application/cloudevents+json", "application/xml")) {
            given().accept(accept).queryParam("service", svc).get("/api/events").then().statusCode(406)
                    .contentType(startsWith("application/problem+json"));
            given().accept(accept).get("/api/chains/" + cid).then().statusCode(406)
                    .contentType(startsWith("application/problem+json"));
        }
        // a single event has no CloudEvents form: asking for a batch of it is refused, not answered in JSON
        given().accept(BATCH).get("/api/events/" + UUID.randomUUID()).then().statusCode(406);
    }

    @Test
    void anEventSentOutComesBackInAsItself() throws Exception {
        String cid = EventApiValuesTest.unique("ce-trip");
        String svc = EventApiValuesTest.unique("ce-trip");
        String id = seed(svc, cid).get(0);
        String original = given().get("/api/events/" + id).then().statusCode(200).extract().asString();
        String ce = EXACT.writeValueAsString(tree(given().accept(BATCH).queryParam("service", svc)
                .queryParam("order", "oldest").queryParam("limit", 1).get("/api/events").asString()).get(0));

        // the same CloudEvent again (a re-delivery, a peer sending it back): the stored event, nothing new
        given().contentType("application/cloudevents+json").body(ce).post("/api/events").then().statusCode(200)
                .body("id", equalTo(id));
        given().queryParam("service", svc).get("/api/events").then().body("total", equalTo(3));

        // as a new event (only its id changed), it is stored with every field and every literal as they were
        String copyId = UUID.randomUUID().toString();
        ObjectNode copy = (ObjectNode) tree(ce);
        copy.put("id", copyId);
        String stored = given().contentType("application/cloudevents+json").body(EXACT.writeValueAsString(copy))
                .post("/api/events").then().statusCode(201).body("id", equalTo(copyId)).extract().asString();
        assertEquals(original.replace(id, copyId), stored);
        assertEquals(original.replace(id, copyId), given().get("/api/events/" + copyId).then().extract().asString());
    }

    @Test
    void aSourceWithAnyCharacterRoundTrips() throws Exception {
        String svc = EventApiValuesTest.unique("ce-source");
        String source = "my app: backup #1 ?x=%41 grüße";
        String body = "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"" + source
                + "\",\"service\":\"" + svc + "\"}";
        String id = EventApiValuesTest.post(body).then().statusCode(201).extract().path("id");
        JsonNode ce = tree(given().accept(BATCH).queryParam("service", svc).get("/api/events").asString()).get(0);
        String uri = ce.path("source").asText();
        assertEquals("my%20app%3A%20backup%20%231%20%3Fx=%2541%20gr%C3%BC%C3%9Fe", uri);
        ((ObjectNode) ce).put("id", UUID.randomUUID().toString());
        given().contentType("application/cloudevents+json").body(EXACT.writeValueAsString(ce)).post("/api/events").then()
                .statusCode(201).body("source", equalTo(source));
        assertFalse(id.equals(ce.path("id").asText()));
    }

    @Test
    void aStructuredCloudEventKeepsEveryLiteralOfItsData() {
        String svc = EventApiValuesTest.unique("ce-in");
        String ce = "{\"specversion\":\"1.0\",\"id\":\"" + EventApiValuesTest.unique("evt") + "\",\"source\":\"/ci\","
                + "\"type\":\"deployment_started\",\"service\":\"" + svc + "\",\"data\":" + EventApiValuesTest.PAYLOAD_SENT
                + "}";
        String stored = given().contentType("application/cloudevents+json").body(ce).post("/api/events").then()
                .statusCode(201).extract().asString();
        assertTrue(stored.contains("\"payload\":" + EventApiValuesTest.PAYLOAD + "}"), stored);
        // a repeated key in data is refused, as everywhere else, not silently resolved
        given().contentType("application/cloudevents+json").body("{\"specversion\":\"1.0\",\"id\":\"dup-1\","
                + "\"source\":\"/ci\",\"type\":\"deployment_started\",\"service\":\"" + svc
                + "\",\"data\":{\"a\":1,\"a\":2}}").post("/api/events").then().statusCode(400)
                .body(containsString("Duplicate field 'a'"));
    }

    @Test
    void aUuidIdThatIsReusedForOtherContentIsAConflict() {
        String id = UUID.randomUUID().toString();
        String ce = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/ci\",\"type\":\"deployment_started\","
                + "\"service\":\"%s\",\"data\":{\"n\":1}}";
        given().contentType("application/cloudevents+json").body(ce.formatted("svc-a")).post("/api/events").then()
                .statusCode(201).body("id", equalTo(id));
        given().contentType("application/cloudevents+json").body(ce.formatted("svc-a")).post("/api/events").then()
                .statusCode(200).body("id", equalTo(id));
        given().contentType("application/cloudevents+json").body(ce.formatted("svc-b")).post("/api/events").then()
                .statusCode(409).body(containsString("service"));
    }

    @Test
    void theOpenApiDocumentNamesBothAnswers() throws Exception {
        JsonNode paths = tree(given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract()
                .asString()).path("paths");
        for (String path : List.of("/api/events", "/api/chains/{correlation_id}")) {
            JsonNode content = paths.path(path).path("get").path("responses").path("200").path("content");
            assertTrue(content.has("application/json") && content.has(BATCH), path + ": " + content);
        }
        JsonNode headers = paths.path("/api/events").path("get").path("responses").path("200").path("headers");
        assertTrue(headers.has("Link") && headers.has(CloudEventsResource.NEXT_CURSOR), headers.toString());
    }
}
