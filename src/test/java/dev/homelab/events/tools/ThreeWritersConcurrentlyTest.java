package dev.homelab.events.tools;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The server (two threads posting to its REST face), bash loops and a Python loop append events into one store
 * at the same time. Afterwards every acknowledged event exists exactly once, as one complete line, no temporary
 * file is left, and the server has indexed every file. The default run writes 200 events per language; the
 * soak ({@code ./mvnw -Psoak verify}) writes 2,000 per language ({@code -Dtools.concurrent.events} changes it).
 */
@QuarkusTest
@TestProfile(SharedVectorsTest.VectorsServer.class)
class ThreeWritersConcurrentlyTest {

    private static final String BASH_LOOP = """
            source "$0"
            loop() {
              local i
              for ((i = 0; i < $1; i++)); do
                emit_event deployment_started info "bash-loop-$2" mosquitto "cid-bash" "{\\"i\\": $i, \\"loop\\": $2}" || return 1
              done
            }
            half=$(($1 / 2))
            loop "$half" 1 & a=$!
            loop "$(($1 - half))" 2 & b=$!
            wait "$a" && wait "$b"
            """;

    private static final String PYTHON_LOOP = """
            import sys
            from scripts.lib.events import emit_event
            for i in range(int(sys.argv[1])):
                e = emit_event("service_unhealthy", "warning", "python-loop", "ollama", "cid-python", {"i": i})
                print(e["id"], flush=True)
            """;

    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
    private static final Pattern NAME = Pattern
            .compile(
                    "[0-9]{8}T[0-9]{6}\\.[0-9]{6}Z_[a-z_]+_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.json");

    @TestHTTPResource("/api/events")
    URL events;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    @Timeout(600)
    void javaBashAndPythonWriteIntoOneStoreAtOnceAndEveryEventExistsOnce() throws Exception {
        run(200, "small");
    }

    @Test
    @Tag("soak")
    @Timeout(1800)
    void soakJavaBashAndPythonWriteThousandsIntoOneStoreAtOnce() throws Exception {
        run(Integer.getInteger("tools.concurrent.events", 2000), "soak");
    }

    private void run(int count, String label) throws Exception {
        Tools.assumeInstalled("bash", "python3");
        JsonNode vectors = Tools.vectors();
        Path root = Path.of(given().get("/api/store").then().statusCode(200).extract().<String>path("root"));
        Map<String, String> nodes = Map.of("java", label + "-java-node", "bash", label + "-bash-node", "python",
                label + "-python-node");
        long started = System.nanoTime();

        Map<String, String> shEnv = new HashMap<>(Tools.libraryEnv(root, vectors));
        shEnv.put("HOMELAB_NODE", nodes.get("bash"));
        Tools.Running bash = Tools.start(List.of("bash", "-c", BASH_LOOP, Tools.LIB_SH.toString(), String.valueOf(count)),
                shEnv);
        Map<String, String> pyEnv = new HashMap<>(Tools.libraryEnv(root, vectors));
        pyEnv.put("HOMELAB_NODE", nodes.get("python"));
        Tools.Running python = Tools.start(List.of("python3", "-c", PYTHON_LOOP, String.valueOf(count)), pyEnv);

        Set<String> javaIds = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            int n = thread == 0 ? count / 2 : count - count / 2;
            threads.add(pool.submit(() -> {
                for (int i = 0; i < n; i++) {
                    String body = "{\"node\":\"" + nodes.get("java") + "\",\"type\":\"deployment_completed\",\"severity\":"
                            + "\"info\",\"source\":\"java-thread-" + thread + "\",\"service\":\"mosquitto\",\"correlation_id\":"
                            + "\"cid-java\",\"payload\":{\"i\":" + i + ",\"thread\":" + thread + "}}";
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(events.toString()))
                            .timeout(Duration.ofMinutes(1)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(201, r.statusCode(), r.body());
                    Matcher m = ID.matcher(r.body());
                    assertTrue(m.find(), r.body());
                    javaIds.add(m.group(1));
                }
                return null;
            }));
        }
        for (Future<?> f : threads) {
            f.get();
        }
        pool.shutdown();
        long javaDone = System.nanoTime();
        Tools.Result py = python.await(Duration.ofMinutes(20));
        long pyDone = System.nanoTime();
        Tools.Result sh = bash.await(Duration.ofMinutes(20));
        long shDone = System.nanoTime();
        assertEquals(0, py.exitCode(), py.describe());
        assertEquals(0, sh.exitCode(), sh.describe());

        Map<String, Set<String>> acknowledged = Map.of("java", javaIds, "python", new HashSet<>(py.lines()), "bash",
                new HashSet<>(sh.lines()));
        Set<String> all = new HashSet<>();
        for (Map.Entry<String, Set<String>> e : acknowledged.entrySet()) {
            assertEquals(count, e.getValue().size(), e.getKey() + " acknowledged distinct ids");
            all.addAll(e.getValue());
        }
        assertEquals(3 * count, all.size(), "ids are distinct across the three writers");

        // on disk: under each writer's node, one complete line per acknowledged id, and nothing else
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> writer : nodes.entrySet()) {
            Map<String, Integer> seen = new HashMap<>();
            List<Path> files;
            try (Stream<Path> s = Files.find(root, 3, (p, a) -> a.isRegularFile() && root.relativize(p).getNameCount() == 3
                    && p.getParent().getFileName().toString().equals(writer.getValue()))) {
                files = s.toList();
            }
            for (Path file : files) {
                Matcher m = NAME.matcher(file.getFileName().toString());
                if (!m.matches()) {
                    problems.add(writer.getKey() + ": not an event file name (a temporary file left?): " + file);
                    continue;
                }
                seen.merge(m.group(1), 1, Integer::sum);
                String text = Files.readString(file, StandardCharsets.UTF_8);
                List<String> fields = new ArrayList<>();
                try {
                    Tools.MAPPER.readTree(text).fieldNames().forEachRemaining(fields::add);
                } catch (java.io.IOException e) {
                    problems.add(writer.getKey() + ": not one JSON document: " + file + ": " + e.getMessage());
                }
                if (!text.endsWith("}\n") || text.indexOf('\n') != text.length() - 1 || !fields.equals(List.of("timestamp",
                        "node", "type", "severity", "source", "service", "correlation_id", "payload"))) {
                    problems.add(writer.getKey() + ": not one complete event line: " + file);
                }
            }
            if (!seen.keySet().equals(acknowledged.get(writer.getKey()))) {
                problems.add(writer.getKey() + ": " + seen.size() + " ids on disk, " + acknowledged.get(writer.getKey()).size()
                        + " acknowledged, and they are not the same ids");
            }
            seen.forEach((id, n) -> {
                if (n != 1) {
                    problems.add(writer.getKey() + ": id " + id + " stored " + n + " times");
                }
            });
        }
        assertEquals(List.of(), problems);

        // the server indexed every file: its own and those written behind its back
        Awaitility.await("the server has indexed every event of the three writers").atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> nodes.values().stream().allMatch(node -> given().queryParam("node", node).queryParam("limit", 1)
                        .get("/api/events").then().extract().<Integer>path("total") == count));
        System.out.printf("[tools] %d events each from the server, bash and Python into one store (%s): java %.1f s, "
                + "python %.1f s, bash %.1f s, all checked%n", count, label, (javaDone - started) / 1e9,
                (pyDone - started) / 1e9, (shDone - started) / 1e9);
    }
}
