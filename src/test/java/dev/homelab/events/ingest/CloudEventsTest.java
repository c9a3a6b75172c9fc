package dev.homelab.events.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** CloudEvents 1.0 on POST /api/events, structured and binary mode, mapped as docs/ingest.md says. */
@QuarkusTest
class CloudEventsTest {

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void structuredModeIsMappedAndARedeliveryWritesNothing() {
        String service = unique("ce-svc");
        // the README's curl recipe, as a request
        String body = """
                {"specversion": "1.0", "id": "evt-1", "source": "/backup/nas", "type": "deployment_failed",
                 "time": "2026-11-29T10:00:00.5Z", "service": "%s", "severity": "error", "node": "nas",
                 "correlationid": "backup-42", "datacontenttype": "application/json", "data": {"exit": 3}}"""
                .formatted(service);
        String id = given().contentType("application/cloudevents+json").body(body).post("/api/events").then()
                .statusCode(201).body("type", equalTo("deployment_failed")).body("severity", equalTo("error"))
                .body("node", equalTo("nas")).body("source", equalTo("backup-nas")).body("service", equalTo(service))
                .body("correlation_id", equalTo("backup-42")).body("timestamp", equalTo("2026-11-29T10:00:00.500000Z"))
                .body("payload.exit", equalTo(3)).extract().path("id");
        given().contentType("application/cloudevents+json").body(body).post("/api/events").then().statusCode(200)
                .body("id", equalTo(id));
        given().queryParam("service", service).get("/api/events").then().statusCode(200).body("total", equalTo(1));
    }

    @Test
    void binaryModeReadsTheCeHeaders() {
        String service = unique("ce-bin");
        String id = given().contentType("application/json").header("ce-specversion", "1.0").header("ce-id", "b-1")
                .header("ce-source", "urn:homelab:ups").header("ce-type", "service_unhealthy")
                .header("ce-subject", service).header("ce-severity", "critical").body("{\"battery\": 12}")
                .post("/api/events").then().statusCode(201).body("type", equalTo("service_unhealthy"))
                .body("service", equalTo(service)).body("severity", equalTo("critical"))
                .body("source", equalTo("urn:homelab:ups")).body("payload.battery", equalTo(12)).extract().path("id");
        given().contentType("application/json").header("ce-specversion", "1.0").header("ce-id", "b-1")
                .header("ce-source", "urn:homelab:ups").header("ce-type", "service_unhealthy")
                .header("ce-subject", service).header("ce-severity", "critical").body("{\"battery\": 12}")
                .post("/api/events").then().statusCode(200).body("id", equalTo(id));
    }

    @Test
    void whatCannotBeMappedIsA400() {
        given().contentType("application/cloudevents+json")
                .body("{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"/a\", \"type\": \"com.example.thing\", \"service\": \"s\"}")
                .post("/api/events").then().statusCode(400).body(containsString("type"));
        given().contentType("application/cloudevents+json")
                .body("{\"specversion\": \"1.0\", \"id\": \"y\", \"source\": \"/a\", \"type\": \"deployment_failed\", \"service\": \"s\", \"data\": [1]}")
                .post("/api/events").then().statusCode(400).body(containsString("data"));
        given().contentType("application/cloudevents+json").body("{\"specversion\": \"1.0\", \"type\": \"deployment_failed\"}")
                .post("/api/events").then().statusCode(400);
        given().contentType("application/cloudevents+json")
                .body("{\"specversion\": \"1.0\", \"id\": \"z\", \"source\": \"/a\", \"type\": \"deployment_failed\", "
                        + "\"service\": \"s\", \"datacontenttype\": \"text/plain\", \"data\": \"hello\"}")
                .post("/api/events").then().statusCode(400).body(containsString("datacontenttype"));
        // a binary-mode body that is not JSON never reaches the mapping: the HTTP guard refuses it (docs/security)
        given().contentType("text/plain").header("ce-specversion", "1.0").header("ce-id", "z").header("ce-source", "/a")
                .header("ce-type", "deployment_failed").header("ce-service", "s").body("hello").post("/api/events").then()
                .statusCode(415);
    }
}
