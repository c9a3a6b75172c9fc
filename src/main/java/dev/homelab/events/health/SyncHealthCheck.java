package dev.homelab.events.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.smallrye.health.api.Wellness;

import dev.homelab.events.sync.PeerPuller;
import dev.homelab.events.sync.SyncService;

/**
 * Sync state per peer as health details (/q/health/well and /q/health). Always UP on purpose: a peer being
 * away is what sync is built for and must never make this node unready or restarted; the state is data.
 */
@Wellness
@ApplicationScoped
public class SyncHealthCheck implements HealthCheck {

    @Inject
    SyncService sync;

    @Override
    public HealthCheckResponse call() {
        SyncService.SyncStatus s = sync.status();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("sync").up().withData("peers", s.peers().size());
        for (PeerPuller.Status p : s.peers()) {
            StringBuilder d = new StringBuilder(p.state());
            d.append("; last_success=").append(p.lastSuccess() == null ? "never" : p.lastSuccess().toString());
            d.append("; events_pulled=").append(p.eventsPulled()).append("; lag_events=").append(p.lagEvents());
            if (p.lastError() != null && !"online".equals(p.state())) {
                d.append("; last_error=").append(p.lastError());
            }
            b.withData("peer." + p.peer(), d.toString());
        }
        return b.build();
    }
}
