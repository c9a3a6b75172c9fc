package dev.homelab.events.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node.js side of the MCP tests (src/test/mcp-client: the official TypeScript SDK, gpt-tokenizer), installed
 * with {@code npm ci} from its package-lock.json into target/mcp-client, again whenever the lock file changed.
 * Needs node (18+) and npm on the PATH.
 */
final class NodeClient {

    static final Path DIR = Path.of("target", "mcp-client");
    private static final Path SRC = Path.of("src", "test", "mcp-client");
    private static final Path INSTALLED_LOCK = DIR.resolve("node_modules").resolve(".installed-lock.json");

    private NodeClient() {
    }

    record Result(int exit, String output) {
    }

    /** Copies the scripts and installs the locked packages unless this exact lock is installed already. */
    static synchronized Path install() throws IOException, InterruptedException {
        Files.createDirectories(DIR);
        try (var files = Files.list(SRC)) {
            for (Path f : files.toList()) {
                Files.copy(f, DIR.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        byte[] lock = Files.readAllBytes(SRC.resolve("package-lock.json"));
        if (!Files.exists(INSTALLED_LOCK) || !java.util.Arrays.equals(lock, Files.readAllBytes(INSTALLED_LOCK))) {
            Result install = run(300, "npm", "ci", "--no-audit", "--no-fund");
            if (install.exit() != 0) {
                throw new AssertionError("npm ci failed:\n" + install.output());
            }
            Files.write(INSTALLED_LOCK, lock);
        }
        return DIR;
    }

    static Result run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
        return run(List.of(command), timeoutSeconds);
    }

    static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command.get(0) + " is not installed or not on the PATH; this test needs Node.js 18+ "
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
