package dev.homelab.events.index;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;

import dev.homelab.events.config.StoreConfig;
import dev.homelab.events.storage.EventStore;

/** Wires the index, its reconciler and the one write path over the store. */
@ApplicationScoped
public class IndexProducer {

    @Produces
    @Singleton
    EventIndex eventIndex() {
        return new EventIndex();
    }

    @Produces
    @Singleton
    Reconciler reconciler(EventStore store, EventIndex index, StoreConfig config) {
        int threads = config.index().scanThreads();
        return new Reconciler(store, index, threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    }

    void closeReconciler(@Disposes Reconciler reconciler) {
        reconciler.close();
    }

    @Produces
    @Singleton
    EventWriter eventWriter(EventStore store, EventIndex index, MeterRegistry metrics) {
        return new EventWriter(store, index, metrics);
    }
}
