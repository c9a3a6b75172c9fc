package dev.homelab.events.reliability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.homelab.events.service.EventService;
import dev.homelab.events.testing.StoreFiles;

/** A failed fsync is final: the write is reported failed, tried once, leaves nothing, and later writes work. */
@QuarkusTest
@TestProfile(FsyncFailureTest.Profile.class)
class FsyncFailureTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(FailingFsyncStore.class);
        }
    }

    @Inject
    EventService service;

    @AfterEach
    void heal() {
        FailingFsyncStore.FAIL.set(false);
    }

    @Test
    void failedFsyncIsReportedOnceAndNeverRetriedIntoSuccess() throws Exception {
        given().contentType("application/json").body(HttpGuardEvent.EVENT).post("/api/events").then().statusCode(201);
        List<String> before = StoreFiles.all(service.root());
        int listed = given().get("/api/events").then().extract().path("total");

        FailingFsyncStore.FAIL.set(true);
        int calls = FailingFsyncStore.FORCE_CALLS.get();
        given().contentType("application/json").body(HttpGuardEvent.EVENT).post("/api/events").then().statusCode(503)
                .contentType("application/problem+json").body("detail", containsString("could not be written durably"))
                .body("detail", containsString("nothing was stored"));

        assertEquals(calls + 1, FailingFsyncStore.FORCE_CALLS.get(), "one attempt, no retry");
        assertEquals(before, StoreFiles.all(service.root()), "no final-named file, no temp file");
        given().get("/api/events").then().statusCode(200).body("total", org.hamcrest.Matchers.equalTo(listed));

        FailingFsyncStore.FAIL.set(false);
        given().contentType("application/json").body(HttpGuardEvent.EVENT).post("/api/events").then().statusCode(201);
        assertEquals(before.size() + 1, StoreFiles.all(service.root()).size());
    }

    static final class HttpGuardEvent {
        static final String EVENT = "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"ci\",\"service\":\"web\"}";
    }
}
