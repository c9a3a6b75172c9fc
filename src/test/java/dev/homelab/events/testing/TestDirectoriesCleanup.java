package dev.homelab.events.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.Startup;

/**
 * Present in every {@code @QuarkusTest} application (never in the packaged jar): the store and audit-key directories
 * the test profile gives each start of the application in the temp directory ({@code homelab-events-test-<uuid>},
 * {@code homelab-audit-test-<uuid>}, application.properties) are removed when the test JVM exits, when every
 * application of the run has stopped. Each {@code ./mvnw verify} left about fifty of them behind. Directories a
 * test chose itself (other names) are left to that test.
 */
@Startup
@ApplicationScoped
public class TestDirectoriesCleanup {

    @ConfigProperty(name = "homelab.events.dir")
    Optional<String> store;
    @ConfigProperty(name = "homelab.audit.key-file")
    Optional<String> auditKey;

    @PostConstruct
    void removeAtExit() {
        List<Path> mine = new ArrayList<>();
        store.map(Path::of).filter(p -> ours(p, "homelab-events-test-")).ifPresent(mine::add);
        auditKey.map(Path::of).map(Path::getParent).filter(p -> ours(p, "homelab-audit-test-")).ifPresent(mine::add);
        if (!mine.isEmpty()) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteForGood(mine), "test-directories-cleanup"));
        }
    }

    /**
     * JVM shutdown hooks run together: the last application may still be stopping, and its stop writes seals, digests
     * and audit heads, which would bring a removed directory back. So again, until it stays gone (a few seconds at most).
     */
    private static void deleteForGood(List<Path> dirs) {
        for (int attempt = 0; attempt < 20 && dirs.stream().anyMatch(Files::exists); attempt++) {
            dirs.forEach(TestDirectoriesCleanup::delete);
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A directory named by the test profile: right in the temp directory, with the profile's prefix. */
    private static boolean ours(Path p, String prefix) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        Path abs = p.toAbsolutePath().normalize();
        return tmp.equals(abs.getParent()) && abs.getFileName().toString().startsWith(prefix);
    }

    private static void delete(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // the JVM is exiting: what cannot be removed stays in the temp directory, as before
                }
            });
        } catch (IOException | RuntimeException e) {
            // likewise
        }
    }
}
