package dev.homelab.events.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
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
import java.util.concurrent.TimeUnit;

/**
 * The packaged application (target/quarkus-app) as a child process on a free loopback port with its own
 * store: for tests that need a real server process to start, die, restart or talk to another one.
 */
public final class PackagedServer implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private final Path store;
    private final Map<String, String> env;
    private final Path log;
    private int port;
    private Process process;
    private String heap = "256m";

    public PackagedServer(Path store, Path log, Map<String, String> env) {
        this.store = store;
        this.log = log;
        this.env = new HashMap<>(env);
    }

    /** The maximum heap of the server process (default 256m), e.g. "96m" for a soak that must stay within it. */
    public PackagedServer heap(String xmx) {
        this.heap = xmx;
        return this;
    }

    /** Starts the server and waits until readiness is UP. */
    public PackagedServer start() throws IOException, InterruptedException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run `./mvnw package` (or `verify`) first");
        }
        port = port == 0 ? freePort() : port; // a restart keeps its port
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8", "-jar",
                JAR.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("HOMELAB_EVENTS_DIR", store.toString());
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().putIfAbsent("HOMELAB_NODE", "it-node");
        // the audit trail's signing key next to the store, never in the user's ~/.config
        // (in a directory of this store's own: the peers' pinned keys go beside the key)
        pb.environment().put("HOMELAB_AUDIT_KEY_FILE",
                store.resolveSibling(store.getFileName() + "-audit").resolve("audit.key").toString());
        pb.environment().putAll(env);
        process = pb.start();
        awaitReady(Duration.ofSeconds(60));
        return this;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    /** SIGKILL: no shutdown hooks run. */
    public void kill() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).start().waitFor();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for a clean exit. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    /** Stops the server if it still runs; an interrupt while waiting kills it at once and is passed on. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                stop();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    public String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("server not ready within " + timeout + ":\n" + logText());
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
