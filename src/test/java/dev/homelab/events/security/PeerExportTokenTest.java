package dev.homelab.events.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The peer export hands out every event file of the store in one pass: with a token configured it needs the token,
 * even though ordinary reads (protect-reads=false here) do not.
 */
@QuarkusTest
@TestProfile(TokenProfile.class)
class PeerExportTokenTest {

    static final String AUTH = "Bearer " + TokenProfile.TOKEN;

    @Test
    void exportWithoutTheTokenIs401WhileOrdinaryReadsStayOpen() {
        for (String path : List.of("/api/sync/export", "/api/sync/export?limit=1", "/api/sync/export/", "/api//sync/export",
                "/api/sync/./export", "/api/sync/%65xport")) {
            given().urlEncodingEnabled(false).get(path).then().statusCode(401)
                    .header("WWW-Authenticate", equalTo("Bearer realm=\"homelab-events\""))
                    .contentType(Problem.MEDIA_TYPE).body("detail", containsString("peer export"));
        }
        given().head("/api/sync/export").then().statusCode(401);
        given().get("/api/events").then().statusCode(200);
        given().get("/api/sync/status").then().statusCode(200);
        given().get("/api/store").then().statusCode(200);
    }

    @Test
    void exportWithTheTokenIsServedAndAWrongTokenIsNot() {
        given().header("Authorization", AUTH).get("/api/sync/export").then().statusCode(200).body("has_more",
                org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", "Bearer " + TokenProfile.TOKEN + "x").get("/api/sync/export").then()
                .statusCode(401);
    }
}
