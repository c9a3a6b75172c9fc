package dev.homelab.events.nats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.health.api.HealthRegistry;

import dev.homelab.events.archive.ArchiveService;
import dev.homelab.events.audit.AuditService;
import dev.homelab.events.config.NatsConfig;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventWriter;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.sync.Importer;
import dev.homelab.events.sync.LocalNode;
import dev.homelab.events.sync.SyncService;

/**
 * The application's NATS replication: off unless HOMELAB_NATS_URL is set; then one {@link NatsReplicator}
 * over this node's store, its periodic pass on quarkus-scheduler, its readiness check and its
 * {@code homelab_nats_*} metrics. {@link #status()} is what {@code get_sync_status} shows.
 */
@ApplicationScoped
public class NatsReplication {

    private static final Logger LOG = Logger.getLogger(NatsReplication.class);

    @Inject
    NatsConfig config;
    @Inject
    EventStore store;
    @Inject
    EventIndex index;
    @Inject
    EventWriter writer;
    @Inject
    ArchiveService archives;
    @Inject
    SyncService sync;
    @Inject
    LocalNode localNode;
    @Inject
    AuditService audit;
    @Inject
    MeterRegistry metrics;
    @Inject
    @Readiness
    HealthRegistry readiness;

    private volatile NatsReplicator replicator;

    /** After sync (APPLICATION + 50), so the arrival log it shares is served by then. */
    void onStart(
            @Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 60) StartupEvent ev) {
        if (config.url().filter(u -> !u.isBlank()).isEmpty()) {
            return;
        }
        String node = nodeName();
        NatsSettings settings = NatsSettings.from(config, node);
        try {
            replicator = new NatsReplicator(settings, localStore(node), store.root().resolve(".nats"), this::ownAuditKey,
                    sync.keyChecks(), config.keyRecheck());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the NATS outbox state under " + store.root().resolve(".nats"), e);
        }
        readiness.register("nats", new NatsReadinessCheck(replicator));
        registerMetrics(replicator);
        LOG.infof("NATS replication on: servers %s, stream %s, node %s%s", settings.displayServers(), settings.stream(), node,
                settings.consume() ? ", consumer " + settings.consumer() : ", publishing only");
    }

    /** SEAM (node name): today the service's; the consolidation may move it to configuration. */
    private String nodeName() {
        return localNode.nodeName();
    }

    /** SEAMS (arrival feed and import): see {@link LocalStore}; each is one line here. */
    private LocalStore localStore(String node) {
        return new LocalStore(node, sync::export,
                new Importer(writer, archives));
    }

    /** This node's audit public key (PEM), published on NATS for the others to pin; null without an audit trail. */
    private String ownAuditKey() {
        try {
            return audit.publicKey().pem();
        } catch (dev.homelab.events.NotFoundException e) {
            return null; // homelab.audit.enabled=false
        }
    }

    @Scheduled(every = "${homelab.nats.interval:PT1S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        NatsReplicator r = replicator;
        if (r != null) {
            r.tick();
        }
    }

    /** Connection state, outbox backlog, consumer lag, counters and the last error; {@code enabled=false} when off. */
    public NatsStatus status() {
        NatsReplicator r = replicator;
        return r == null ? NatsStatus.disabled(nodeName()) : r.status();
    }

    private void registerMetrics(NatsReplicator r) {
        Gauge.builder("homelab.nats.connected", r, x -> "connected".equals(x.status().state()) ? 1 : 0)
                .description("1 when connected to a NATS server").register(metrics);
        Gauge.builder("homelab.nats.ready", r, x -> x.status().ready() ? 1 : 0)
                .description("1 when stream and consumer are set up and connected").register(metrics);
        Gauge.builder("homelab.nats.outbox.backlog", r, x -> x.status().outboxBacklog())
                .description("events in this store not yet published to NATS").register(metrics);
        Gauge.builder("homelab.nats.consumer.lag", r, x -> x.status().consumerLag())
                .description("events in the stream this node has not yet received").register(metrics);
        FunctionCounter.builder("homelab.nats.published", r, x -> x.status().published())
                .description("events published to NATS").register(metrics);
        for (String outcome : List.of("written", "identical", "conflict", "rejected", "refused")) {
            FunctionCounter.builder("homelab.nats.imported", r, x -> switch (outcome) {
                case "written" -> x.status().imported();
                case "identical" -> x.status().identical();
                case "conflict" -> x.status().conflicts();
                case "rejected" -> x.status().rejected();
                default -> x.status().refused();
            }).tag("outcome", outcome).description("events received from NATS, by what the import did").register(metrics);
        }
    }

    @PreDestroy
    void stop() {
        NatsReplicator r = replicator;
        if (r != null) {
            r.close();
        }
    }
}
