package dev.homelab.events.console;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** GET /api/events/stream as a script reads it: filters, positions as ids, resumption, late arrivals, the end. */
@QuarkusTest
class EventStreamTest {

    static final Duration WITHIN = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URL base;

    private URI stream(String query) {
        return URI.create(base.toString().replaceAll("/$", "") + "/api/events/stream" + (query.isEmpty() ? "" : "?" + query));
    }

    static String emit(String service, String type, String severity, String timestamp, Map<String, Object> payload) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", type);
        body.put("severity", severity);
        body.put("source", "stream-test");
        body.put("service", service);
        body.put("payload", payload);
        if (timestamp != null) {
            body.put("timestamp", timestamp);
        }
        return given().contentType(ContentType.JSON).body(body).post("/api/events").then().statusCode(201).extract()
                .path("id");
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void sendsNewEventsThatMatchTheFiltersWithTheirPositionAsId() throws Exception {
        String service = unique("sse");
        try (SseClient sse = SseClient.open(stream("service=" + service + "&min_severity=warning"), Map.of())) {
            assertEquals(200, sse.status);
            assertTrue(sse.contentType.startsWith("text/event-stream"), sse.contentType);
            emit(service, "healthcheck_failed", "info", null, Map.of("n", 1)); // below the severity filter
            emit(unique("other"), "service_unhealthy", "error", null, Map.of("n", 2)); // another service
            String wanted = emit(service, "service_unhealthy", "error", null, Map.of("n", 3));
            SseClient.Message m = sse.next(WITHIN);
            assertEquals(wanted, m.json().path("id").asText(), "the first message is the first matching event: " + m.data());
            assertEquals(3, m.json().path("payload").path("n").asInt());
            assertNotNull(m.id(), "an event sent in order carries its position");
            // the position is a cursor of the listing: the list continues after it with nothing (it is the newest)
            given().queryParam("service", service).queryParam("order", "oldest").queryParam("cursor", m.id())
                    .get("/api/events").then().statusCode(200).body("events.size()", org.hamcrest.Matchers.is(0));
        }
    }

    @Test
    void resumesAfterTheLastEventIdAndReplaysFromSince() throws Exception {
        String service = unique("resume");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(emit(service, "deployment_started", "info", null, Map.of("i", i)));
        }
        String firstPosition;
        try (SseClient sse = SseClient.open(stream("service=" + service + "&since=1h"), Map.of())) {
            List<String> got = new ArrayList<>();
            SseClient.Message first = sse.next(WITHIN);
            firstPosition = first.id();
            got.add(first.json().path("id").asText());
            got.add(sse.next(WITHIN).json().path("id").asText());
            got.add(sse.next(WITHIN).json().path("id").asText());
            assertEquals(ids, got, "since replays oldest first");
        }
        try (SseClient sse = SseClient.open(stream("service=" + service), Map.of("Last-Event-ID", firstPosition))) {
            assertEquals(ids.get(1), sse.next(WITHIN).json().path("id").asText());
            assertEquals(ids.get(2), sse.next(WITHIN).json().path("id").asText());
            String later = emit(service, "deployment_completed", "info", null, Map.of());
            assertEquals(later, sse.next(WITHIN).json().path("id").asText(), "then it goes on live");
        }
        // the same with ?cursor= for clients that cannot set headers
        try (SseClient sse = SseClient.open(stream("service=" + service + "&cursor=" + q(firstPosition)), Map.of())) {
            assertEquals(ids.get(1), sse.next(WITHIN).json().path("id").asText());
        }
    }

    @Test
    void withoutSinceOrPositionOnlyNewArrivalsAreSentAndLateOnesCarryNoId() throws Exception {
        String service = unique("late");
        emit(service, "deployment_started", "info", null, Map.of("old", true));
        try (SseClient sse = SseClient.open(stream("service=" + service), Map.of())) {
            String now = emit(service, "deployment_failed", "error", null, Map.of("step", "now"));
            SseClient.Message m = sse.next(WITHIN);
            assertEquals(now, m.json().path("id").asText(), "the event stored before the stream opened is not sent");
            // a file that reaches the index late, stamped 30 s before the last event sent
            String stamp = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MICROS).toString();
            String late = emit(service, "healthcheck_failed", "warning", stamp, Map.of("step", "late"));
            SseClient.Message l = sse.next(WITHIN);
            assertEquals(late, l.json().path("id").asText());
            assertNull(l.id(), "a late arrival has no id, so a resume position never moves backwards");
        }
    }

    @Test
    void endsOnceUntilHasPassed() throws Exception {
        String service = unique("until");
        String stamp = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS).toString();
        String old = emit(service, "deployment_started", "info", stamp, Map.of());
        String until = Instant.now().minus(10, ChronoUnit.MINUTES).toString();
        try (SseClient sse = SseClient.open(stream("service=" + service + "&since=2h&until=" + q(until)), Map.of())) {
            List<SseClient.Message> got = sse.untilClosed(WITHIN);
            assertEquals(List.of(old), got.stream().map(m -> m.json().path("id").asText()).toList());
        }
    }

    @Test
    void aBadFilterOrPositionIsAProblemBeforeTheStreamOpens() throws Exception {
        try (SseClient sse = SseClient.open(stream("min_severity=loud"), Map.of())) {
            assertEquals(400, sse.status);
            assertTrue(sse.contentType.startsWith("application/problem+json"), sse.contentType);
            assertTrue(sse.errorBody.contains("min_severity"), sse.errorBody);
        }
        try (SseClient sse = SseClient.open(stream(""), Map.of("Last-Event-ID", "not-a-position"))) {
            assertEquals(400, sse.status);
            assertTrue(sse.errorBody.contains("cursor"), sse.errorBody);
        }
    }
}
