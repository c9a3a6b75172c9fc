package dev.homelab.events.agent;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The result records of every tool. The MCP outputSchema is generated from them; absent values are
 * omitted rather than sent as null, so the schema never has to allow null and results stay compact.
 */
public final class ToolResults {

    private ToolResults() {
    }

    /** One event as an agent sees it: the payload cut to the budget, flagged when cut. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventView(
            String id,
            String timestamp,
            String node,
            String type,
            String severity,
            String source,
            String service,
            @JsonProperty("correlation_id") String correlationId,
            ObjectNode payload,
            @JsonProperty("payload_truncated") boolean payloadTruncated) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Emitted(
            String id,
            String timestamp,
            @JsonProperty("correlation_id") String correlationId,
            String node,
            String type,
            String path) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventList(
            List<EventView> events,
            long total,
            @JsonProperty("has_more") boolean hasMore,
            @JsonProperty("next_cursor") String nextCursor) {
    }

    /** A pointer to an event inside a summary. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventRef(String id, String timestamp, String type, String node) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Failure(
            @JsonProperty("event_id") String eventId,
            String timestamp,
            String type,
            String stage,
            String error) {
    }

    /** One remediation step: its start and, when it happened, its completion. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RemediationStep(
            @JsonProperty("correlation_id") String correlationId,
            String service,
            String step,
            String action,
            String actor,
            String status,
            @JsonProperty("started_at") String startedAt,
            @JsonProperty("started_event_id") String startedEventId,
            @JsonProperty("completed_at") String completedAt,
            @JsonProperty("completed_event_id") String completedEventId,
            String result,
            @JsonProperty("elapsed_seconds") Long elapsedSeconds) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChainEvent(
            String id,
            String timestamp,
            String node,
            String type,
            String severity,
            String source,
            String service,
            ObjectNode payload,
            @JsonProperty("payload_truncated") boolean payloadTruncated,
            @JsonProperty("since_previous_seconds") Long sincePreviousSeconds) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Chain(
            @JsonProperty("correlation_id") String correlationId,
            String outcome,
            int count,
            List<String> services,
            List<String> nodes,
            EventRef first,
            EventRef last,
            Failure failure,
            List<RemediationStep> remediations,
            @JsonProperty("elapsed_seconds") long elapsedSeconds,
            List<ChainEvent> events,
            @JsonProperty("events_omitted") int eventsOmitted) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RemediationHistory(
            List<RemediationStep> steps,
            int total,
            @JsonProperty("has_more") boolean hasMore) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RemediationRecorded(
            String id,
            String timestamp,
            @JsonProperty("correlation_id") String correlationId,
            String type,
            String step,
            String path,
            @JsonProperty("started_event_id") String startedEventId) {
    }

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

    public record ServiceStatusList(List<ServiceStatus> services) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Incident(
            @JsonProperty("correlation_id") String correlationId,
            String outcome,
            List<String> services,
            @JsonProperty("first_at") String firstAt,
            @JsonProperty("last_at") String lastAt,
            @JsonProperty("last_type") String lastType,
            Failure failure,
            @JsonProperty("open_remediations") int openRemediations) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IncidentList(
            List<Incident> incidents,
            int total,
            @JsonProperty("has_more") boolean hasMore) {
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

    public record NodeStatusList(List<NodeStatus> nodes) {
    }

    /** sync_now: per peer, what the pull wrote, skipped as identical, and reported. */
    public record SyncRun(List<dev.homelab.events.sync.PeerPuller.RunResult> peers) {
    }

    /** get_sync_status: this node and, per peer, state, last success and error, events pulled, lag. */
    public record SyncStatus(
            String node,
            @JsonProperty("schedule_enabled") boolean scheduleEnabled,
            @JsonProperty("interval_seconds") long intervalSeconds,
            List<dev.homelab.events.sync.PeerPuller.Status> peers) {
    }
}
