package dev.homelab.events.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.homelab.events.config.StoreConfig;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.IndexRefresher;
import dev.homelab.events.index.IndexWatcher;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventStore;

/** Ready only when an event could be written now and the index has been built: the root exists, is writable, has room. */
@Readiness
@ApplicationScoped
public class StoreReadinessCheck implements HealthCheck {

    @Inject
    EventStore store;
    @Inject
    EventIndex index;
    @Inject
    Reconciler reconciler;
    @Inject
    IndexRefresher refresher;
    @Inject
    StoreConfig config;

    @Override
    public HealthCheckResponse call() {
        Path root = store.root();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("event-store")
                .withData("root", root.toString())
                .withData("indexed_events", index.size())
                .withData("skipped_entries", reconciler.problems().size());
        if (reconciler.lastReconciled() != null) {
            b.withData("last_reconciled", reconciler.lastReconciled().toString());
        }
        // index freshness: how it was built, whether the watcher runs, whether passes keep completing
        b.withData("index_start", refresher.startMode());
        if (refresher.buildTime() != null) {
            b.withData("index_build_ms", refresher.buildTime().toMillis());
        }
        IndexWatcher w = refresher.watcher();
        b.withData("index_watcher", w == null
                ? "off"
                : !w.running() ? "failed: " + w.failure() : w.partial() != null ? "running, " + w.partial() : "running");
        if (w != null) {
            b.withData("index_watched_directories", w.watchedDirectories());
            b.withData("index_watcher_overflows", w.overflows());
        }
        b.withData("index_stale", refresher.stale());
        String reason = problem(root);
        if (reason == null && !refresher.ready()) {
            // queries are already answered, from the part of the store read so far
            reason = "index is still being built";
        }
        if (reason != null) {
            return b.down().withData("reason", reason).build();
        }
        return b.up().build();
    }

    private String problem(Path root) {
        if (!Files.isDirectory(root)) {
            return "store root " + root + " does not exist";
        }
        try {
            long free = Files.getFileStore(root).getUsableSpace();
            if (free < config.events().minFreeBytes()) {
                return "free disk space " + free + " bytes is under the threshold of " + config.events().minFreeBytes()
                        + " bytes (homelab.events.min-free-bytes)";
            }
            // a real write, since permissions alone do not reveal a read-only mount or a full inode table
            Path probe = root.resolve(".ready-probe-" + UUID.randomUUID());
            Files.write(probe, new byte[]{ 1 });
            Files.delete(probe);
        } catch (IOException e) {
            return "store root " + root + " is not writable: " + e.getMessage();
        }
        return null;
    }
}
