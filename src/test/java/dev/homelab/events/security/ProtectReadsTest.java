package dev.homelab.events.security;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Token read from a file (HOMELAB_EVENTS_TOKEN_FILE), with reads protected too. */
@QuarkusTest
@TestProfile(ProtectReadsTest.Profile.class)
class ProtectReadsTest {

    static final String TOKEN = "file-token-94c1e0b2a7d35f68";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path file = Files.createTempFile("homelab-token", ".txt");
                file.toFile().deleteOnExit();
                Files.writeString(file, TOKEN + "\n"); // trailing newline as `echo` writes it
                return Map.of("homelab.security.token-file", file.toString(), "homelab.security.protect-reads", "true");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void readsNeedTheTokenFromTheFile() {
        given().get("/api/events").then().statusCode(401);
        given().get("/api/store/problems").then().statusCode(401);
        given().contentType("application/json").body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").post("/mcp")
                .then().statusCode(401);
        given().header("Authorization", "Bearer " + TOKEN).get("/api/events").then().statusCode(200);
    }

    @Test
    void writesUseTheTokenFromTheFile() {
        given().contentType("application/json").body(HttpGuardTest.EVENT).post("/api/events").then().statusCode(401);
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/json").body(HttpGuardTest.EVENT)
                .post("/api/events").then().statusCode(201);
    }

    @Test
    void healthStaysOpenForProbes() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }
}
