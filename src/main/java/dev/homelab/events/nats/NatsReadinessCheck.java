package dev.homelab.events.nats;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Readiness of NATS replication, registered only when it is on (see {@link NatsReplication}).
 *
 * <p>
 * DOWN only when the problem needs an operator (no JetStream for the account, refused credentials, a stream
 * that cannot take the events): retrying will not fix those. NATS being unreachable or reconnecting is UP with
 * the state in the data: this node still records every event, and its outbox publishes them when NATS is back.
 */
final class NatsReadinessCheck implements HealthCheck {

    private final NatsReplicator replicator;

    NatsReadinessCheck(NatsReplicator replicator) {
        this.replicator = replicator;
    }

    @Override
    public HealthCheckResponse call() {
        NatsStatus s = replicator.status();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("nats").status(!s.needsOperator())
                .withData("state", s.state()).withData("ready", s.ready()).withData("stream", s.stream())
                .withData("outbox_backlog", s.outboxBacklog()).withData("consumer_lag", s.consumerLag());
        if (s.lastError() != null) {
            b.withData("last_error", s.lastError());
        }
        return b.build();
    }
}
