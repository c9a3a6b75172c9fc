package dev.homelab.events.console;

import static io.restassured.RestAssured.given;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Seeds the test store through POST /api/events, as any client would; every chain gets a unique id. */
final class Seed {

    private final String token;

    Seed(String token) {
        this.token = token;
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    RequestSpecification request() {
        RequestSpecification r = given().contentType(ContentType.JSON);
        return token == null ? r : r.header("Authorization", "Bearer " + token);
    }

    /** Posts one event; returns its id. Null arguments are left out (the server's defaults apply). */
    String event(String cid, String type, String severity, String source, String service, String node, String timestamp,
            Map<String, Object> payload) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("severity", severity);
        body.put("source", source);
        body.put("service", service);
        if (cid != null) {
            body.put("correlation_id", cid);
        }
        if (node != null) {
            body.put("node", node);
        }
        if (timestamp != null) {
            body.put("timestamp", timestamp);
        }
        body.put("payload", payload == null ? Map.of() : payload);
        return request().body(body).post("/api/events").then().statusCode(201).extract().path("id");
    }

    String event(String cid, String type, String severity, String service, Map<String, Object> payload) {
        return event(cid, type, severity, "seed.sh", service, null, null, payload);
    }

    String root() {
        return request().get("/api/store").then().statusCode(200).extract().path("root");
    }
}
