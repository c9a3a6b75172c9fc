package dev.homelab.events.mcp;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Names and URIs a client makes up leave no meter behind (McpSessionSoakIT found the registry growing by a timer
 * per made-up tool name and per event read): the request timers of quarkus-mcp-server are tagged with what the
 * server knows, or {@code unknown}, {@code other}, or the resource template.
 */
@QuarkusTest
class McpMetricsTagsTest {

    static String post(String session, String body) {
        var r = given().contentType("application/json").accept("application/json, text/event-stream");
        if (session != null) {
            r.header("Mcp-Session-Id", session);
        }
        return r.body(body).post("/mcp").then().statusCode(200).extract().header("Mcp-Session-Id");
    }

    static void call(String session, String method, String params) {
        given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Mcp-Session-Id", session)
                .body("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"" + method + "\",\"params\":" + params + "}")
                .post("/mcp").then().statusCode(200);
    }

    @Test
    void madeUpNamesAndEventUrisLeaveNoMeterBehind() {
        String session = post(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"metrics-test\",\"version\":\"1\"}}}");
        String made = "made_up_" + UUID.randomUUID().toString().replace("-", "");
        String eventId = UUID.randomUUID().toString();
        call(session, "tools/call", "{\"name\":\"" + made + "\",\"arguments\":{}}");
        call(session, "tools/call", "{\"name\":\"list_events\",\"arguments\":{\"limit\":1}}");
        call(session, "prompts/get", "{\"name\":\"" + made + "\"}");
        call(session, "resources/read", "{\"uri\":\"homelab://events/" + eventId + "\"}");
        call(session, "resources/read", "{\"uri\":\"homelab://" + made + "\"}");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertFalse(metrics.contains(made), "a made-up name became a tag:\n" + metrics);
        assertFalse(metrics.contains(eventId), "an event id became a tag");
        assertTrue(metrics.contains("tool_name=\"list_events\""), "a real tool keeps its name");
        assertTrue(metrics.contains("tool_name=\"unknown\""), "a made-up tool is counted as unknown");
        assertTrue(metrics.contains("resource_uri=\"homelab://events/{id}\""), "an event read is counted under its template");
        assertTrue(metrics.contains("resource_uri=\"other\""), "an unknown URI is counted as other");
    }
}
