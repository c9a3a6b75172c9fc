package dev.homelab.events.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.homelab.events.Timestamps;

/** Writes events with the bash library (tools/scripts/lib/events.sh), as a script on the node would. */
final class Bash {

    private Bash() {
    }

    /** Emits {@code n} events into {@code root} as {@code node}; returns their relative paths. */
    static List<String> emit(Path root, String node, int n) throws IOException, InterruptedException {
        Path lib = Path.of("tools/scripts/lib/events.sh").toAbsolutePath();
        String script = "source \"$1\"; for i in $(seq 1 \"$2\"); do emit_event deployment_started info nats-test.sh web "
                + "\"\" '{\"by\":\"bash\"}' || exit 1; done";
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script, "bash", lib.toString(), Integer.toString(n));
        pb.environment().keySet().removeIf(k -> k.startsWith("HOMELAB_"));
        pb.environment().put("HOMELAB_EVENTS_DIR", root.toString());
        pb.environment().put("HOMELAB_NODE", node);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), "bash emit failed: " + out);
        List<String> ids = out.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(n, ids.size(), out);
        List<String> paths = new ArrayList<>();
        String day = Timestamps.DATE.format(Instant.now());
        for (String id : ids) {
            try (var s = java.nio.file.Files.list(root.resolve(day).resolve(node))) {
                s.map(f -> root.relativize(f).toString()).filter(f -> f.endsWith("_" + id + ".json")).forEach(paths::add);
            }
        }
        assertEquals(n, paths.size(), "found the files of " + ids);
        return paths;
    }
}
