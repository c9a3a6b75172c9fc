package dev.homelab.events.ask;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** A model is configured but nothing listens at its address: 503 that says so, and the server carries on. */
@QuarkusTest
@TestProfile(AskUnreachableModelTest.ClosedPort.class)
class AskUnreachableModelTest {

    public static class ClosedPort implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("homelab.ask.base-url", "http://127.0.0.1:" + closedPort() + "/v1",
                    "homelab.ask.model", "llama3.1:8b");
        }

        /** A port that was free a moment ago and is closed now. */
        static int closedPort() {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void answers503WhenTheModelCannotBeReached() {
        given().contentType(ContentType.JSON).body(Map.of("question", "what is broken?")).post("/api/ask")
                .then().statusCode(503).contentType("application/problem+json")
                .body("title", equalTo("Model unavailable"))
                .body("detail", containsString("cannot be reached"))
                .body("detail", containsString("HOMELAB_ASK_BASE_URL"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/api/events").then().statusCode(200);
    }
}
