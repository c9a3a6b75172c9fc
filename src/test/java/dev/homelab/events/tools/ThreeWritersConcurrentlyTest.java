package dev.homelab.events.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.TestEvents;
import dev.homelab.events.service.EventValidator;
import dev.homelab.events.storage.EventFiles;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.ReadResult;

/**
 * Java store threads, bash loops and a Python loop append thousands of events into one store at the same
 * time. Afterwards every acknowledged event exists exactly once, every file is read by the Java store, and
 * no temporary file is left. The count per language is {@code -Dtools.concurrent.events} (default 2000).
 */
class ThreeWritersConcurrentlyTest {

    private static final int EVENTS = Integer.getInteger("tools.concurrent.events", 2000);

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

    @TempDir
    Path tmp;

    @Test
    @Timeout(600)
    void javaBashAndPythonWriteThousandsIntoOneStoreAndEveryEventExistsOnce() throws Exception {
        Tools.assumeInstalled("bash", "python3");
        JsonNode vectors = Tools.vectors();
        Path root = tmp.resolve("store");
        long started = System.nanoTime();

        Map<String, String> shEnv = new HashMap<>(Tools.libraryEnv(root, vectors));
        shEnv.put("HOMELAB_NODE", "bash-node");
        Tools.Running bash = Tools.start(List.of("bash", "-c", BASH_LOOP, Tools.LIB_SH.toString(), String.valueOf(EVENTS)),
                shEnv);
        Map<String, String> pyEnv = new HashMap<>(Tools.libraryEnv(root, vectors));
        pyEnv.put("HOMELAB_NODE", "python-node");
        Tools.Running python = Tools.start(List.of("python3", "-c", PYTHON_LOOP, String.valueOf(EVENTS)), pyEnv);

        Files.createDirectories(root); // the server creates its root at start; the libraries create it as needed
        EventStore store = TestEvents.store(root);
        EventValidator validator = Tools.validator(vectors);
        Set<String> javaIds = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            int count = thread == 0 ? EVENTS / 2 : EVENTS - EVENTS / 2;
            threads.add(pool.submit(() -> {
                for (int i = 0; i < count; i++) {
                    ObjectNode payload = Tools.MAPPER.createObjectNode().put("i", i).put("thread", thread);
                    Event e = validator.toEvent(new EventDraft(null, "java-node", "deployment_completed", "info",
                            "java-thread-" + thread, "mosquitto", "cid-java", payload));
                    store.append(e);
                    javaIds.add(e.id().toString());
                }
                return null;
            }));
        }
        for (Future<?> f : threads) {
            f.get();
        }
        pool.shutdown();
        long javaDone = System.nanoTime();
        Tools.Result py = python.await(Duration.ofMinutes(8));
        long pyDone = System.nanoTime();
        Tools.Result sh = bash.await(Duration.ofMinutes(8));
        long shDone = System.nanoTime();
        assertEquals(0, py.exitCode(), py.describe());
        assertEquals(0, sh.exitCode(), sh.describe());

        List<String> pyIds = py.lines();
        List<String> shIds = sh.lines();
        assertEquals(EVENTS, javaIds.size(), "java acknowledged");
        assertEquals(EVENTS, pyIds.size(), "python acknowledged");
        assertEquals(EVENTS, shIds.size(), "bash acknowledged");
        Set<String> acknowledged = new HashSet<>(javaIds);
        acknowledged.addAll(pyIds);
        acknowledged.addAll(shIds);
        assertEquals(3 * EVENTS, acknowledged.size(), "ids are distinct across the three writers");

        // the store's own scan: every file is a candidate (no temp file, nothing foreign), each read as an event
        List<String> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Integer> perNode = new HashMap<>();
        store.scan(entry -> {
            if (entry instanceof EventFiles.Entry.Candidate c) {
                ReadResult r = store.read(c.relativePath());
                if (r instanceof ReadResult.Ok ok) {
                    seen.merge(ok.event().id().toString(), 1, Integer::sum);
                    perNode.merge(ok.event().node(), 1, Integer::sum);
                } else {
                    problems.add(c.relativePath() + ": " + r);
                }
            } else {
                problems.add(entry.toString());
            }
        });
        assertEquals(List.of(), problems, "every file parses, no temporary or stray file is left");
        assertEquals(acknowledged, seen.keySet(), "every acknowledged event is on disk, and nothing else");
        assertTrue(seen.values().stream().allMatch(n -> n == 1), "each event exactly once");
        assertEquals(Map.of("java-node", EVENTS, "python-node", EVENTS, "bash-node", EVENTS), perNode);
        System.out.printf("[tools] %d events each from Java, bash and Python into one store: java %.1f s, python %.1f s,"
                + " bash %.1f s, all checked%n", EVENTS, (javaDone - started) / 1e9, (pyDone - started) / 1e9,
                (shDone - started) / 1e9);
    }
}
