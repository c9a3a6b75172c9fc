package dev.homelab.events.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.config.StoreConfig;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.IndexRefresher;
import dev.homelab.events.index.IndexWatcher;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventStore;

/**
 * Whether an event could be written now and the index has been built: the rule behind the readiness check. The
 * root must exist, have room above {@code homelab.events.min-free-bytes} and take a real write (permissions alone
 * do not reveal a read-only mount or a full inode table); the index must have finished its first build.
 */
@ApplicationScoped
public class StoreHealth {

    /**
     * The state of the store and its index.
     *
     * @param problem     why the store is not ready, or null when it is
     * @param indexStart  how the index was built at start (snapshot, scan, ...)
     * @param watcher     off, running, running with a note, or failed with the reason
     */
    public record Report(String root, int indexedEvents, int skippedEntries, Instant lastReconciled, String indexStart,
            Long indexBuildMillis, String watcher, Integer watchedDirectories, Long watcherOverflows, boolean indexStale,
            String problem) {

        public boolean ready() {
            return problem == null;
        }
    }

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

    public Report check() {
        Path root = store.root();
        IndexWatcher w = refresher.watcher();
        String watcher = w == null
                ? "off"
                : !w.running() ? "failed: " + w.failure() : w.partial() != null ? "running, " + w.partial() : "running";
        String problem = writeProblem(root);
        if (problem == null && !refresher.ready()) {
            // queries are already answered, from the part of the store read so far
            problem = "index is still being built";
        }
        return new Report(root.toString(), index.size(), reconciler.problems().size(), reconciler.lastReconciled(),
                refresher.startMode(), refresher.buildTime() == null ? null : refresher.buildTime().toMillis(), watcher,
                w == null ? null : w.watchedDirectories(), w == null ? null : w.overflows(), refresher.stale(), problem);
    }

    private String writeProblem(Path root) {
        if (!Files.isDirectory(root)) {
            return "store root " + root + " does not exist";
        }
        try {
            long free = Files.getFileStore(root).getUsableSpace();
            if (free < config.events().minFreeBytes()) {
                return "free disk space " + free + " bytes is under the threshold of " + config.events().minFreeBytes()
                        + " bytes (homelab.events.min-free-bytes)";
            }
            Path probe = root.resolve(".ready-probe-" + UUID.randomUUID());
            Files.write(probe, new byte[]{ 1 });
            Files.delete(probe);
        } catch (IOException e) {
            return "store root " + root + " is not writable: " + e.getMessage();
        }
        return null;
    }
}
