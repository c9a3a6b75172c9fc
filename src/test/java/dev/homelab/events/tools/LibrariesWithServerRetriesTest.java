package dev.homelab.events.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.homelab.events.storage.EventStore;

/**
 * The libraries against a server that answers too late: they generate the event id before the call and send it,
 * and their local fallback reuses it, so an event the server stored is never written a second time, whichever of
 * the two writes first. The server sits behind a scripted proxy that passes each request to it and holds the
 * answer (or the request) beyond the library's timeout; the library and the server share one store, as on a node.
 */
@QuarkusTest
class LibrariesWithServerRetriesTest {

    /** What the proxy does with a request. */
    enum Mode {
        /** Passes it on at once and holds the answer: the server stored the event before the library gave up. */
        STORE_THEN_DELAY,
        /** The same, but the server picks timestamp and node itself: the library finds the event by id, not by name. */
        STORE_WITH_SERVER_DEFAULTS_THEN_DELAY,
        /** Holds the request and passes it on after the library gave up: the library's file is there first. */
        DELAY_THEN_STORE
    }

    private static final String PYTHON_EMIT = """
            import sys
            from scripts.lib.events import emit_event
            e = emit_event("deployment_failed", "error", "py-lib", sys.argv[1], "retry-chain", {"stage": "verify"})
            print(e["id"])
            """;

    private static final String PYTHON_CONFLICT = """
            import sys
            from scripts.lib.events import emit_event, EventConflictError
            try:
                emit_event("deployment_failed", "error", "py-lib", sys.argv[1], "retry-chain", {"stage": "other"},
                           event_id=sys.argv[2])
            except EventConflictError as e:
                print("conflict", e.field)
                sys.exit(3)
            """;

    /** The library's timeout (seconds) and how long the proxy holds past it. */
    private static final int TIMEOUT_SECONDS = 1;
    private static final Duration HOLD = Duration.ofSeconds(TIMEOUT_SECONDS + 2);

    @Inject
    EventStore store;

    @TestHTTPResource("/")
    URL server;

    private final String service = "retry-" + UUID.randomUUID().toString().substring(0, 8);
    private HttpServer proxy;
    private final List<String> forwardedIds = new CopyOnWriteArrayList<>();
    private final List<Integer> serverAnswers = new CopyOnWriteArrayList<>();
    private final CountDownLatch forwarded = new CountDownLatch(1);

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.stop(0);
        }
    }

    private String startProxy(Mode mode) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String upstream = server.toString().replaceAll("/+$", "");
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.setExecutor(Executors.newCachedThreadPool());
        proxy.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                ObjectNode json = (ObjectNode) Tools.MAPPER.readTree(body);
                forwardedIds.add(json.path("id").asText());
                if (mode == Mode.STORE_WITH_SERVER_DEFAULTS_THEN_DELAY) {
                    json.remove(List.of("timestamp", "node"));
                    body = Tools.MAPPER.writeValueAsBytes(json);
                }
                if (mode == Mode.DELAY_THEN_STORE) {
                    Thread.sleep(HOLD.toMillis());
                }
                HttpResponse<byte[]> answer = client
                        .send(HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI()))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(), HttpResponse.BodyHandlers.ofByteArray());
                serverAnswers.add(answer.statusCode());
                forwarded.countDown();
                if (mode != Mode.DELAY_THEN_STORE) {
                    Thread.sleep(HOLD.toMillis());
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
                exchange.getResponseBody().write(answer.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the library hung up after its timeout: expected
            } finally {
                exchange.close();
            }
        });
        proxy.start();
        return "http://127.0.0.1:" + proxy.getAddress().getPort();
    }

    private Map<String, String> env(String url) {
        Map<String, String> env = new HashMap<>();
        env.put("HOMELAB_EVENTS_DIR", store.root().toString());
        env.put("HOMELAB_NODE", "pi-retry");
        env.put("HOMELAB_EVENTS_URL", url);
        env.put("HOMELAB_EVENTS_TIMEOUT", String.valueOf(TIMEOUT_SECONDS));
        env.put("PYTHONPATH", Tools.TOOLS.toString());
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");
        return env;
    }

    private List<Path> filesOf(String id) throws IOException {
        try (Stream<Path> s = Files.find(store.root(), 3,
                (p, a) -> p.getFileName().toString().endsWith("_" + id + ".json"))) {
            return s.toList();
        }
    }

    private List<Path> filesOfService() throws IOException {
        try (Stream<Path> s = Files.find(store.root(), 3, (p, a) -> a.isRegularFile() && p.toString().endsWith(".json"))) {
            List<Path> out = new ArrayList<>();
            for (Path p : s.toList()) {
                if (Files.readString(p).contains("\"service\":\"" + service + "\"")) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0} library, {1}")
    @CsvSource({ "bash, STORE_THEN_DELAY", "bash, STORE_WITH_SERVER_DEFAULTS_THEN_DELAY", "bash, DELAY_THEN_STORE",
            "python, STORE_THEN_DELAY", "python, STORE_WITH_SERVER_DEFAULTS_THEN_DELAY", "python, DELAY_THEN_STORE" })
    void aServerThatAnswersTooLateNeverYieldsASecondEvent(String library, Mode mode) throws Exception {
        Tools.assumeInstalled("bash", "python3", "curl");
        String url = startProxy(mode);

        List<String> command = library.equals("bash")
                ? Tools.bashEmit(List.of("deployment_failed", "error", "sh-lib", service, "retry-chain",
                        "{\"stage\":\"verify\"}"))
                : List.of("python3", "-c", PYTHON_EMIT, service);
        Tools.Result r = Tools.run(command, env(url), Duration.ofMinutes(1));
        assertEquals(0, r.exitCode(), r.describe());
        String id = r.stdout().strip();
        assertTrue(id.matches("[0-9a-f-]{36}"), r.describe());

        assertTrue(forwarded.await(1, TimeUnit.MINUTES), "the proxy passed the request on");
        assertEquals(List.of(id), forwardedIds, "the library sent the id it then printed");
        List<Path> files = filesOf(id);
        assertEquals(1, files.size(), "exactly one file for the event: " + files + "\n" + r.describe());
        assertEquals(1, filesOfService().size(), "and no other event of this service: " + filesOfService());
        int answer = serverAnswers.get(0);
        if (mode == Mode.DELAY_THEN_STORE) {
            // the library's file was there first: the server took the request for a retry of it
            assertEquals(200, answer, "the server found the id stored and wrote nothing");
        } else {
            // 201 when the server wrote first (the usual case); 200 when it was slower than the library's timeout
            // and found the library's file under the same name
            assertTrue(answer == 201 || answer == 200, "the server stored the event or found it: " + answer);
        }
    }

    private static final String PYTHON_START = """
            import sys
            from scripts.lib.events import record_remediation, EventConflictError
            try:
                print(record_remediation("start", sys.argv[1], sys.argv[2], "restart_service", "py-agent")["id"])
            except EventConflictError as e:
                print("conflict", e.field)
                sys.exit(3)
            """;

    @Test
    void recordRemediationInServerModeGoesThroughTheServerWhichRefusesAnOpenStep() throws Exception {
        Tools.assumeInstalled("bash", "python3", "curl");
        Map<String, String> env = env(server.toString().replaceAll("/+$", ""));
        Path local = Files.createTempDirectory("retries-local").resolve("events");
        env.put("HOMELAB_EVENTS_DIR", local.toString()); // anything written here would be a fallback
        String cid = "server-mode-steps-" + UUID.randomUUID();
        List<String> bashStart = List.of("bash", "-c", "source \"$0\"; record_remediation \"$@\"", Tools.LIB_SH.toString(),
                "start", cid, service, "restart_service", "sh-agent");

        Tools.Result started = Tools.run(bashStart, env, Duration.ofMinutes(1));
        assertEquals(0, started.exitCode(), started.describe());
        String id = started.stdout().strip();
        io.restassured.RestAssured.given().get("/api/events/{id}", id).then().statusCode(200)
                .body("type", org.hamcrest.Matchers.equalTo("remediation_started"))
                .body("payload.actor", org.hamcrest.Matchers.equalTo("sh-agent"));

        Tools.Result again = Tools.run(bashStart, env, Duration.ofMinutes(1));
        assertEquals(3, again.exitCode(), again.describe());
        assertTrue(again.stderr().contains("409") && again.stderr().contains("already open"), again.describe());
        Tools.Result py = Tools.run(List.of("python3", "-c", PYTHON_START, cid, service), env, Duration.ofMinutes(1));
        assertEquals(3, py.exitCode(), py.describe());
        assertEquals("conflict step", py.stdout().strip());
        assertTrue(!Files.exists(local), "nothing went to the local fallback store");
    }

    @Test
    void aChosenIdStoredWithOtherContentIsAConflictForBothLibraries() throws Exception {
        Tools.assumeInstalled("bash", "python3", "curl");
        String url = server.toString().replaceAll("/+$", "");
        String id = UUID.randomUUID().toString();
        List<String> first = Tools.bashEmit(List.of("deployment_failed", "error", "py-lib", service, "retry-chain",
                "{\"stage\":\"verify\"}", id));
        Tools.Result r = Tools.run(first, env(url), Duration.ofMinutes(1));
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(id, r.stdout().strip());
        // the same again (the library's retry): the same id, nothing new
        r = Tools.run(first, env(url), Duration.ofMinutes(1));
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(id, r.stdout().strip());

        Tools.Result conflict = Tools.run(Tools.bashEmit(List.of("deployment_failed", "error", "py-lib", service,
                "retry-chain", "{\"stage\":\"other\"}", id)), env(url), Duration.ofMinutes(1));
        assertEquals(3, conflict.exitCode(), conflict.describe());
        assertTrue(conflict.stderr().contains("409") && conflict.stderr().contains("different content"),
                conflict.describe());
        Tools.Result py = Tools.run(List.of("python3", "-c", PYTHON_CONFLICT, service, id), env(url), Duration.ofMinutes(1));
        assertEquals(3, py.exitCode(), py.describe());
        assertEquals("conflict id", py.stdout().strip(), py.describe());

        // locally too (no server): the library compares what is stored
        Map<String, String> local = env(url);
        local.remove("HOMELAB_EVENTS_URL");
        assertEquals(3, Tools.run(Tools.bashEmit(List.of("deployment_failed", "error", "py-lib", service, "retry-chain",
                "{\"stage\":\"other\"}", id)), local, Duration.ofMinutes(1)).exitCode());
        assertEquals(3, Tools.run(List.of("python3", "-c", PYTHON_CONFLICT, service, id), local, Duration.ofMinutes(1))
                .exitCode());
        assertEquals(1, filesOf(id).size());
        JsonNode stored = Tools.MAPPER.readTree(filesOf(id).get(0).toFile());
        assertEquals("verify", stored.path("payload").path("stage").asText());
    }
}
