package dev.homelab.events.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.homelab.events.service.StoreHealth;

/** Ready only when an event could be written now and the index has been built (the rule is {@link StoreHealth}). */
@Readiness
@ApplicationScoped
public class StoreReadinessCheck implements HealthCheck {

    @Inject
    StoreHealth health;

    @Override
    public HealthCheckResponse call() {
        StoreHealth.Report r = health.check();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("event-store")
                .withData("root", r.root())
                .withData("indexed_events", r.indexedEvents())
                .withData("skipped_entries", r.skippedEntries());
        if (r.lastReconciled() != null) {
            b.withData("last_reconciled", r.lastReconciled().toString());
        }
        // index freshness: how it was built, whether the watcher runs, whether passes keep completing
        b.withData("index_start", r.indexStart());
        if (r.indexBuildMillis() != null) {
            b.withData("index_build_ms", r.indexBuildMillis());
        }
        b.withData("index_watcher", r.watcher());
        if (r.watchedDirectories() != null) {
            b.withData("index_watched_directories", r.watchedDirectories());
            b.withData("index_watcher_overflows", r.watcherOverflows());
        }
        b.withData("index_stale", r.indexStale());
        if (!r.ready()) {
            return b.down().withData("reason", r.problem()).build();
        }
        return b.up().build();
    }
}
