package dev.homelab.events.archive;

import java.time.LocalDate;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

import dev.homelab.events.archive.ArchiveService.RetentionRun;
import dev.homelab.events.config.ArchiveConfig;

/**
 * Applies the retention policy every {@code homelab.archive.interval}, first ten seconds after start-up. Off
 * (every run skipped) while {@code homelab.archive.enabled} is false, as in tests; a run still going when the
 * next is due makes that next one skipped, not queued.
 */
@ApplicationScoped
public class RetentionSchedule {

    private static final Logger LOG = Logger.getLogger(RetentionSchedule.class);

    @Inject
    RetentionPolicy retention;

    @Scheduled(identity = "archive-retention", every = "${homelab.archive.interval}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Off.class)
    void apply() {
        try {
            RetentionRun run = retention.runRetention(LocalDate.now(ZoneOffset.UTC));
            if (!run.archived().isEmpty() || !run.errors().isEmpty()) {
                LOG.infof("Retention: %d day(s) archived, %d archive(s) deleted, errors: %s", run.archived().size(),
                        run.archivesDeleted().size(), run.errors());
            }
        } catch (RuntimeException e) {
            LOG.warn("Retention run failed", e);
        }
    }

    /** Skips the run when the periodic retention is disabled. */
    @Singleton
    public static class Off implements Scheduled.SkipPredicate {

        @Inject
        ArchiveConfig config;

        @Override
        public boolean test(ScheduledExecution execution) {
            return !config.enabled();
        }
    }
}
