package dev.homelab.events.agent;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.audit.Finding;
import dev.homelab.events.service.ChainAnalysis;
import dev.homelab.events.service.Replication;
import dev.homelab.events.service.StatusViews;

/**
 * The result records of the tools that shape their own answer (payloads cut to the budget, lists wrapped in an
 * object). Tools whose answer is a service-side view (remediation history, incidents) return that view's record.
 * The MCP outputSchema is generated from the records; absent values are omitted rather than sent as null, so the
 * schema never has to allow null and results stay compact.
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
            @JsonProperty("payload_truncated") Boolean payloadTruncated) {
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
    public record ChainEvent(
            String id,
            String timestamp,
            String node,
            String type,
            String severity,
            String source,
            String service,
            ObjectNode payload,
            @JsonProperty("payload_truncated") Boolean payloadTruncated,
            @JsonProperty("since_previous_seconds") Long sincePreviousSeconds) {
    }

    /**
     * One remediation step as a tool answers it: what the chain or the filter already says is left out
     * ({@code correlation_id}, {@code service}; {@code step} when it is the action, its default). The history
     * carries the ids of the start and completion events (an agent cites them); a chain summary does not, its
     * events carry them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(
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

        static Step of(ChainAnalysis.RemediationStep s, boolean withChain, boolean withService, boolean withIds) {
            return new Step(withChain ? s.correlationId() : null, withService ? s.service() : null,
                    s.step() != null && s.step().equals(s.action()) ? null : s.step(), s.action(), s.actor(), s.status(),
                    s.startedAt(), withIds ? s.startedEventId() : null, s.completedAt(),
                    withIds ? s.completedEventId() : null, s.result(), s.elapsedSeconds());
        }
    }

    /** get_remediation_history: a page of steps, newest first, how many matched, whether there are more. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(
            List<Step> steps,
            int total,
            @JsonProperty("has_more") boolean hasMore) {
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
            ChainAnalysis.Failure failure,
            List<Step> remediations,
            @JsonProperty("remediations_omitted") int remediationsOmitted,
            @JsonProperty("elapsed_seconds") long elapsedSeconds,
            List<ChainEvent> events,
            @JsonProperty("events_omitted") int eventsOmitted) {
    }

    /** One service's status, compact (the id of the health event is left out: list_events finds it). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServiceView(
            String service,
            String health,
            @JsonProperty("health_since") String healthSince,
            StatusViews.Deployment deployment,
            @JsonProperty("last_event_at") String lastEventAt,
            int events) {
    }

    /** Services that need attention first (unhealthy, then unknown, then healthy), by name within each. */
    public record ServiceStatusList(
            List<ServiceView> services,
            int total,
            @JsonProperty("has_more") boolean hasMore) {
    }

    public record NodeStatusList(List<StatusViews.NodeStatus> nodes) {
    }

    /** sync_now: per peer, what the pull wrote, skipped as identical, and reported. */
    public record SyncRun(List<Replication.PeerRun> peers) {
    }

    /**
     * get_sync_status: this node, per peer, state, last success and error, events pulled, lag; and NATS (see
     * {@link Replication.Status}).
     */
    public record SyncStatus(
            String node,
            @JsonProperty("schedule_enabled") boolean scheduleEnabled,
            @JsonProperty("interval_seconds") long intervalSeconds,
            List<Replication.PeerStatus> peers,
            JsonNode nats) {
    }

    /**
     * verify_audit_trail: the shape the issue asks for ({@code ok}, {@code checked}, {@code problems}), with at most
     * {@link AuditTools#LISTED} problems listed (by path) so the answer fits a model's context however much was found;
     * {@code problems_total} counts them all. GET /api/audit/verify lists every problem and the notices.
     */
    public record AuditVerification(
            boolean ok,
            long checked,
            List<Finding> problems,
            @JsonProperty("problems_total") int problemsTotal) {
    }
}
