package dev.homelab.events.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.homelab.events.it.PackagedServer;
import dev.homelab.events.storage.EventFileName;

/**
 * Two real server processes: the packaged application ({@code target/quarkus-app/quarkus-run.jar}) started
 * twice on free ports with separate stores and node names, configured as each other's peer through the
 * documented environment variables. Run by failsafe in {@code verify}, after packaging. Each scenario starts
 * server processes several times, so it gets a longer deadline than the default three minutes.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class TwoNodeSyncIT {

    private static final Path JAR = PackagedServer.JAR;
    private static final String TOKEN_A = "token-of-a";
    private static final String TOKEN_B = "token-of-b";
    /** Generous ceilings for every wait: they bound a hang, they do not measure speed. */
    private static final Duration READY = Duration.ofMinutes(3);
    private static final Duration CEILING = Duration.ofMinutes(3);

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> started = new ArrayList<>();

    /** One node's fixed identity; {@link #start()} launches a fresh process for it. */
    final class Node {
        final String name;
        final int port;
        final Path root;
        final Map<String, String> env = new HashMap<>();
        Process process;
        int starts;

        Node(String name, int port) {
            this.name = name;
            this.port = port;
            this.root = tmp.resolve(name);
        }

        void peer(Node other, String token) {
            env.put("HOMELAB_SYNC_PEERS_PEER_URL", "http://127.0.0.1:" + other.port);
            env.put("HOMELAB_SYNC_PEERS_PEER_NODE", other.name);
            env.put("HOMELAB_SYNC_PEERS_PEER_TOKEN", token);
        }

        Node start() throws IOException {
            Path log = Path.of("target", "it-logs", "TwoNodeSyncIT-" + port + "-" + name + "-" + (++starts) + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString());
            pb.environment().put("HOMELAB_EVENTS_DIR", root.toString());
            // each node's own audit key in a directory of its own (its peers' pinned keys go beside it), never in
            // the user's ~/.config
            pb.environment().put("HOMELAB_AUDIT_KEY_FILE", tmp.resolve(name + "-keys").resolve("audit.key").toString());
            pb.environment().put("HOMELAB_NODE", name);
            pb.environment().put("HOMELAB_EVENTS_TOKEN", name.equals("node-a") ? TOKEN_A : TOKEN_B);
            pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
            pb.environment().put("HOMELAB_EVENTS_RESCAN_INTERVAL", "PT0.5S");
            pb.environment().put("HOMELAB_SYNC_INTERVAL", "PT1S"); // the scheduler runs at most once a second
            pb.environment().put("HOMELAB_SYNC_BACKOFF_INITIAL", "PT0.5S");
            pb.environment().put("HOMELAB_SYNC_BACKOFF_MAX", "PT1S");
            pb.environment().put("HOMELAB_ARCHIVE_ENABLED", "false");
            pb.environment().putAll(env);
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
            process = pb.start();
            started.add(process);
            return this;
        }

        void awaitReady() {
            await(name + " ready", READY, () -> {
                if (!process.isAlive()) {
                    fail(name + " exited with " + process.exitValue() + "; see target/it-logs");
                }
                return status("/q/health/ready") == 200;
            });
        }

        void stop() throws InterruptedException {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), name + " did not stop");
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        }

        int status(String path) {
            try {
                return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        JsonNode get(String path) throws IOException, InterruptedException {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), path + ": " + new String(r.body()));
            return Fixtures.MAPPER.readTree(r.body());
        }

        void emit(String timestamp) throws IOException, InterruptedException {
            String body = "{" + (timestamp == null ? "" : "\"timestamp\":\"" + timestamp + "\",")
                    + "\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"it\",\"service\":\"web\",\"payload\":{}}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/events")).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + (name.equals("node-a") ? TOKEN_A : TOKEN_B))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, r.statusCode(), r.body());
        }

        String peerState() {
            try {
                return get("/api/sync/status").path("peers").path(0).path("state").asText();
            } catch (IOException | InterruptedException | AssertionError e) {
                return "unknown";
            }
        }

        private URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (Process p : started) {
            p.waitFor(30, TimeUnit.SECONDS); // gone before JUnit deletes their stores
        }
    }

    @Test
    @Timeout(1800)
    void bothSidesEmitWhileTheOtherIsStoppedAndEndWithTheUnionAndOneTransitionEach() throws Exception {
        requireJar();
        Node a = new Node("node-a", freePort());
        Node b = new Node("node-b", freePort());
        a.peer(b, TOKEN_B);
        b.peer(a, TOKEN_A);
        // the window is wider than a cold start on a loaded machine, so starting the two processes is not an outage
        a.env.put("HOMELAB_SYNC_HEARTBEAT_WINDOW", "PT30S");
        b.env.put("HOMELAB_SYNC_HEARTBEAT_WINDOW", "PT30S");
        a.start();
        b.start();
        a.awaitReady();
        b.awaitReady();
        a.emit(null);
        b.emit(null);
        awaitUnion(a, b);

        b.stop();
        a.emit(null);
        a.emit("2026-01-02T03:04:05Z"); // a late event with an old timestamp
        await("node-a sees node-b offline", CEILING, () -> a.peerState().equals("offline"));
        b.start().awaitReady();
        awaitUnion(a, b);
        await("node-a sees node-b online", CEILING, () -> a.peerState().equals("online"));

        a.stop();
        b.emit(null);
        b.emit("2026-01-03T03:04:05Z");
        await("node-b sees node-a offline", CEILING, () -> b.peerState().equals("offline"));
        a.start().awaitReady();
        awaitUnion(a, b);
        await("node-b sees node-a online", CEILING, () -> b.peerState().equals("online"));
        awaitUnion(a, b);

        Map<String, byte[]> files = Fixtures.files(a.root);
        assertEquals(6 + 4, files.size(), "6 emitted events and one node_offline and one node_online per outage");
        assertNoDuplicateIds(files);
        for (Node n : List.of(a, b)) {
            Map<String, Integer> transitions = transitions(Fixtures.files(n.root));
            assertEquals(
                    Map.of("node_offline node-b", 1, "node_online node-b", 1, "node_offline node-a", 1, "node_online node-a",
                            1),
                    transitions, "in the store of " + n.name);
            assertEquals(2, n.get("/api/events?type=node_offline").path("total").asInt());
            assertEquals(10, n.get("/api/events?limit=100").path("total").asInt());
        }
    }

    @Test
    @Timeout(1200)
    void aPullInterruptedByAKilledPeerResumesWithoutLossOrDuplication() throws Exception {
        requireJar();
        Node a = new Node("node-a", freePort());
        Node b = new Node("node-b", freePort());
        a.peer(b, TOKEN_B);
        b.peer(a, TOKEN_A);
        a.env.put("HOMELAB_SYNC_PAGE_SIZE", "2");
        a.env.put("HOMELAB_SYNC_HEARTBEAT_WINDOW", "PT1H");
        b.env.put("HOMELAB_SYNC_HEARTBEAT_WINDOW", "PT1H");
        int total = 400;
        Fixtures.Node seed = Fixtures.Node.at(b.root);
        for (int i = 0; i < total; i++) {
            seed.emit(Instant.parse("2026-03-01T00:00:00Z").plusSeconds(i * 997L), "node-b", null);
        }
        Map<String, byte[]> original = Fixtures.files(b.root);
        b.start().awaitReady();
        a.start();
        await("node-a has pulled part of node-b", READY, () -> countFiles(a.root) > 0);
        b.kill();
        int atKill = countFiles(a.root);
        System.out.printf("TwoNodeSyncIT: peer killed after %d of %d files were pulled%n", atKill, total);
        assertTrue(atKill < total, "the pull finished before the peer could be killed (" + atKill + " files); "
                + "this test needs a pull that takes longer than the kill");
        a.awaitReady();
        Map<String, byte[]> partial = Fixtures.files(a.root);
        partial.forEach(
                (path, bytes) -> assertArrayEquals(original.get(path), bytes, "a partial pull holds exact copies: " + path));

        b.start().awaitReady();
        awaitUnion(a, b);
        assertEquals(original.keySet(), Fixtures.files(a.root).keySet());
        assertNoDuplicateIds(Fixtures.files(a.root));
        JsonNode peer = a.get("/api/sync/status").path("peers").path(0);
        assertEquals(total, peer.path("events_pulled").asInt(), "every file written exactly once: " + peer);
        assertEquals(0, peer.path("conflicts").asInt());
        assertEquals(0, peer.path("lag_events").asInt());
    }

    /**
     * Issue 16, across nodes: node-a pins node-b's audit key at first contact; once node-b presents another key (its
     * key file lost, a new one made at its next start), node-a imports nothing more from it and its sync status says
     * why.
     */
    @Test
    @Timeout(900)
    void aPeerWhoseAuditKeyChangedIsReportedAndNothingMoreIsImported() throws Exception {
        requireJar();
        Node a = new Node("node-a", freePort());
        Node b = new Node("node-b", freePort());
        a.peer(b, TOKEN_B);
        a.env.put("HOMELAB_SYNC_HEARTBEAT_WINDOW", "PT1H");
        b.env.put("HOMELAB_SYNC_HEARTBEAT_WINDOW", "PT1H");
        a.start();
        b.start();
        a.awaitReady();
        b.awaitReady();
        b.emit(null);
        await("node-a pulled node-b's event", CEILING, () -> countFiles(a.root) == 1);
        Path pin = tmp.resolve("node-a-keys").resolve("audit-peers").resolve("peer.pub");
        String pinned = Files.readString(pin);
        assertEquals(b.get("/api/audit/public-key").path("pem").asText(), pinned);

        b.stop();
        Files.delete(tmp.resolve("node-b-keys").resolve("audit.key"));
        b.start().awaitReady();
        b.emit(null);
        await("node-a reports the changed key", CEILING, () -> a.get("/api/sync/status").path("peers").path(0)
                .path("last_error").asText().contains("presents another audit key"));
        String error = a.get("/api/sync/status").path("peers").path(0).path("last_error").asText();
        assertTrue(error.contains(pin.toString()), error);
        assertEquals(1, countFiles(a.root), "nothing imported from the peer with the changed key");
        assertEquals(pinned, Files.readString(pin), "the pin is kept");
    }

    /**
     * Issue 16, across nodes: sync carries the peer's digests. node-b closes two past days, then one file of the
     * second is changed on node-b. node-a imports the honest day (and keeps node-b's digest, which its own
     * verification then checks), refuses the page of the changed day with a status naming the file, imports nothing
     * of it, and imports it once node-b's file is restored.
     */
    @Test
    @Timeout(900)
    void aFileChangedOnThePeerAfterItsDayClosedIsReportedAndNotImported() throws Exception {
        requireJar();
        Node a = new Node("node-a", freePort());
        Node b = new Node("node-b", freePort());
        a.peer(b, TOKEN_B);
        a.env.put("HOMELAB_SYNC_HEARTBEAT_WINDOW", "PT1H");
        a.env.put("HOMELAB_SYNC_PAGE_SIZE", "2"); // the honest day's two files, then the changed day's one
        b.env.put("HOMELAB_SYNC_HEARTBEAT_WINDOW", "PT1H");
        b.env.put("HOMELAB_AUDIT_CLOSE_INTERVAL", "PT1S");
        b.start().awaitReady();
        b.emit("2026-01-10T10:00:00Z");
        b.emit("2026-01-10T11:00:00Z");
        b.emit("2026-01-11T10:00:00Z");
        await("node-b closed both days", CEILING, () -> Files.exists(b.root.resolve(".audit/2026-01-10/node-b.digest"))
                && Files.exists(b.root.resolve(".audit/2026-01-11/node-b.digest")));
        String victim = Fixtures.files(b.root).keySet().stream().filter(p -> p.startsWith("2026-01-11/")).findFirst()
                .orElseThrow();
        Path victimFile = b.root.resolve(victim);
        byte[] original = Files.readAllBytes(victimFile);
        Files.writeString(victimFile, new String(original, java.nio.charset.StandardCharsets.UTF_8).replace("\"web\"",
                "\"wab\""));

        a.start().awaitReady();
        await("node-a reports the changed file", CEILING, () -> a.get("/api/sync/status").path("peers").path(0)
                .path("last_error").asText().contains(victim));
        String error = a.get("/api/sync/status").path("peers").path(0).path("last_error").asText();
        assertTrue(error.contains("differs from the peer's seal"), error);
        Map<String, byte[]> here = Fixtures.files(a.root);
        assertEquals(Set.of("2026-01-10"), here.keySet().stream().map(p -> p.substring(0, 10))
                .collect(java.util.stream.Collectors.toSet()), "the honest day only: " + here.keySet());
        assertEquals(2, here.size());
        assertTrue(Files.exists(a.root.resolve(".audit/peers/node-b/2026-01-10/node-b.digest")));
        JsonNode verify = a.get("/api/audit/verify");
        assertTrue(verify.path("ok").asBoolean(), verify.toString());

        Files.write(victimFile, original);
        await("node-a imports the restored file", CEILING, () -> countFiles(a.root) == 3);
        assertTrue(Files.exists(a.root.resolve(".audit/peers/node-b/2026-01-11/node-b.digest")));
        verify = a.get("/api/audit/verify");
        assertTrue(verify.path("ok").asBoolean(), verify.toString());
    }

    private static void requireJar() {
        assertTrue(Files.isRegularFile(JAR), "run `./mvnw verify` so that " + JAR + " is packaged before this test");
    }

    private void awaitUnion(Node a, Node b) {
        await("both stores hold the same files", CEILING, () -> {
            Map<String, byte[]> fa = Fixtures.files(a.root);
            Map<String, byte[]> fb = Fixtures.files(b.root);
            if (!fa.keySet().equals(fb.keySet())) {
                return false;
            }
            for (Map.Entry<String, byte[]> e : fa.entrySet()) {
                assertArrayEquals(e.getValue(), fb.get(e.getKey()), "same path, different bytes: " + e.getKey());
            }
            return true;
        });
    }

    private static void assertNoDuplicateIds(Map<String, byte[]> files) {
        Set<java.util.UUID> ids = new HashSet<>();
        for (String path : files.keySet()) {
            java.util.UUID id = EventFileName.parse(Path.of(path).getFileName().toString()).orElseThrow().id();
            assertTrue(ids.add(id), "duplicate id " + id);
        }
    }

    private static Map<String, Integer> transitions(Map<String, byte[]> files) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        for (byte[] bytes : files.values()) {
            JsonNode e = Fixtures.MAPPER.readTree(bytes);
            String type = e.path("type").asText();
            if (type.startsWith("node_")) {
                out.merge(type + " " + e.path("node").asText(), 1, Integer::sum);
            }
        }
        return out;
    }

    private static int countFiles(Path root) {
        try {
            return Fixtures.files(root).size();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0; // a temp file vanished mid-walk: count again
        }
    }

    private static int freePort() throws IOException {
        return PackagedServer.freePort();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /**
     * Polls {@code check} until it holds, with a generous ceiling (a loaded machine is slow, not wrong). An
     * AssertionError inside the check fails at once; other exceptions mean "not yet".
     */
    private static void await(String what, Duration max, Check check) {
        Awaitility.await(what + " (see target/it-logs)").atMost(max).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsMatching(e -> !(e instanceof AssertionError)).until(check::ok);
    }
}
