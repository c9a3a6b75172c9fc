package dev.homelab.events.nats;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

import dev.homelab.events.it.PackagedServer;

/**
 * A real {@code nats-server} (the Debian package) as a child process on a free loopback port, with JetStream
 * storing under a temporary directory: started, stopped, killed and restarted on the same port and storage.
 * Tests skip with a clear message when the binary is missing, unless the CI variable is set (then they fail:
 * .ci/run installs it).
 */
public final class NatsServer implements AutoCloseable {

    private final String name;
    private final Path storage;
    private final Path log;
    private final boolean jetStream;
    private final int port;
    private final int clusterPort;
    private List<Integer> routes = List.of();
    private Process process;

    private NatsServer(String name, Path dir, boolean jetStream, boolean clustered) throws IOException {
        this.name = name;
        this.storage = dir.resolve(name + "-js");
        this.log = dir.resolve(name + ".log");
        this.jetStream = jetStream;
        this.port = PackagedServer.freePort();
        this.clusterPort = clustered ? PackagedServer.freePort() : 0;
    }

    /** The binary, or a skipped test (a failed one under CI). */
    public static Path binary() {
        Optional<Path> found = findBinary();
        if (found.isEmpty()) {
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank()) {
                fail("nats-server is not installed, and CI is set: .ci/run installs it (apt-get install -y nats-server)");
            }
            Assumptions.abort("SKIPPED: nats-server is not installed (apt-get install -y nats-server); "
                    + "the NATS tests need a real server");
        }
        return found.get();
    }

    public static boolean installed() {
        return findBinary().isPresent();
    }

    private static Optional<Path> findBinary() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"));
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, "nats-server")).filter(Files::isExecutable)
                .findFirst();
    }

    /** One server with JetStream. */
    public static NatsServer start(Path dir) throws IOException {
        return new NatsServer("nats", dir, true, false).start();
    }

    /** One server without JetStream (for the "no JetStream" error). */
    static NatsServer startWithoutJetStream(Path dir) throws IOException {
        return new NatsServer("plain", dir, false, false).start();
    }

    /** {@code n} servers forming one JetStream cluster; returns once every one accepts clients. */
    public static List<NatsServer> cluster(Path dir, int n) throws IOException {
        List<NatsServer> servers = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            servers.add(new NatsServer("n" + i, dir, true, true));
        }
        for (NatsServer s : servers) {
            s.routes = servers.stream().filter(o -> o != s).map(o -> o.clusterPort).toList();
        }
        for (NatsServer s : servers) {
            s.launch();
        }
        for (NatsServer s : servers) {
            s.awaitListening();
        }
        return servers;
    }

    NatsServer start() throws IOException {
        launch();
        awaitListening();
        return this;
    }

    private void launch() throws IOException {
        Files.createDirectories(storage);
        List<String> cmd = new ArrayList<>(List.of(binary().toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-n",
                name));
        if (jetStream) {
            cmd.addAll(List.of("-js", "-sd", storage.toString()));
        }
        if (clusterPort != 0) {
            cmd.addAll(List.of("--cluster_name", "homelab-test", "--cluster", "nats://127.0.0.1:" + clusterPort, "--routes",
                    String.join(",", routes.stream().map(p -> "nats://127.0.0.1:" + p).toList())));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private void awaitListening() {
        Awaitility.await("nats-server " + name + " listening on " + port).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    if (!process.isAlive()) {
                        fail("nats-server " + name + " exited with " + process.exitValue() + ":\n" + logText());
                    }
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM, and wait for it to exit. */
    public void stop() throws InterruptedException {
        if (alive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** SIGKILL: no shutdown, as a crash or a pulled plug. */
    public void kill() throws InterruptedException {
        if (alive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Starts again on the same port with the same storage. */
    void restart() throws IOException {
        start();
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
