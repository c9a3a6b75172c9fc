package dev.homelab.events.tools;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.homelab.events.storage.EventStore;

/**
 * Starting one remediation step is atomic across processes and languages: in every round the Java server (two
 * requests), two bash processes and two Python processes race to start the same step of the same chain on one
 * store, and exactly one {@code remediation_started} is written; the others are refused as "already open". The
 * step is then completed, so the next round is the step's next run (a completed step starts again).
 */
@QuarkusTest
@TestProfile(RemediationRaceAcrossLanguagesTest.OwnStore.class)
class RemediationRaceAcrossLanguagesTest {

    /** A store no other test class writes to: the libraries read the whole store for a chain. */
    public static class OwnStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("homelab.events.dir", Files.createTempDirectory("remediation-race").resolve("events").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final int ROUNDS = 20;
    private static final String SERVICE = "mosquitto";
    private static final String STEP = "restart-mosquitto";

    /** Waits for the go file, then tries to start the step; exit 0 with the id when it won, 3 when refused. */
    private static final String BASH_RACER = """
            source "$0"
            : >"$1"
            while [[ ! -e $2 ]]; do sleep 0.002; done
            record_remediation start "$3" %s restart_service "$4" %s
            """.formatted(SERVICE, STEP);

    private static final String PYTHON_RACER = """
            import os, sys, time
            from scripts.lib.events import record_remediation, EventConflictError
            open(sys.argv[1], "w").close()
            while not os.path.exists(sys.argv[2]):
                time.sleep(0.002)
            try:
                print(record_remediation("start", sys.argv[3], "%s", "restart_service", sys.argv[4], step="%s")["id"])
            except EventConflictError as e:
                print(e, file=sys.stderr)
                sys.exit(3)
            """.formatted(SERVICE, STEP);

    @Inject
    EventStore store;

    @TempDir
    Path tmp;

    private Map<String, String> env(String node) {
        Map<String, String> env = new HashMap<>();
        env.put("HOMELAB_EVENTS_DIR", store.root().toString());
        env.put("HOMELAB_NODE", node);
        env.put("PYTHONPATH", Tools.TOOLS.toString());
        return env;
    }

    private static Response startFromJava(String cid, String actor) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("phase", "start", "correlation_id", cid, "service", SERVICE, "action", "restart_service",
                        "actor", actor, "step", STEP))
                .post("/api/tools/record_remediation");
    }

    /** The remediation_started files of the chain, read from the store (not through any index). */
    private List<Path> startedFiles(String cid) throws IOException {
        try (Stream<Path> s = Files.find(store.root(), 3, (p, a) -> a.isRegularFile()
                && p.getFileName().toString().contains("_remediation_started_"))) {
            List<Path> out = new ArrayList<>();
            for (Path p : s.toList()) {
                if (Files.readString(p).contains("\"correlation_id\":\"" + cid + "\"")) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    @Test
    void javaBashAndPythonRacingToStartOneStepWriteExactlyOneStartedEventPerRound() throws Exception {
        Tools.assumeInstalled("bash", "python3", "sha256sum");
        String cid = "race-" + UUID.randomUUID();
        ExecutorService java = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Path ready = Files.createDirectories(tmp.resolve("ready-" + round));
                Path go = tmp.resolve("go-" + round);
                List<Tools.Running> racers = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    racers.add(Tools.start(List.of("bash", "-c", BASH_RACER, Tools.LIB_SH.toString(),
                            ready.resolve("bash-" + i).toString(), go.toString(), cid, "bash-agent-" + i), env("pi-bash")));
                    names.add("bash-" + i);
                    racers.add(Tools.start(List.of("python3", "-c", PYTHON_RACER, ready.resolve("python-" + i).toString(),
                            go.toString(), cid, "python-agent-" + i), env("pi-python")));
                    names.add("python-" + i);
                }
                await("the racers of round " + round + " are ready").atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(20)).until(() -> {
                            try (Stream<Path> s = Files.list(ready)) {
                                return s.count() == 4;
                            }
                        });
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Response>> fromJava = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    String actor = "java-agent-" + i;
                    fromJava.add(java.submit(() -> {
                        start.await();
                        return startFromJava(cid, actor);
                    }));
                }
                Files.createFile(go);
                start.countDown();

                List<String> winners = new ArrayList<>();
                for (int i = 0; i < racers.size(); i++) {
                    Tools.Result r = racers.get(i).await(Duration.ofMinutes(1));
                    if (r.exitCode() == 0) {
                        winners.add(names.get(i) + " " + r.stdout().strip());
                    } else {
                        assertEquals(3, r.exitCode(), names.get(i) + " is refused, not failed: " + r.describe());
                        assertTrue(r.stderr().contains("already open"), r.describe());
                    }
                }
                for (int i = 0; i < fromJava.size(); i++) {
                    Response r = fromJava.get(i).get();
                    if (r.statusCode() == 200) {
                        winners.add("java-" + i + " " + r.path("id"));
                    } else {
                        assertEquals(409, r.statusCode(), r.asString());
                        assertEquals("step", r.path("errors[0].field"), r.asString());
                    }
                }
                assertEquals(1, winners.size(), "round " + round + ": exactly one starter wins: " + winners);
                List<Path> started = startedFiles(cid);
                assertEquals(round + 1, started.size(), "round " + round + ": one remediation_started more: " + started);
                assertTrue(started.stream().anyMatch(p -> p.getFileName().toString().endsWith(
                        "_" + winners.get(0).substring(winners.get(0).indexOf(' ') + 1) + ".json")), winners + " " + started);

                // complete the run through the server, once its index has seen the start (the next round is run n+1)
                await("the server completes round " + round).atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(100)).until(() -> given().contentType(ContentType.JSON)
                                .body(Map.of("phase", "complete", "correlation_id", cid, "service", SERVICE, "action",
                                        "restart_service", "actor", "java-agent", "step", STEP))
                                .post("/api/tools/record_remediation").statusCode() == 200);
            }
        } finally {
            java.shutdownNow();
        }
        try (Stream<Path> markers = Files.list(store.root().resolve(".locks/remediation"))) {
            assertEquals(ROUNDS, markers.count(), "one marker per run, no temp file left");
        }
    }
}
