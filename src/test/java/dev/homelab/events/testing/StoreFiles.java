package dev.homelab.events.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What is really on disk under a store root: the ground truth tests compare answers with. */
public final class StoreFiles {
    private StoreFiles() {
    }

    /**
     * Every regular file under the root, hidden ones included (temp files, probes), as relative paths; not the
     * audit trail's own files under {@code .audit/}, which its sealer writes in the background.
     */
    public static List<String> all(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
                    .filter(p -> !p.startsWith(".ready-probe-") && !p.startsWith(".write-probe-"))
                    .filter(p -> !p.startsWith(".audit/")).sorted().toList();
        }
    }

    /** Final-named event files: {@code <date>/<node>/<name>.json}, not dot-prefixed. */
    public static List<String> events(Path root) throws IOException {
        return all(root).stream().filter(p -> Path.of(p).getNameCount() == 3)
                .filter(p -> !Path.of(p).getFileName().toString().startsWith(".")).filter(p -> p.endsWith(".json")).toList();
    }

    /** Dot-prefixed files anywhere: temp files a failed write must not leave behind. */
    public static List<String> temps(Path root) throws IOException {
        return all(root).stream().filter(p -> Path.of(p).getFileName().toString().startsWith(".")).toList();
    }
}
