package dev.homelab.events.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.config.StoreConfig;

/** Resolves the store root and checks it is usable before anything is served: a bad root fails fast. */
@ApplicationScoped
public class StoreProducer {

    static final String SPEC_DEFAULT = "/opt/homelab/events";

    @Produces
    @Singleton
    EventStore eventStore(StoreConfig config, ObjectMapper mapper) {
        Path root = resolveRoot(config.events().dir(), Path.of(SPEC_DEFAULT), System.getenv(),
                Path.of(System.getProperty("user.home")));
        checkWritable(root, config.events().dir().isPresent());
        return new EventStore(root, new EventCodec(mapper), config.events().fileMaxBytes());
    }

    /**
     * The configured root, else the specification's /opt/homelab/events when it exists or can be created,
     * else the user's data directory. The bash and Python libraries apply the same rule.
     */
    static Path resolveRoot(Optional<String> configured, Path spec, Map<String, String> env, Path home) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return Path.of(configured.get()).toAbsolutePath().normalize();
        }
        if (Files.isDirectory(spec)) {
            return spec;
        }
        try {
            Files.createDirectories(spec);
            return spec;
        } catch (IOException | SecurityException e) {
            String xdg = env.get("XDG_DATA_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local").resolve("share");
            return base.resolve("homelab").resolve("events").toAbsolutePath().normalize();
        }
    }

    static void checkWritable(Path root, boolean configured) {
        String how = configured
                ? "set HOMELAB_EVENTS_DIR to a directory this user can write"
                : "the default was used; set HOMELAB_EVENTS_DIR to a directory this user can write";
        try {
            Files.createDirectories(root);
            Path probe = root.resolve(".write-probe-" + UUID.randomUUID());
            Files.write(probe, new byte[0]);
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IllegalStateException("Event store directory " + root + " cannot be created or written (" + e
                    + "); " + how + ", e.g. HOMELAB_EVENTS_DIR=$HOME/homelab-events", e);
        }
    }
}
