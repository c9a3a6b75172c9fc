package dev.homelab.events.ask;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** Runs the terminal client tools/ask as a real process against the test server. */
final class AskScript {

    record Result(int exitCode, String out, String err) {
    }

    private AskScript() {
    }

    static Result run(URL server, String... args) throws IOException, InterruptedException {
        Assumptions.assumeTrue(python(), "python3 is needed to run tools/ask");
        List<String> command = new ArrayList<>(List.of("python3", "tools/ask"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("HOMELAB_EVENTS_URL", server.toString());
        Path out = Files.createTempFile("ask-out", ".txt");
        Path err = Files.createTempFile("ask-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tools/ask did not finish");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static boolean python() {
        try {
            return new ProcessBuilder("python3", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
