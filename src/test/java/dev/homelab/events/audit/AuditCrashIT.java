package dev.homelab.events.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.it.PackagedServer;
import dev.homelab.events.testing.StoreFiles;

/**
 * Crash safety of sealing against the packaged server: SIGKILL while eight writers emit a burst into an open day
 * and into a past day that closes during the burst (so the kill also lands among late arrivals). After the restart
 * the record verifies, with notices at most (late arrivals, a torn line), every event file on disk is sealed, and
 * the offline verifier agrees with the server down; one changed byte then makes it fail, naming the file.
 */
class AuditCrashIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aServerKilledWhileSealingRestartsIntoARecordThatVerifies() throws Exception {
        Path store = tmp.resolve("store");
        Map<String, String> env = Map.of("HOMELAB_AUDIT_SEAL_WINDOW", "PT0.05S", "HOMELAB_AUDIT_CLOSE_INTERVAL", "PT1S",
                "HOMELAB_AUDIT_GRACE", "PT0S");
        String past = LocalDate.now(ZoneOffset.UTC).minusDays(3).toString();
        AtomicInteger acknowledged = new AtomicInteger();
        try (PackagedServer server = new PackagedServer(store, tmp.resolve("server.log"), env).start()) {
            HttpClient http = HttpClient.newHttpClient();
            ExecutorService writers = Executors.newFixedThreadPool(8);
            AtomicLong seq = new AtomicLong();
            for (int w = 0; w < 8; w++) {
                writers.submit(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        long n = seq.incrementAndGet();
                        String ts = n % 2 == 0
                                ? ""
                                : ",\"timestamp\":\"" + past + "T10:" + String.format("%02d:%02d", (n / 60) % 60, n % 60)
                                        + ".000"
                                        + String.format("%03d", n % 1000) + "Z\"";
                        String body = "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"crash-it\","
                                + "\"service\":\"web\",\"payload\":{\"n\":" + n + "}" + ts + "}";
                        try {
                            HttpResponse<String> r = http.send(
                                    HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/events"))
                                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 201) {
                                acknowledged.incrementAndGet();
                            }
                        } catch (IOException e) {
                            return; // the server is gone
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
            // let the past day close during the burst, then kill while seals are queued and being appended
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && !(acknowledged.get() > 400 && Files.exists(
                    store.resolve(".audit").resolve(past).resolve("it-node.digest")))) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(store.resolve(".audit").resolve(past).resolve("it-node.digest")),
                    "the past day closed during the burst:\n" + server.logText());
            Thread.sleep(150);
            server.kill();
            writers.shutdownNow();
            assertTrue(writers.awaitTermination(30, TimeUnit.SECONDS));

            server.start();
            JsonNode report = JSON.readTree(get(http, server.baseUrl() + "/api/audit/verify"));
            assertTrue(report.get("ok").asBoolean(), "no false alarm after the crash: " + report.toPrettyString());
            int onDisk = StoreFiles.events(store).size();
            assertTrue(onDisk >= acknowledged.get(), onDisk + " files for " + acknowledged.get() + " acknowledged events");
            assertEquals(onDisk, report.get("checked").asInt(), "every event file is sealed and checked: " + report);
            System.out.printf("AuditCrashIT: %d acknowledged before the kill, %d event files, %d checked, notices: %s%n",
                    acknowledged.get(), onDisk, report.get("checked").asInt(),
                    report.get("notices").findValuesAsText("kind").stream()
                            .collect(java.util.stream.Collectors.groupingBy(k -> k, java.util.TreeMap::new,
                                    java.util.stream.Collectors.counting())));
            for (JsonNode n : report.get("notices")) {
                String kind = n.get("kind").asText();
                assertTrue(kind.equals("late_arrival") || kind.equals("torn_line") || kind.equals("open_day"),
                        "only notices that are not tampering: " + n);
            }
            Files.writeString(tmp.resolve("node.pub"), JSON.readTree(get(http, server.baseUrl() + "/api/audit/public-key"))
                    .get("pem").asText());
            server.stop();
        }

        // the server is down: the command-line verifier on the store, with only the public key
        Run offline = verify(store, "--public-key", tmp.resolve("node.pub").toString());
        assertEquals(0, offline.status(), offline.out());
        String victim = StoreFiles.events(store).stream().filter(p -> p.startsWith(past)).findFirst().orElseThrow();
        byte[] b = Files.readAllBytes(store.resolve(victim));
        b[b.length - 3] ^= 1;
        Files.write(store.resolve(victim), b);
        Run tampered = verify(store, "--public-key", tmp.resolve("node.pub").toString());
        assertEquals(1, tampered.status(), tampered.out());
        assertTrue(tampered.out().contains("PROBLEM modified " + victim), tampered.out());
    }

    record Run(int status, String out) {
    }

    /** tools/verify, the shell wrapper around the packaged application's classes. */
    static Run verify(Path store, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "tools/verify", store.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    static String get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
