import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the packaged server's class-data archive ({@code app-cds.jsa}) from a real start, not only from Quarkus's
 * static initialization: the runtime start, the index loaded from its snapshot, the HTTP server and a first
 * request of each kind. A restart then loads about 44 MB of classes already parsed and verified instead of about
 * 23 MB (docs/performance.md, "Fast start").
 *
 * <p>
 * An archive is valid only for the JVM that wrote it, so it is trained where it is used: by {@code ./mvnw package}
 * with the build's JVM (pom.xml compiles this file into {@code target/class-archive-trainer} and runs it on
 * {@code target/quarkus-app}), and by the container image's build with the image's JRE (docker/Dockerfile). By
 * hand: {@code java src/build/TrainClassArchive.java target/quarkus-app}. Everything it starts lives in a temporary
 * directory (store, audit key, snapshot) on a free loopback port, and is removed at the end.
 */
public class TrainClassArchive {

    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: TrainClassArchive <the packaged app's directory, target/quarkus-app>");
        }
        Path app = Path.of(args[0]).toAbsolutePath();
        Path archive = app.resolve("app-cds.jsa");
        Path work = Files.createTempDirectory("homelab-class-archive-");
        List<Process> started = new ArrayList<>();
        try {
            Files.deleteIfExists(archive);
            // First start: indexes a few events and writes the index snapshot at shutdown, so the recorded start
            // below takes the path of every later restart (the snapshot, not a scan).
            Server first = Server.start(app, work, List.of(), started);
            for (int i = 0; i < 40; i++) {
                first.post("/api/events", event(i));
            }
            first.stop();
            Server recorded = Server.start(app, work, List.of("-XX:ArchiveClassesAtExit=" + archive), started);
            recorded.post("/api/events", event(40));
            recorded.get("/api/events?limit=20");
            recorded.get("/api/chains/training-chain-1");
            recorded.get("/api/incidents");
            recorded.get("/q/metrics");
            recorded.stop();
            if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
                throw new IllegalStateException("the JVM wrote no class-data archive at " + archive + "; see " + work);
            }
            System.out.printf("[train-class-archive] %s: %,d bytes%n", archive, Files.size(archive));
        } finally {
            for (Process p : started) {
                p.destroyForcibly(); // a training that failed halfway leaves no server behind
                p.waitFor(30, TimeUnit.SECONDS);
            }
            try (Stream<Path> all = Files.walk(work)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String event(int i) {
        return """
                {"type": "%s", "service": "training", "source": "train-class-archive", "severity": "info",
                 "correlation_id": "training-chain-%d", "payload": {"step": %d}}"""
                .formatted(i % 2 == 0 ? "deployment_started" : "deployment_completed", i / 4, i);
    }

    /** One packaged server process on a free port, its output in {@code work/server.log}. */
    private record Server(Process process, String base, HttpClient http) {

        static Server start(Path app, Path work, List<String> jvmArgs, List<Process> started) throws Exception {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx512m");
            command.addAll(jvmArgs);
            command.addAll(List.of("-jar", "quarkus-run.jar"));
            Path log = work.resolve("server.log");
            Files.deleteIfExists(log);
            ProcessBuilder pb = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("HOMELAB_EVENTS_DIR", work.resolve("store").toString());
            pb.environment().put("HOMELAB_AUDIT_KEY_FILE", work.resolve("key/audit-ed25519.key").toString());
            pb.environment().put("HOMELAB_NODE", "training");
            pb.environment().put("HOMELAB_INDEX_SNAPSHOT_MIN_EVENTS", "0");
            pb.environment().put("HOMELAB_ARCHIVE_ENABLED", "false");
            pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
            pb.environment().put("QUARKUS_HTTP_PORT", "0");
            Process p = pb.start();
            started.add(p);
            long until = System.nanoTime() + DEADLINE.toNanos();
            String base = null;
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            while (System.nanoTime() < until) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the server exited during training (" + p.exitValue() + "):\n"
                            + Files.readString(log));
                }
                if (base == null) {
                    Matcher m = LISTENING.matcher(Files.readString(log));
                    base = m.find() ? "http://127.0.0.1:" + m.group(1) : null;
                } else if (ready(http, base)) {
                    return new Server(p, base, http);
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("the server was not ready within " + DEADLINE + ":\n" + Files.readString(log));
        }

        private static boolean ready(HttpClient http, String base) {
            try {
                HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                        .build();
                return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        void post(String path, String json) throws Exception {
            send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)));
        }

        void get(String path) throws Exception {
            send(HttpRequest.newBuilder(URI.create(base + path)).GET());
        }

        private void send(HttpRequest.Builder request) throws Exception {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(r.request().method() + " " + r.request().uri() + ": " + r.statusCode()
                        + " " + r.body());
            }
        }

        /** SIGTERM, as systemd and the container stop it: the snapshot is written and the JVM writes the archive. */
        void stop() throws Exception {
            process.destroy();
            if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the server did not stop within " + DEADLINE);
            }
        }
    }
}
