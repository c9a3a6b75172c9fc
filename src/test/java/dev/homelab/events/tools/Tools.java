package dev.homelab.events.tools;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs the bash and Python libraries of {@code tools/} from Java tests: locations, a process runner
 * that never inherits the developer's HOMELAB_* settings, and the shared vectors. Only public faces of the
 * server are used from here (no internal class), so the tests hold whatever the inside looks like.
 */
final class Tools {

    static final Path BASEDIR = Path.of("").toAbsolutePath();
    static final Path TOOLS = BASEDIR.resolve("tools");
    static final Path LIB_SH = TOOLS.resolve("scripts/lib/events.sh");
    static final Path VECTORS = TOOLS.resolve("tests/vectors.json");
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Tools() {
    }

    record Result(int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }

        String describe() {
            return "exit " + exitCode + "\n--- stdout (end) ---\n" + tail(stdout, 6000) + "\n--- stderr (end) ---\n"
                    + tail(stderr, 4000);
        }
    }

    /** A running library process whose output goes to files (no pipe can fill up and block it). */
    record Running(Process process, Path out, Path err) {
        Result await(Duration timeout) throws IOException, InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail("timed out after " + timeout + ": " + tail(Files.readString(out), 3000)
                        + tail(Files.readString(err), 3000));
            }
            Result r = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        }
    }

    static Running start(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(BASEDIR.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HOMELAB_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("tools-stdout", ".txt");
        Path err = Files.createTempFile("tools-stderr", ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        return new Running(pb.start(), out, err);
    }

    static Result run(List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        return start(command, env).await(timeout);
    }

    /** {@code bash -c 'source events.sh; emit_event "$@"'} with the given arguments. */
    static List<String> bashEmit(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "source \"$0\"; emit_event \"$@\"", LIB_SH.toString()));
        cmd.addAll(args);
        return cmd;
    }

    /** Skips (visibly) when a tool the libraries need is not installed. */
    static void assumeInstalled(String... commands) {
        for (String c : commands) {
            boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                    .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, c)));
            Assumptions.assumeTrue(found, c + " is not installed: the " + c + " library checks cannot run");
        }
    }

    static JsonNode vectors() throws IOException {
        return MAPPER.readTree(VECTORS.toFile());
    }

    static boolean appliesTo(JsonNode vector, String writer) {
        JsonNode writers = vector.get("writers");
        if (writers == null) {
            return true;
        }
        for (JsonNode w : writers) {
            if (w.asText().equals(writer)) {
                return true;
            }
        }
        return false;
    }

    /** Environment of a library writing into {@code root} as the vectors expect. */
    static Map<String, String> libraryEnv(Path root, JsonNode vectors) {
        List<String> custom = new ArrayList<>();
        vectors.get("custom_types").forEach(t -> custom.add(t.asText()));
        return Map.of("HOMELAB_EVENTS_DIR", root.toString(), "HOMELAB_NODE", vectors.get("default_node").asText(),
                "HOMELAB_EVENTS_CUSTOM_TYPES", String.join(",", custom), "PYTHONPATH", TOOLS.toString(),
                "HOME", root.resolveSibling("home").toString());
    }

    /** The one file of an event id under a store root. */
    static Path fileOf(Path root, String id) throws IOException {
        try (Stream<Path> files = Files.find(root, 3, (p, a) -> p.getFileName().toString().endsWith("_" + id + ".json"))) {
            List<Path> found = files.toList();
            if (found.size() != 1) {
                fail("expected one file for id " + id + ", found " + found);
            }
            return found.get(0);
        }
    }

    static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }
}
