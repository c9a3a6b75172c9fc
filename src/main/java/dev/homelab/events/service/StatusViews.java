package dev.homelab.events.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.homelab.events.EventTypes;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.Timestamps;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.IndexEntry;

/**
 * The health of services and nodes as the event record tells it, shared by every face. A service is
 * {@code healthy} when its latest health event is a service_recovered, {@code unhealthy} when it is a
 * service_unhealthy or healthcheck_failed, else {@code unknown}; its deployment state is that of its latest
 * deployment event. A node is {@code offline} or {@code online} by its latest node_offline/node_online, else
 * {@code unknown}. Computed from index entries alone (no file is read), so it stays fast on a large store.
 */
@ApplicationScoped
public class StatusViews {

    private static final Set<String> HEALTH_TYPES = Set.of(EventTypes.SERVICE_UNHEALTHY, EventTypes.HEALTHCHECK_FAILED,
            EventTypes.SERVICE_RECOVERED);
    private static final Set<String> DEPLOYMENT_TYPES = Set.of(EventTypes.DEPLOYMENT_STARTED,
            EventTypes.DEPLOYMENT_COMPLETED, EventTypes.DEPLOYMENT_FAILED);
    private static final Set<String> NODE_STATE_TYPES = Set.of(EventTypes.NODE_OFFLINE, EventTypes.NODE_ONLINE);

    /** A service's latest deployment: in_progress, failed or completed, its chain and time. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Deployment(
            String state,
            @JsonProperty("correlation_id") String correlationId,
            String timestamp) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServiceStatus(
            String service,
            String health,
            @JsonProperty("health_since") String healthSince,
            @JsonProperty("health_event_id") String healthEventId,
            Deployment deployment,
            @JsonProperty("last_event_at") String lastEventAt,
            int events) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeStatus(
            String node,
            String state,
            @JsonProperty("state_since") String stateSince,
            @JsonProperty("last_event_at") String lastEventAt,
            @JsonProperty("last_event_type") String lastEventType,
            int events) {
    }

    @Inject
    EventIndex index;

    /** Every service, sorted by name, or only {@code service}; NotFoundException names the known ones when it has no events. */
    public List<ServiceStatus> services(String service) {
        List<EventIndex.ValueStatus> found = index.statusBy(EventIndex.Dimension.SERVICE, service,
                List.of(HEALTH_TYPES, DEPLOYMENT_TYPES));
        if (service != null && found.isEmpty()) {
            throw new NotFoundException("no events for service " + service + "; known services: "
                    + String.join(", ", serviceNames()));
        }
        List<ServiceStatus> out = new ArrayList<>(found.size());
        for (EventIndex.ValueStatus v : found) {
            IndexEntry health = v.latestOfGroup().get(0);
            IndexEntry deployment = v.latestOfGroup().get(1);
            Deployment d = null;
            if (deployment != null) {
                String state = switch (deployment.type()) {
                    case EventTypes.DEPLOYMENT_STARTED -> "in_progress";
                    case EventTypes.DEPLOYMENT_FAILED -> "failed";
                    default -> "completed";
                };
                d = new Deployment(state, deployment.correlationId(), time(deployment));
            }
            String state = health == null
                    ? "unknown"
                    : EventTypes.SERVICE_RECOVERED.equals(health.type()) ? "healthy" : "unhealthy";
            out.add(new ServiceStatus(v.value(), state, health == null ? null : time(health),
                    health == null ? null : health.id().toString(), d, time(v.last()), (int) v.count()));
        }
        return out;
    }

    /** Every node, sorted by name, or only {@code node}; NotFoundException names the known ones when it has no events. */
    public List<NodeStatus> nodes(String node) {
        List<EventIndex.ValueStatus> found = index.statusBy(EventIndex.Dimension.NODE, node, List.of(NODE_STATE_TYPES));
        if (node != null && found.isEmpty()) {
            throw new NotFoundException("no events from node " + node + "; known nodes: "
                    + String.join(", ", nodeNames()));
        }
        List<NodeStatus> out = new ArrayList<>(found.size());
        for (EventIndex.ValueStatus v : found) {
            IndexEntry state = v.latestOfGroup().get(0);
            String name = state == null ? "unknown" : EventTypes.NODE_OFFLINE.equals(state.type()) ? "offline" : "online";
            out.add(new NodeStatus(v.value(), name, state == null ? null : time(state), time(v.last()), v.last().type(),
                    (int) v.count()));
        }
        return out;
    }

    /** Service names seen in the store, sorted; for completion and error messages. */
    public List<String> serviceNames() {
        return index.values(EventIndex.Dimension.SERVICE);
    }

    /** Node names seen in the store, sorted. */
    public List<String> nodeNames() {
        return index.values(EventIndex.Dimension.NODE);
    }

    /** Correlation ids seen in the store, sorted; for completion. */
    public List<String> correlationIds() {
        return index.correlationIds().stream().sorted().toList();
    }

    private static String time(IndexEntry e) {
        return Timestamps.toJson(Timestamps.fromMicros(e.timestampMicros()));
    }
}
