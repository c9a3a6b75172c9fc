package dev.homelab.events.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Node.js side of the MCP tests (src/test/mcp-client: the official TypeScript SDK, gpt-tokenizer), installed
 * with {@code npm ci} from its package-lock.json into target/mcp-client, again whenever the lock file changed.
 * Needs node (20+: the SDK 2.x client) and npm on the PATH.
 */
final class NodeClient {

    static final Path DIR = Path.of("target", "mcp-client");
    private static final Path SRC = Path.of("src", "test", "mcp-client");

    private NodeClient() {
    }

    record Result(int exit, String output) {
    }

    /** Copies the scripts and installs the locked packages unless this exact lock is installed already. */
    static Path install() throws IOException, InterruptedException {
        return install(SRC, DIR, true);
    }

    /**
     * The same for another Node project of src/test (its own package-lock.json), installed into {@code dir}: for
     * a client too large to share the main project's install, such as the MCP Inspector. {@code ci} false installs
     * with {@code npm install}, which follows the lock too: npm 11 writes no lock entry for the Inspector's
     * Windows-only optional dependency (napi-windows-process-start-time) and then {@code npm ci} refuses that lock.
     */
    static synchronized Path install(Path src, Path dir, boolean ci) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path installedLock = dir.resolve("node_modules").resolve(".installed-lock.json");
        byte[] lock = Files.readAllBytes(src.resolve("package-lock.json"));
        if (!Files.exists(installedLock) || !java.util.Arrays.equals(lock, Files.readAllBytes(installedLock))) {
            Result install = run(dir, Map.of(), List.of("npm", ci ? "ci" : "install", "--no-audit", "--no-fund"), 300);
            if (install.exit() != 0) {
                throw new AssertionError("npm ci failed:\n" + install.output());
            }
            Files.write(installedLock, lock);
        }
        return dir;
    }

    static Result run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
        return run(List.of(command), timeoutSeconds);
    }

    static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        return run(DIR, Map.of(), command, timeoutSeconds);
    }

    static Result run(Path dir, Map<String, String> env, List<String> command, int timeoutSeconds)
            throws IOException, InterruptedException {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(command.get(0) + " is not installed or not on the PATH; this test needs Node.js 20+ "
                    + "and npm (Debian: apt-get install nodejs npm)", e);
        }
        // drain output while waiting, so a chatty process never blocks on a full pipe
        byte[][] out = new byte[1][];
        Thread drain = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        drain.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + "s");
        }
        drain.join(10_000);
        return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }
}
