package dev.homelab.events.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.homelab.events.security.TokenProfile;

/** The receiver is a write: with a token set it needs Alertmanager's Bearer authorization; bad input is a 400. */
@QuarkusTest
@TestProfile(TokenProfile.class)
class AlertmanagerReceiverAuthTest {

    static final String BODY = """
            {"version": "4", "status": "firing", "receiver": "homelab", "alerts": [{"status": "firing",
             "labels": {"alertname": "AuthCheck", "job": "auth-check"}, "annotations": {},
             "startsAt": "2026-11-29T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "feedbeef"}]}""";

    @Test
    void withoutTheTokenNothingIsRecorded() {
        given().contentType(ContentType.JSON).body(BODY).post("/api/ingest/alertmanager").then().statusCode(401);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer wrong-token-0000000000").body(BODY)
                .post("/api/ingest/alertmanager").then().statusCode(401);
        given().queryParam("service", "auth-check").get("/api/events").then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void withTheTokenTheAlertIsRecordedOnce() {
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TokenProfile.TOKEN)
                .body(BODY.replace("auth-check", "auth-check-ok")).post("/api/ingest/alertmanager").then()
                .statusCode(200).body("written", equalTo(1));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TokenProfile.TOKEN)
                .body(BODY.replace("auth-check", "auth-check-ok")).post("/api/ingest/alertmanager").then()
                .statusCode(200).body("written", equalTo(0)).body("repeats", equalTo(1));
        given().queryParam("service", "auth-check-ok").get("/api/events").then().statusCode(200)
                .body("total", equalTo(1)).body("events[0].type", equalTo("healthcheck_failed"));
    }

    @Test
    void aBadAlertIsA400NamingTheField() {
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TokenProfile.TOKEN)
                .body(BODY.replace("\"fingerprint\": \"feedbeef\"", "\"fingerprint\": \"\"")).post("/api/ingest/alertmanager")
                .then().statusCode(400).body(org.hamcrest.Matchers.containsString("alerts[0].fingerprint"));
    }
}
