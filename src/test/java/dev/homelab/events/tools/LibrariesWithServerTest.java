package dev.homelab.events.tools;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The libraries next to a running server: the server lists and chains events that bash and Python wrote
 * into its store behind its back (no restart), and the libraries' server mode stores through the REST API.
 */
@QuarkusTest
class LibrariesWithServerTest {

    private static final String PYTHON_EMIT = """
            import sys
            from scripts.lib.events import emit_event
            e = emit_event(sys.argv[1], sys.argv[2], "py-lib", sys.argv[4], sys.argv[3], {"from": "python"})
            print(e["id"])
            """;

    @TestHTTPResource("/")
    URL server;

    @TempDir
    Path tmp;

    private Map<String, String> env(Path root, String node) {
        Map<String, String> env = new HashMap<>();
        env.put("HOMELAB_EVENTS_DIR", root.toString());
        env.put("HOMELAB_NODE", node);
        env.put("PYTHONPATH", Tools.TOOLS.toString());
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");
        return env;
    }

    /** A service of its own, so that tests counting events of a service elsewhere are not disturbed. */
    private final String service = "libs-" + UUID.randomUUID().toString().substring(0, 8);

    private String emitWithBash(Map<String, String> env, String type, String cid) throws Exception {
        Tools.Result r = Tools.run(Tools.bashEmit(List.of(type, "error", "sh-lib", service, cid, "{\"from\": \"bash\"}")),
                env, Duration.ofMinutes(1));
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals("", r.stderr(), r.describe());
        return r.stdout().strip();
    }

    private String emitWithPython(Map<String, String> env, String type, String cid) throws Exception {
        Tools.Result r = Tools.run(List.of("python3", "-c", PYTHON_EMIT, type, "warning", cid, service), env,
                Duration.ofMinutes(1));
        assertEquals(0, r.exitCode(), r.describe());
        return r.stdout().strip();
    }

    @Test
    void serverListsAndChainsEventsTheLibrariesWroteIntoItsStoreWithoutRestart() throws Exception {
        Tools.assumeInstalled("bash", "python3");
        String cid = "libs-" + UUID.randomUUID();
        Path root = Path.of(given().get("/api/store").then().statusCode(200).extract().<String>path("root"));
        String first = emitWithBash(env(root, "pi-bash"), "deployment_failed", cid);
        String second = emitWithPython(env(root, "pi-python"), "remediation_started", cid);

        // 404 until the watcher or the rescan has indexed the files
        List<String> ids = Awaitility.await("the server chains what the libraries wrote").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    var response = given().get("/api/chains/{cid}", cid);
                    return response.statusCode() == 200 ? response.<List<String>>path("events.id") : List.<String>of();
                }, found -> found.size() == 2);
        assertEquals(List.of(first, second), ids, "the chain, oldest first");
        given().get("/api/chains/{cid}", cid).then()
                .body("events[0].node", equalTo("pi-bash"))
                .body("events[0].source", equalTo("sh-lib"))
                .body("events[0].payload.from", equalTo("bash"))
                .body("events[1].node", equalTo("pi-python"))
                .body("events[1].payload.from", equalTo("python"));
        List<String> listed = given().queryParam("correlation_id", cid).queryParam("order", "oldest")
                .get("/api/events").then().statusCode(200).extract().path("events.id");
        assertEquals(List.of(first, second), listed);
        given().get("/api/events/{id}", second).then().statusCode(200).body("type", equalTo("remediation_started"));
    }

    @Test
    void librariesInServerModeStoreThroughTheRestApi() throws Exception {
        Tools.assumeInstalled("bash", "python3", "curl");
        Path local = tmp.resolve("local-store");
        String url = server.toString().replaceAll("/+$", "");
        String cid = "server-mode-" + UUID.randomUUID();
        Map<String, String> env = env(local, "pi-client");
        env.put("HOMELAB_EVENTS_URL", url);

        String bashId = emitWithBash(env, "deployment_started", cid);
        String pyId = emitWithPython(env, "deployment_completed", cid);

        given().get("/api/events/{id}", bashId).then().statusCode(200)
                .body("node", equalTo("pi-client")).body("correlation_id", equalTo(cid)).body("payload.from", equalTo("bash"));
        given().get("/api/events/{id}", pyId).then().statusCode(200)
                .body("source", equalTo("py-lib")).body("payload.from", equalTo("python"));
        assertTrue(!Files.exists(local) || isEmpty(local), "nothing went to the local fallback store");

        // no correlation id: the server gives the event's own id
        Tools.Result r = Tools.run(Tools.bashEmit(List.of("node_online", "info", "sh-lib", service, "")), env,
                Duration.ofMinutes(1));
        assertEquals(0, r.exitCode(), r.describe());
        String id = r.stdout().strip();
        given().get("/api/events/{id}", id).then().statusCode(200).body("correlation_id", equalTo(id));
        assertTrue(!Files.exists(local) || isEmpty(local), "nothing went to the local fallback store");
    }

    private static boolean isEmpty(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.noneMatch(Files::isRegularFile);
        }
    }
}
