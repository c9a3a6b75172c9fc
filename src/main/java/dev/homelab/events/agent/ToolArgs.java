package dev.homelab.events.agent;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Names;
import dev.homelab.events.service.Remediations;

/**
 * The argument records of every tool. Each component's {@link ToolArg} is the single definition of that
 * argument: its JSON schema on every face (MCP inputSchema, OpenAI parameters, LangChain4j) and its checks.
 * Descriptions are short on purpose: the whole catalog must stay well under 3,000 tokens.
 */
public final class ToolArgs {

    /** Longest source, service, correlation id (and remediation action, actor, step), as the store enforces. */
    private static final int T = Names.TEXT_MAX_LENGTH;
    /** The optional id of a write tool: a UUID the caller picks so that a retried call records nothing twice. */
    static final String ID_DESCRIPTION = "Event id (UUID) you choose, so a retry records nothing twice; default: new";

    private ToolArgs() {
    }

    public record EmitEvent(
            @ToolArg(value = "Event type", required = true, eventTypes = true) String type,
            @ToolArg(value = "Severity", required = true, allowed = {
                    "info", "warning", "error", "critical" }) String severity,
            @ToolArg(value = "Emitting script or agent, e.g. deploy.sh", required = true, maxLength = T) String source,
            @ToolArg(value = "Affected service, e.g. mosquitto", required = true, maxLength = T) String service,
            @JsonProperty("correlation_id") @ToolArg(value = "Chain id, e.g. deploy-882; default: the new event's id", maxLength = T) String correlationId,
            @ToolArg(value = "Node name; default: this server's node", maxLength = Names.NODE_MAX_LENGTH) String node,
            @ToolArg(value = "Default: now; at most 24h ahead", format = "date-time") String timestamp,
            @ToolArg("Free JSON object, e.g. {\"stage\":\"verify\"}") ObjectNode payload,
            @ToolArg(ID_DESCRIPTION) String id){
    }

    public record ListEvents(
            @ToolArg("From (inclusive): ISO 8601, 'now-1h' or '24h' (= 24h ago)") String since,
            @ToolArg("Until (exclusive), same forms") String until,
            @ToolArg("Node name") String node,
            @ToolArg(value = "Event types, any of", eventTypes = true) List<String> types,
            @JsonProperty("min_severity") @ToolArg(value = "Minimum severity", allowed = {
                    "info", "warning", "error",
                    "critical" }) String minSeverity,
            @ToolArg("Service name") String service,
            @ToolArg("Source name") String source,
            @JsonProperty("correlation_id") @ToolArg("Chain id") String correlationId,
            @ToolArg(value = "Page size, default 10", minimum = 1, maximum = 200) Integer limit,
            @ToolArg("next_cursor of the previous answer") String cursor){
    }

    public record GetEvent(@ToolArg(value = "Event id", required = true, format = "uuid") String id) {
    }

    public record GetCausalChain(
            @JsonProperty("correlation_id") @ToolArg(value = "Chain id, e.g. deploy-882", required = true, maxLength = T) String correlationId,
            @ToolArg(value = "Most recent events to include, default 8", minimum = 1, maximum = 200) Integer limit) {
    }

    public record GetRemediationHistory(
            @ToolArg("Service name (give this or correlation_id)") String service,
            @JsonProperty("correlation_id") @ToolArg("Chain id") String correlationId,
            @ToolArg(value = "Max steps, default 10", minimum = 1, maximum = 200) Integer limit) {
    }

    public record RecordRemediation(
            @ToolArg(value = "start before acting, complete after", required = true, allowed = {
                    "start", "complete" }) String phase,
            @JsonProperty("correlation_id") @ToolArg(value = "Chain id of the incident", required = true, maxLength = T) String correlationId,
            @ToolArg(value = "Service acted on", required = true, maxLength = T) String service,
            @ToolArg(value = "Action, e.g. restart_service", required = true, maxLength = T) String action,
            @ToolArg(value = "Who acts, e.g. agent name (stored as source)", required = true, maxLength = T) String actor,
            @ToolArg(value = "Step key linking complete to start; default: action", maxLength = T) String step,
            @ToolArg(value = "Outcome of complete, default succeeded", allowed = { "succeeded", "failed" }) String result,
            @ToolArg(value = "Short note", maxLength = Remediations.NOTE_MAX_CHARS) String note,
            @ToolArg(ID_DESCRIPTION) String id){
    }

    public record GetServiceStatus(@ToolArg("One service; default: all") String service,
            @ToolArg(value = "Max services, default 10", minimum = 1, maximum = 200) Integer limit) {
    }

    public record ListOpenIncidents(
            @ToolArg("Only chains active since: ISO 8601, 'now-1h' or '7d'; default 30d") String since,
            @ToolArg(value = "Max incidents, default 8", minimum = 1, maximum = 200) Integer limit) {
    }

    public record GetNodeStatus(@ToolArg("One node; default: all") String node) {
    }

    public record SyncNow(@ToolArg("Only this peer (its configured name); default: every peer") String peer) {
    }

    public record GetSyncStatus(@ToolArg("One peer (its configured name); default: every peer") String peer) {
    }

    // terse on purpose: tools/list has a budget of 2,500 tokens for all twelve tools (AnswerSizeTest)
    public record VerifyAuditTrail(
            @ToolArg("First UTC day") String since,
            @ToolArg("Last UTC day") String until,
            @ToolArg("One node") String node) {
    }
}
