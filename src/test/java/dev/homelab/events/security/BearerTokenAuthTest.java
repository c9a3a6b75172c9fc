package dev.homelab.events.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.homelab.events.agent.ToolCatalog;
import dev.homelab.events.service.EventService;
import dev.homelab.events.testing.LogCapture;
import dev.homelab.events.testing.StoreFiles;

/** With a token configured, every write on every HTTP face needs it; reads do not (unless protect-reads). */
@QuarkusTest
@TestProfile(TokenProfile.class)
class BearerTokenAuthTest {

    static final String EVENT = HttpGuardTest.EVENT;
    static final String AUTH = "Bearer " + TokenProfile.TOKEN;
    static final String WRONG = "wrong-token-value-0000000000";

    @Inject
    EventService service;
    @Inject
    ToolCatalog catalog;

    LogCapture logs;

    @BeforeEach
    void captureLogs() {
        logs = LogCapture.all();
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
    }

    @Test
    void restWriteWithoutTokenIs401AndWritesNothing() throws Exception {
        List<String> before = StoreFiles.all(service.root());
        given().contentType("application/json").body(EVENT).post("/api/events").then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"homelab-events\""))
                .contentType("application/problem+json").body("detail", containsString("Authorization: Bearer"));
        given().post("/api/store/demo").then().statusCode(401);
        assertEquals(before, StoreFiles.all(service.root()));
    }

    @Test
    void wrongTokenIs401InvalidTokenEvenOnReads() throws Exception {
        List<String> before = StoreFiles.all(service.root());
        given().header("Authorization", "Bearer " + WRONG).contentType("application/json").body(EVENT).post("/api/events")
                .then().statusCode(401).header("WWW-Authenticate", containsString("error=\"invalid_token\""));
        given().header("Authorization", "Bearer " + WRONG).get("/api/events").then().statusCode(401);
        given().header("Authorization", "Bearer").contentType("application/json").body(EVENT).post("/api/events").then()
                .statusCode(401);
        given().header("Authorization", "Basic dXNlcjpwYXNz").contentType("application/json").body(EVENT).post("/api/events")
                .then().statusCode(401);
        // a prefix of the right token, and the right token with a suffix, are wrong tokens
        given().header("Authorization", "Bearer " + TokenProfile.TOKEN.substring(0, 10)).contentType("application/json")
                .body(EVENT)
                .post("/api/events").then().statusCode(401);
        given().header("Authorization", AUTH + "x").contentType("application/json").body(EVENT).post("/api/events").then()
                .statusCode(401);
        assertEquals(before, StoreFiles.all(service.root()));
    }

    @Test
    void rightTokenWrites() {
        given().header("Authorization", AUTH).contentType("application/json").body(EVENT).post("/api/events").then()
                .statusCode(201);
        given().header("Authorization", "bearer  " + TokenProfile.TOKEN).contentType("application/json").body(EVENT)
                .post("/api/events")
                .then().statusCode(201);
    }

    @Test
    void readsNeedNoToken() {
        given().get("/api/events").then().statusCode(200);
        given().get("/api/store").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void functionCallingWriteToolsNeedTheTokenReadToolsDoNot() throws Exception {
        List<String> before = StoreFiles.all(service.root());
        Set<String> writeTools = catalog.visible().stream().filter(t -> !t.readOnly()).map(ToolCatalog.Tool::name)
                .collect(Collectors.toSet());
        assertTrue(writeTools.containsAll(Set.of("emit_event", "record_remediation")), writeTools.toString());
        for (ToolCatalog.Tool tool : catalog.visible()) {
            var call = given().contentType("application/json").body(ARGS.getOrDefault(tool.name(), "{}"))
                    .post("/api/tools/" + tool.name()).then();
            if (tool.readOnly()) {
                call.statusCode(not(401));
            } else {
                call.statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
            }
        }
        // a tool the catalog does not know is treated as a write: fail closed
        for (String name : List.of("drop_everything", "emit_events")) {
            given().contentType("application/json").body("{}").post("/api/tools/" + name).then().statusCode(401);
        }
        assertEquals(before, StoreFiles.all(service.root()));
        given().header("Authorization", AUTH).contentType("application/json").body(ARGS.get("emit_event"))
                .post("/api/tools/emit_event").then().statusCode(200);
    }

    /** Valid arguments for the tools that need some; the rest get {}. */
    static final Map<String, String> ARGS = Map.of(
            "emit_event", "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"ci\",\"service\":\"web\"}",
            "record_remediation",
            "{\"correlation_id\":\"c1\",\"service\":\"web\",\"phase\":\"start\",\"action\":\"restart\",\"actor\":\"agent\"}");

    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    /** Issue 13: a session is state the server keeps, so with a token set no MCP request passes without it. */
    @Test
    void everyMcpRequestNeedsTheTokenInitializeIncluded() throws Exception {
        List<String> before = StoreFiles.all(service.root());
        for (String body : List.of(INITIALIZE, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"list_events\",\"arguments\":{}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"emit_event\",\"arguments\":"
                        + ARGS.get("emit_event") + "}}",
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}]", "{\"method\":\"tools/call\",")) {
            given().contentType("application/json").accept("application/json, text/event-stream").body(body).post("/mcp")
                    .then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        }
        // protocol 2026-07-28 has no session at all: each request needs the token; with it, it is served
        String meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}";
        for (String method : List.of("server/discover", "subscriptions/listen")) {
            given().contentType("application/json").accept("application/json, text/event-stream")
                    .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method)
                    .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":{" + meta + "}}")
                    .post("/mcp").then().statusCode(401);
        }
        given().contentType("application/json").accept("application/json, text/event-stream").header("Authorization", AUTH)
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "server/discover")
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{" + meta + "}}")
                .post("/mcp").then().statusCode(200).body(containsString("\"supportedVersions\""));
        given().accept("text/event-stream").header("Mcp-Session-Id", "x").get("/mcp").then().statusCode(401);
        given().header("Mcp-Session-Id", "x").delete("/mcp").then().statusCode(401);
        given().accept("text/event-stream").get("/mcp/sse").then().statusCode(401);
        given().contentType("application/json").body(INITIALIZE).post("/mcp/messages/abc").then().statusCode(401);
        assertEquals(before, StoreFiles.all(service.root()));
    }

    @Test
    void mcpSessionWithTheTokenReadsAndWrites() throws Exception {
        String session = given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Authorization", AUTH).body(INITIALIZE)
                .post("/mcp").then().statusCode(200).extract().header("Mcp-Session-Id");
        given().contentType("application/json").accept("application/json, text/event-stream").header("Mcp-Session-Id", session)
                .header("Authorization", AUTH).body("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .post("/mcp").then().statusCode(202);
        given().contentType("application/json").accept("application/json, text/event-stream").header("Mcp-Session-Id", session)
                .body("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").post("/mcp").then().statusCode(401);
        given().contentType("application/json").accept("application/json, text/event-stream").header("Mcp-Session-Id", session)
                .header("Authorization", AUTH)
                .body("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"list_events\",\"arguments\":{}}}")
                .post("/mcp").then().statusCode(200).body(containsString("\"total\""));
        String emit = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"emit_event\",\"arguments\":"
                + ARGS.get("emit_event") + "}}";
        List<String> before = StoreFiles.all(service.root());
        given().contentType("application/json").accept("application/json, text/event-stream").header("Mcp-Session-Id", session)
                .header("Authorization", AUTH).body(emit).post("/mcp").then().statusCode(200)
                .body(containsString("\"isError\":false"));
        assertEquals(before.size() + 1, StoreFiles.all(service.root()).size());
    }

    @Test
    void oversizedMcpBodyReadByTheGuardIs413() throws Exception {
        // the guard itself reads MCP bodies to parse them with the JSON limits; its reader keeps the cap
        dev.homelab.events.testing.RawHttp.Response r = dev.homelab.events.testing.RawHttp.chunked(
                io.restassured.RestAssured.port,
                "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAuthorization: " + AUTH + "\r\n"
                        + "Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"x\":\"", (byte) 'x', 30L * 1024 * 1024);
        assertEquals(413, r.status(), r.body());
        assertEquals("application/problem+json", r.header("content-type"));
    }

    @Test
    void tokenIsNeverLogged() {
        given().header("Authorization", "Bearer " + WRONG).contentType("application/json").body(EVENT).post("/api/events");
        given().header("Authorization", AUTH).contentType("application/json").body(EVENT).post("/api/events");
        given().contentType("application/json").body(EVENT).post("/api/events");
        List<String> logged = logs.records().stream()
                .map(r -> String.valueOf(r.getMessage()) + " " + java.util.Arrays.toString(r.getParameters())).toList();
        assertFalse(logged.isEmpty(), "the refusals are logged");
        for (String line : logged) {
            assertFalse(line.contains(TokenProfile.TOKEN), line);
            assertFalse(line.contains(WRONG), line);
        }
    }
}
