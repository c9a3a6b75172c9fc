package dev.homelab.events.index;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.homelab.events.config.StoreConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * Builds the index at start and reconciles it with the files on a fixed interval, so events written by
 * the bash and Python libraries, copies and sync appear without a restart.
 */
@ApplicationScoped
public class IndexRefresher {

    private static final Logger LOG = Logger.getLogger(IndexRefresher.class);

    @Inject
    Reconciler reconciler;
    @Inject
    StoreConfig config;

    private volatile boolean ready;
    private ScheduledExecutorService timer;

    void onStart(@Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION) StartupEvent ev) throws Exception {
        Reconciler.ReconcileReport r = reconciler.reconcile();
        ready = true;
        registerGauges();
        LOG.infof("Event index built: %d events, %d skipped entries, in %d ms", r.added(), r.problems(), r.took().toMillis());
        long every = Math.max(100, config.events().rescanInterval().toMillis());
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "event-index-rescan");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;
    @Inject
    EventIndex index;

    private void registerGauges() {
        metrics.gauge("homelab.events.indexed", index, EventIndex::size);
        for (dev.homelab.events.storage.FileProblem.Reason reason : dev.homelab.events.storage.FileProblem.Reason.values()) {
            metrics.gauge("homelab.events.skipped.files", java.util.List.of(io.micrometer.core.instrument.Tag.of("reason",
                    reason.name().toLowerCase(java.util.Locale.ROOT))), reconciler,
                    r -> r.problems().stream().filter(p -> p.reason() == reason).count());
        }
    }

    private void refresh() {
        try {
            Reconciler.ReconcileReport r = reconciler.reconcile();
            if (r.added() > 0 || r.removed() > 0) {
                LOG.debugf("Index reconciled: +%d -%d", r.added(), r.removed());
            }
        } catch (Exception e) {
            // keep the timer alive; health shows the index as stale through lastReconciled
            LOG.warn("Index reconciliation failed", e);
        }
    }

    /** True once the first full scan has finished. */
    public boolean ready() {
        return ready;
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
