package dev.homelab.events.sync;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

/**
 * The periodic pull of the configured peers, every {@code homelab.sync.interval} (the scheduler's resolution
 * is one second), starting a second after start-up. It is off (every run skipped) while
 * {@code homelab.sync.enabled} is false or no peer is configured; a run still going when the next is due
 * makes that next one skipped, not queued.
 */
@ApplicationScoped
public class SyncSchedule {

    @Inject
    SyncService sync;

    @Scheduled(identity = "sync-pull", every = "${homelab.sync.interval}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Off.class)
    void pull() {
        sync.pullDuePeers();
    }

    /** Skips the run when the periodic pull is disabled or there is no peer to pull. */
    @Singleton
    public static class Off implements Scheduled.SkipPredicate {

        @Inject
        SyncService sync;

        @Override
        public boolean test(ScheduledExecution execution) {
            return !sync.scheduled();
        }
    }
}
