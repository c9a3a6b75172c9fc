package dev.homelab.events.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.homelab.events.Event;
import dev.homelab.events.EventTypes;

/**
 * record_remediation through the function-calling face: a step is started once however many agents race for it,
 * an open step is a 409, a completed step starts again, and a chosen id makes a retry return what it recorded.
 */
@QuarkusTest
class RemediationStartOnceTest {

    @Inject
    EventService events;

    private static Response call(Map<String, Object> args) {
        return given().contentType(ContentType.JSON).body(args).post("/api/tools/record_remediation");
    }

    private static Map<String, Object> step(String phase, String cid) {
        return new HashMap<>(Map.of("phase", phase, "correlation_id", cid, "service", "mosquitto", "action", "restart_service",
                "actor", "agent-a", "step", "restart-mosquitto"));
    }

    private long started(String cid) {
        return events.chain(cid).stream().filter(e -> EventTypes.REMEDIATION_STARTED.equals(e.type())).count();
    }

    @Test
    void agentsRacingToStartOneStepRecordItOnceInEveryRound() throws Exception {
        String cid = "race-" + UUID.randomUUID();
        int agents = 6;
        for (int round = 0; round < 10; round++) {
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(agents);
            List<Future<Response>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < agents; i++) {
                    answers.add(pool.submit(() -> {
                        go.await();
                        return call(step("start", cid));
                    }));
                }
                go.countDown();
                int won = 0;
                for (Future<Response> f : answers) {
                    Response r = f.get();
                    if (r.statusCode() == 200) {
                        won++;
                    } else {
                        assertEquals(409, r.statusCode(), r.asString());
                        assertEquals("step", r.path("errors[0].field"));
                        org.hamcrest.MatcherAssert.assertThat(r.path("detail"), containsString("already open"));
                    }
                }
                assertEquals(1, won, "round " + round);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(round + 1, started(cid), "one remediation_started per round");
            call(step("complete", cid)).then().statusCode(200).body("type", equalTo("remediation_completed"));
        }
    }

    @Test
    void anOpenStepIsA409AndACompletedOneStartsAgain() {
        String cid = "open-" + UUID.randomUUID();
        call(step("start", cid)).then().statusCode(200).body("type", equalTo("remediation_started"));
        call(step("start", cid)).then().statusCode(409)
                .contentType(startsWith("application/problem+json"))
                .body("errors[0].field", equalTo("step"))
                .body("errors[0].value", equalTo("restart-mosquitto"))
                .body("detail", containsString("already started"));
        // another service in the same chain has a step of its own
        Map<String, Object> other = step("start", cid);
        other.put("service", "zigbee2mqtt");
        call(other).then().statusCode(200);

        call(step("complete", cid)).then().statusCode(200);
        call(step("start", cid)).then().statusCode(200);
        assertEquals(3, started(cid));
    }

    @Test
    void aChosenIdMakesARetryReturnTheRecordedStepAndADifferentStepUnderItIsAConflict() {
        String cid = "retry-" + UUID.randomUUID();
        String startId = UUID.randomUUID().toString();
        Map<String, Object> start = step("start", cid);
        start.put("id", startId);
        Response first = call(start);
        first.then().statusCode(200).body("id", equalTo(startId));

        // the answer was lost: the agent sends the same call again, and gets the same event, not "already open"
        call(start).then().statusCode(200).body("id", equalTo(startId)).body("timestamp", equalTo(first.path("timestamp")))
                .body("path", equalTo(first.path("path")));

        String doneId = UUID.randomUUID().toString();
        Map<String, Object> complete = step("complete", cid);
        complete.put("id", doneId);
        complete.put("note", "answers again");
        call(complete).then().statusCode(200).body("id", equalTo(doneId)).body("started_event_id", equalTo(startId));
        // retried after the step closed: still the same completion, still linked to its start
        call(complete).then().statusCode(200).body("id", equalTo(doneId)).body("started_event_id", equalTo(startId));
        call(start).then().statusCode(200).body("id", equalTo(startId));
        assertEquals(1, started(cid));
        assertEquals(2, events.chain(cid).size());

        Map<String, Object> changed = step("complete", cid);
        changed.put("id", doneId);
        changed.put("result", "failed");
        call(changed).then().statusCode(409).body("errors[0].field", equalTo("id"))
                .body("detail", containsString("different content"));
        Map<String, Object> bad = step("start", cid);
        bad.put("id", "not-a-uuid");
        call(bad).then().statusCode(400).body("errors[0].field", equalTo("id"));
        List<Event> chain = events.chain(cid);
        assertEquals(2, chain.size(), chain.toString());
    }
}
