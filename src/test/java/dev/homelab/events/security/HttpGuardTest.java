package dev.homelab.events.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

import dev.homelab.events.service.EventService;
import dev.homelab.events.testing.RawHttp;
import dev.homelab.events.testing.StoreFiles;

/** The default profile: loopback, no token. DNS rebinding, cross-origin simple POSTs and body size are refused anyway. */
@QuarkusTest
class HttpGuardTest {

    static final String EVENT = "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"ci\",\"service\":\"web\"}";

    @Inject
    EventService service;

    Path root() {
        return service.root();
    }

    @Test
    void writesNeedNoTokenOnLoopbackWithoutOne() {
        given().contentType("application/json").body(EVENT).post("/api/events").then().statusCode(201);
    }

    @Test
    void refusesForeignHostHeaderOnApiAndMcp() throws Exception {
        List<String> before = StoreFiles.all(root());
        for (String path : List.of("/api/events", "/mcp")) {
            given().header("Host", "evil.example.com").contentType("application/json").body(EVENT).post(path)
                    .then().statusCode(403).contentType("application/problem+json")
                    .body("detail", containsString("evil.example.com"));
        }
        given().header("Host", "evil.example.com:" + RestAssured.port).get("/api/events").then().statusCode(403);
        assertEquals(before, StoreFiles.all(root()), "a refused request writes nothing");
    }

    @Test
    void twoHostHeadersAreRefusedOnEveryRoute() throws Exception {
        for (String path : List.of("/api/events", "/mcp", "/q/health/live")) {
            for (String hosts : List.of("Host: localhost\r\nHost: evil.example.com",
                    "Host: evil.example.com\r\nHost: localhost",
                    "Host: localhost\r\nHost: localhost")) {
                RawHttp.Response r = RawHttp.headOnly(RestAssured.port,
                        "GET " + path + " HTTP/1.1\r\n" + hosts + "\r\nConnection: close\r\n\r\n");
                assertEquals(400, r.status(), path + " " + hosts + ": " + r.body());
                assertEquals(Problem.MEDIA_TYPE, r.header("content-type"));
                assertTrue(r.body().contains("more than one Host"), r.body());
            }
        }
    }

    @Test
    void absoluteFormTargetNamingAnotherHostIsMisdirected() throws Exception {
        List<String> before = StoreFiles.all(root());
        for (String target : List.of("http://evil.example.com/api/events", "http://evil.example.com:" + RestAssured.port
                + "/api/events?limit=1", "https://evil.example.com/mcp", "http://localhost@evil.example.com/api/events",
                "http://evil.example.com@localhost/api/events", "http:///api/events")) {
            RawHttp.Response r = RawHttp.headOnly(RestAssured.port,
                    "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertEquals(421, r.status(), target + ": " + r.body());
            assertEquals(Problem.MEDIA_TYPE, r.header("content-type"));
        }
        byte[] event = EVENT.getBytes(StandardCharsets.UTF_8);
        RawHttp.Response post = RawHttp.send(RestAssured.port, "POST http://evil.example.com/api/events HTTP/1.1\r\n"
                + "Host: localhost\r\nContent-Type: application/json\r\nContent-Length: " + event.length
                + "\r\nConnection: close\r\n\r\n", event);
        assertEquals(421, post.status(), post.body());
        assertEquals(before, StoreFiles.all(root()), "a misdirected write writes nothing");
        // the absolute form naming this server is ordinary HTTP/1.1 and served
        RawHttp.Response own = RawHttp.headOnly(RestAssured.port, "GET http://127.0.0.1:" + RestAssured.port
                + "/api/events?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertEquals(200, own.status(), own.body());
    }

    @Test
    void acceptsLoopbackHostsWithAnyPort() {
        for (String host : List.of("localhost", "localhost:" + RestAssured.port, "127.0.0.1:" + RestAssured.port,
                "[::1]:" + RestAssured.port, "127.0.0.2")) {
            given().header("Host", host).get("/api/events").then().statusCode(200);
        }
    }

    @Test
    void refusesForeignAndOpaqueOrigins() {
        for (String origin : List.of("http://evil.example.com", "https://localhost.evil.example.com", "null", "file://")) {
            given().header("Origin", origin).get("/api/events").then().statusCode(403);
        }
        given().header("Origin", "http://localhost:3000").get("/api/events").then().statusCode(200);
        given().header("Origin", "http://127.0.0.1:" + RestAssured.port).get("/api/events").then().statusCode(200);
    }

    @Test
    void hostCheckDoesNotApplyOutsideApiAndMcp() {
        // health probes from a container runtime carry whatever Host they like
        given().header("Host", "events-container").get("/q/health/live").then().statusCode(200);
    }

    @Test
    void crossOriginSimplePostWritesNothing() throws Exception {
        List<String> before = StoreFiles.all(root());
        // what a browser sends for fetch(url, {method: 'POST', mode: 'no-cors', body}) from another site
        given().header("Origin", "http://evil.example.com").contentType("text/plain").body(EVENT).post("/api/events")
                .then().statusCode(403);
        // even from an allowed origin, a simple (non-JSON) body never reaches a handler
        given().header("Origin", "http://localhost:3000").contentType("text/plain").body(EVENT).post("/api/events")
                .then().statusCode(415).contentType("application/problem+json");
        given().contentType("application/x-www-form-urlencoded").body("type=deployment_started").post("/api/events")
                .then().statusCode(415);
        given().contentType("text/plain")
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"emit_event\"}}")
                .post("/mcp").then().statusCode(415);
        // fetch(url, {method: 'POST', mode: 'no-cors', body: new Blob([json])}) sends no Content-Type, but an Origin
        byte[] blob = EVENT.getBytes(StandardCharsets.UTF_8);
        RawHttp.Response r = RawHttp.send(RestAssured.port, "POST /api/events HTTP/1.1\r\nHost: localhost\r\n"
                + "Origin: http://evil.example.com\r\nContent-Length: " + blob.length + "\r\nConnection: close\r\n\r\n", blob);
        assertEquals(403, r.status());
        assertEquals(before, StoreFiles.all(root()), "no simple POST may write");
    }

    @Test
    void declaredOversizedBodyIsRefusedBeforeItIsSent() throws Exception {
        long thirtyMb = 30L * 1024 * 1024;
        long started = System.nanoTime();
        RawHttp.Response r = RawHttp.headOnly(RestAssured.port, "POST /api/events HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + thirtyMb + "\r\n\r\n");
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertEquals(413, r.status());
        assertEquals("application/problem+json", r.header("content-type"));
        assertTrue(r.body().contains("262144"), r.body());
        System.out.printf("30 MB declared body refused with 413 in %d ms without reading it%n", ms);
    }

    @Test
    void chunkedOversizedBodyIsCutOffAt413() throws Exception {
        List<String> before = StoreFiles.all(root());
        String prefix = "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"ci\",\"service\":\"web\",\"payload\":{\"s\":\"";
        for (String path : List.of("/api/events", "/mcp")) {
            RawHttp.Response r = RawHttp.chunked(RestAssured.port, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n", prefix, (byte) 'x', 30L * 1024 * 1024);
            assertEquals(413, r.status(), path + ": " + r.body());
        }
        assertEquals(before, StoreFiles.all(root()));
    }

    @Test
    void deeplyNestedDocumentIsA400NotAStackOverflow() throws Exception {
        int depth = 100_000; // 200 KB: under the body cap, so the JSON parser's depth limit is what refuses it
        String body = EVENT.substring(0, EVENT.length() - 1) + ",\"payload\":{\"a\":" + "[".repeat(depth) + "]".repeat(depth)
                + "}}";
        long started = System.nanoTime();
        RawHttp.Response r = post("/api/events", body);
        System.out.printf("100,000-deep document refused with %d in %d ms%n", r.status(),
                (System.nanoTime() - started) / 1_000_000);
        assertEquals(400, r.status(), r.body());
        assertEquals("application/problem+json", r.header("content-type"));
        assertTrue(r.body().contains("nesting depth"), r.body());
    }

    @Test
    void hostileJsonOnTheToolFacesIsRefusedFast() throws Exception {
        int depth = 100_000;
        String deep = "[".repeat(depth) + "]".repeat(depth);
        String bigNumber = "9".repeat(5000);
        List<String> before = StoreFiles.all(root());
        for (String body : List.of(deep, "{\"payload\":" + deep + "}", "{\"n\":" + bigNumber + "}")) {
            RawHttp.Response r = post("/api/tools/emit_event", body);
            assertEquals(400, r.status(), r.body());
            String rpc = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"emit_event\",\"arguments\":"
                    + body + "}}";
            RawHttp.Response m = post("/mcp", rpc);
            // the guard parses MCP bodies with the same limits before the MCP extension sees them
            assertEquals(400, m.status(), m.body());
            assertTrue(m.body().contains("\"code\":-32700") && m.body().contains("exceeds the maximum allowed"), m.body());
        }
        assertEquals(before, StoreFiles.all(root()));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void fiveThousandDigitNumberIsA400() throws Exception {
        String body = EVENT.substring(0, EVENT.length() - 1) + ",\"payload\":{\"n\":" + "9".repeat(5000) + "}}";
        RawHttp.Response r = post("/api/events", body);
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("Number value length"), r.body());
    }

    static RawHttp.Response post(String path, String json) throws java.io.IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return RawHttp.send(RestAssured.port,
                "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Accept: application/json, text/event-stream\r\nContent-Length: " + bytes.length
                        + "\r\nConnection: close\r\n\r\n",
                bytes);
    }

    @Test
    void malformedJsonIsA400Problem() {
        given().contentType("application/json").body("{\"type\":").post("/api/events").then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType("application/json")
                .body(new String(new byte[]{ (byte) 0xff, (byte) 0xfe }, StandardCharsets.ISO_8859_1))
                .post("/api/events").then().statusCode(400);
    }
}
