package dev.homelab.events.reliability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.homelab.events.service.EventService;
import dev.homelab.events.testing.StoreFiles;

/**
 * Names that become path segments (node, type) and the free-text names beside them, attacked through REST:
 * each is refused with a 400 naming the field, and nothing is written anywhere, inside or outside the root.
 */
@QuarkusTest
@TestProfile(HostileNamesTest.NestedRoot.class)
class HostileNamesTest {

    /** The root one level below a private temp dir, so "nothing next to the root" can be checked. */
    public static class NestedRoot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("homelab.events.dir", Files.createTempDirectory("hostile-names").resolve("events").toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Values every name field must refuse. */
    static final Map<String, String> HOSTILE = Map.of(
            "parent traversal", "../x",
            "separator", "a/b",
            "backslash", "a\\b",
            "NUL", "a\u0000b",
            "CR LF (log forging)", "a\r\nINFO forged line",
            "300 characters", "a".repeat(300),
            "right-to-left override", "abc\u202Etxt.exe",
            "right-to-left isolate", "\u2067abc");

    /** Only hostnames may be nodes and only [a-z][a-z0-9_]* types: these are fine as free text, not as path segments. */
    static final Map<String, String> NOT_SEGMENTS = Map.of(
            "encoded traversal", "%2e%2e",
            "dot dot", "..",
            "dot", ".",
            "absolute", "/etc/passwd",
            "empty", "");

    @Inject
    EventService service;
    @Inject
    ObjectMapper mapper;

    @Test
    void hostileNodesAndTypesAreRefusedAndNothingIsWritten() throws Exception {
        Path root = service.root();
        List<String> before = StoreFiles.all(root);
        List<String> outsideBefore = siblings(root);
        for (String field : List.of("node", "type")) {
            for (Map<String, String> values : List.of(HOSTILE, NOT_SEGMENTS)) {
                values.forEach((what, value) -> refused(field, value, what));
            }
        }
        for (String field : List.of("source", "service", "correlation_id")) {
            HOSTILE.forEach((what, value) -> {
                if (field.equals("correlation_id")
                        && (what.equals("parent traversal") || what.equals("separator") || what.equals("backslash"))) {
                    return; // correlation ids never become paths; slashes are allowed there
                }
                refused(field, value, what);
            });
        }
        assertEquals(before, StoreFiles.all(root), "nothing written under the root");
        assertEquals(outsideBefore, siblings(root), "nothing written next to the root");
        assertEquals(List.of("events"), outsideBefore);
    }

    @Test
    void hostileNamesInQueriesAreRefusedToo() {
        for (String node : List.of("../x", "a/b", "%2e%2e", "a\\b")) {
            given().queryParam("node", node).get("/api/events").then().statusCode(400).body("errors.field", hasItem("node"));
        }
        given().queryParam("type", "../x").get("/api/events").then().statusCode(400).body("errors.field", hasItem("type"));
    }

    @Test
    void errorMessagesEscapeControlCharacters() {
        String value = given().contentType("application/json").body(draft("node", "a\r\nforged\u202E")).post("/api/events")
                .then().statusCode(400).extract().jsonPath().getString("errors.find { it.field == 'node' }.value");
        assertEquals("a\\u000D\\u000Aforged\\u202E", value, "control and bidi characters are echoed escaped, never raw");
    }

    private void refused(String field, String value, String what) {
        given().contentType("application/json").body(draft(field, value)).post("/api/events")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem(field));
    }

    private String draft(String field, String value) {
        ObjectNode n = mapper.createObjectNode().put("type", "deployment_started").put("severity", "info").put("source", "ci")
                .put("service", "web");
        n.put(field, value);
        return n.toString();
    }

    private static List<String> siblings(Path root) throws Exception {
        try (var s = Files.list(root.getParent())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
