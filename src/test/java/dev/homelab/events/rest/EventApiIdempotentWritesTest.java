package dev.homelab.events.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.homelab.events.storage.EventStore;

/**
 * Client-chosen ids on {@code POST /api/events}: a retry is answered with the stored event and writes nothing, a
 * different event under a used id is a 409, and concurrent requests with one id yield exactly one file.
 */
@QuarkusTest
class EventApiIdempotentWritesTest {

    @Inject
    EventStore store;

    private final String service = "idem-" + UUID.randomUUID().toString().substring(0, 8);

    private Map<String, Object> body(String id) {
        Map<String, Object> b = new HashMap<>(Map.of("type", "deployment_started", "severity", "info", "source", "deploy.sh",
                "service", service, "correlation_id", "idem-chain", "payload", Map.of("version", "1.0", "n", 1)));
        b.put("id", id);
        return b;
    }

    private static Response post(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/events");
    }

    private List<Path> filesOf(String id) throws IOException {
        try (Stream<Path> s = Files.find(store.root(), 3, (p, a) -> p.getFileName().toString().endsWith("_" + id + ".json"))) {
            return s.toList();
        }
    }

    @Test
    void theSameIdAndContentAgainIsAnsweredWithTheStoredEventAnd200() throws IOException {
        String id = UUID.randomUUID().toString();
        Response first = post(body(id));
        first.then().statusCode(201).body("id", equalTo(id)).header("Location", containsString("/api/events/" + id));
        String timestamp = first.path("timestamp");

        // a retry without a timestamp: the server's clock has moved on, yet it is the same event
        post(body(id)).then().statusCode(200)
                .header("Content-Location", containsString("/api/events/" + id))
                .body("id", equalTo(id))
                .body("timestamp", equalTo(timestamp))
                .body("payload.version", equalTo("1.0"));
        // the same again with the stored timestamp, and with the payload's keys in another order
        Map<String, Object> again = body(id);
        again.put("timestamp", timestamp);
        again.put("payload", new java.util.LinkedHashMap<>(Map.of("n", 1.0, "version", "1.0")));
        post(again).then().statusCode(200).body("id", equalTo(id));

        assertEquals(1, filesOf(id).size(), "one file: " + filesOf(id));
    }

    @Test
    void theSameIdWithDifferentContentIsA409NamingTheConflict() throws IOException {
        String id = UUID.randomUUID().toString();
        post(body(id)).then().statusCode(201);

        Map<String, Object> changed = body(id);
        changed.put("payload", Map.of("version", "2.0", "n", 1));
        changed.put("severity", "error");
        post(changed).then().statusCode(409)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(409))
                .body("errors[0].field", equalTo("id"))
                .body("errors[0].value", equalTo(id))
                .body("detail", containsString("already stored with different content"))
                .body("detail", containsString("severity, payload differ"));

        // a timestamp the client gives counts
        Map<String, Object> otherTime = body(id);
        otherTime.put("timestamp", "2020-01-01T00:00:00Z");
        post(otherTime).then().statusCode(409).body("detail", containsString("timestamp differ"));

        assertEquals(1, filesOf(id).size());
        given().get("/api/events/{id}", id).then().statusCode(200).body("payload.version", equalTo("1.0"));
    }

    @Test
    void anIdThatIsNotAUuidIsA400NamingId() {
        for (Object bad : List.of("abc", "1-2-3-4-5", "0b6f7a6e1d0c4d8e9a593f2f0c7f4a11", " " + UUID.randomUUID(), 42)) {
            Map<String, Object> b = body(null);
            b.put("id", bad);
            post(b).then().statusCode(400)
                    .contentType(startsWith("application/problem+json"))
                    .body("errors.field", org.hamcrest.Matchers.hasItem("id"));
        }
        // with the other fields of the request's shape: a number where a string belongs, an unknown field
        Map<String, Object> b = body("nope");
        b.put("severity", 5);
        b.put("colour", "red");
        post(b).then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItems("id", "severity", "colour"));
    }

    @Test
    void aChosenIdIsStoredLowerCaseAndIsTheDefaultCorrelationId() throws IOException {
        String id = UUID.randomUUID().toString();
        Map<String, Object> b = body(id.toUpperCase(java.util.Locale.ROOT));
        b.remove("correlation_id");
        post(b).then().statusCode(201).body("id", equalTo(id)).body("correlation_id", equalTo(id));
        // the retry still matches: the default correlation id is the same id
        post(b).then().statusCode(200).body("id", equalTo(id));
        assertEquals(1, filesOf(id).size());
        assertTrue(filesOf(id).get(0).getFileName().toString().endsWith("_deployment_started_" + id + ".json"));
    }

    @Test
    void concurrentRequestsWithOneIdYieldExactlyOneFile() throws Exception {
        int threads = 12;
        for (int round = 0; round < 5; round++) {
            String id = UUID.randomUUID().toString();
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Response>> answers = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    Callable<Response> call = () -> {
                        go.await();
                        return post(body(id));
                    };
                    answers.add(pool.submit(call));
                }
                go.countDown();
                int created = 0;
                int repeated = 0;
                for (Future<Response> f : answers) {
                    Response r = f.get();
                    assertEquals(id, r.path("id"), r.asString());
                    if (r.statusCode() == 201) {
                        created++;
                    } else {
                        assertEquals(200, r.statusCode(), r.asString());
                        repeated++;
                    }
                }
                assertEquals(1, created, "exactly one request created the event");
                assertEquals(threads - 1, repeated);
                assertEquals(1, filesOf(id).size(), "one file: " + filesOf(id));
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
