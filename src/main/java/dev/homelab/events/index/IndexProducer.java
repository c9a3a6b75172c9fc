package dev.homelab.events.index;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.homelab.events.storage.EventStore;

@ApplicationScoped
public class IndexProducer {

    @Produces
    @Singleton
    EventIndex eventIndex() {
        return new EventIndex();
    }

    @Produces
    @Singleton
    Reconciler reconciler(EventStore store, EventIndex index, dev.homelab.events.config.StoreConfig config) {
        int threads = config.index().scanThreads();
        return new Reconciler(store, index, threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    }
}
