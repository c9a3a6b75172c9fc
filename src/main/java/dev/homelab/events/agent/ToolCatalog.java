package dev.homelab.events.agent;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.NotFoundException;
import dev.homelab.events.ReadOnlyTools;
import dev.homelab.events.Text;
import dev.homelab.events.config.ToolsConfig;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.Incidents;
import dev.homelab.events.service.Remediations;

/**
 * The one catalog of agent tools: name, description, argument and result records, schemas, and the
 * method that runs each. MCP, function calling and LangChain4j all publish and call tools from here, so
 * names, descriptions and schemas are identical on every face. In read-only mode the write tools are
 * neither listed nor callable.
 */
@ApplicationScoped
public class ToolCatalog implements ReadOnlyTools {

    /** The causal-chain view that MCP Apps hosts show beside a get_causal_chain result (docs/mcp.md, "MCP App"). */
    public static final String CHAIN_APP_URI = "ui://chain";

    /** Tools whose results have a view: the tool's name and the {@code ui://} resource that renders them. */
    private static final Map<String, String> APPS = Map.of("get_causal_chain", CHAIN_APP_URI);

    /**
     * One tool. {@code write} tools append events; all others only read. Schemas are derived once, from
     * the records, at start. {@code appUri} is the {@code ui://} resource that renders its result (MCP Apps), or
     * null.
     */
    public record Tool(String name, String title, String description, boolean write, Class<? extends Record> argsType,
            Class<?> resultType, ObjectNode inputSchema, ObjectNode strictSchema, ObjectNode outputSchema,
            Function<Record, Object> handler, String appUri) {

        /** True for read tools: they change nothing and repeat safely (MCP readOnlyHint and idempotentHint). */
        public boolean readOnly() {
            return !write;
        }
    }

    private final List<Tool> all;
    private final boolean readOnlyMode;
    private final ArgBinder binder;
    private final List<String> eventTypes;

    @Inject
    public ToolCatalog(EventTools t, SyncTools sync, AuditTools audit, ToolsConfig config, ObjectMapper mapper,
            EventService events) {
        this.readOnlyMode = config.readOnly();
        this.binder = new ArgBinder(mapper);
        this.eventTypes = events.types();
        this.all = List.of(
                tool("emit_event", true, ToolArgs.EmitEvent.class, ToolResults.Emitted.class, t::emitEvent,
                        "Record one event durably (append-only). Reuse a correlation_id to extend a causal chain."),
                tool("list_events", false, ToolArgs.ListEvents.class, ToolResults.EventList.class, t::listEvents,
                        "Events newest first, filters ANDed; pass next_cursor as cursor for more. "
                                + "Payloads cut to 256 bytes (payload_truncated): get_event has more."),
                tool("get_event", false, ToolArgs.GetEvent.class, ToolResults.EventView.class, t::getEvent,
                        "One event by id; the full payload is at resource homelab://events/{id}."),
                tool("get_causal_chain", false, ToolArgs.GetCausalChain.class, ToolResults.Chain.class, t::getCausalChain,
                        "Chain across nodes and days: outcome (resolved, failed, in_progress, remediating), failure, "
                                + "first/last, recent steps and events (oldest first), omitted counts."),
                tool("get_remediation_history", false, ToolArgs.GetRemediationHistory.class,
                        ToolResults.History.class, t::getRemediationHistory,
                        "Remediation steps already tried for a service and/or chain, newest first, open or completed "
                                + "with result. Call before acting, so no fix is repeated."),
                tool("record_remediation", true, ToolArgs.RecordRemediation.class, Remediations.Recorded.class,
                        t::recordRemediation,
                        "Record a remediation step: phase=start before acting, phase=complete after, same step key. "
                                + "Refuses to start a step still open or to complete one never started."),
                tool("get_service_status", false, ToolArgs.GetServiceStatus.class, ToolResults.ServiceStatusList.class,
                        t::getServiceStatus,
                        "Per service, unhealthy first: health from the latest service_unhealthy/healthcheck_failed vs "
                                + "service_recovered, latest deployment, last event."),
                tool("list_open_incidents", false, ToolArgs.ListOpenIncidents.class, Incidents.IncidentList.class,
                        t::listOpenIncidents,
                        "Chains with a failure not resolved, active in the last 30 days (or since), most recent first; "
                                + "get_causal_chain for details."),
                tool("get_node_status", false, ToolArgs.GetNodeStatus.class, ToolResults.NodeStatusList.class,
                        t::getNodeStatus,
                        "Per node: online, offline or unknown from the latest node_online/node_offline; last event."),
                tool("sync_now", true, ToolArgs.SyncNow.class, ToolResults.SyncRun.class, sync::syncNow,
                        "Pull missing events from the peer nodes now, ignoring backoff; per peer: ok, written, "
                                + "identical, conflicts (never overwritten), error."),
                tool("get_sync_status", false, ToolArgs.GetSyncStatus.class, ToolResults.SyncStatus.class,
                        sync::getSyncStatus,
                        "Peer pull state, last success/error, lag, conflicts; NATS connection, backlog, lag, last error."),
                tool("verify_audit_trail", false, ToolArgs.VerifyAuditTrail.class, ToolResults.AuditVerification.class,
                        audit::verifyAuditTrail,
                        "Checks events against their seals and signed daily digests; problems mean tampering."));
    }

    @SuppressWarnings("unchecked")
    private <A extends Record> Tool tool(String name, boolean write, Class<A> args, Class<?> result,
            Function<A, Object> run, String description) {
        ObjectNode input = JsonSchemas.input(args, eventTypes);
        return new Tool(name, title(name), description, write, args, result, input, JsonSchemas.strict(input),
                JsonSchemas.output(result), r -> run.apply((A) r), APPS.get(name));
    }

    /** A human title from the snake_case name: get_causal_chain becomes "Get causal chain". */
    private static String title(String name) {
        String t = name.replace('_', ' ');
        return Character.toUpperCase(t.charAt(0)) + t.substring(1);
    }

    /** Tools offered on every face: all of them, or only the read tools in read-only mode. */
    public List<Tool> visible() {
        return readOnlyMode ? readOnlyTools() : all;
    }

    /** The read tools, whatever the mode: what the LangChain4j agent may use. */
    public List<Tool> readOnlyTools() {
        return all.stream().filter(Tool::readOnly).toList();
    }

    @Override
    public Set<String> readOnlyToolNames() {
        return readOnlyTools().stream().map(Tool::name).collect(Collectors.toUnmodifiableSet());
    }

    public boolean readOnlyMode() {
        return readOnlyMode;
    }

    public Optional<Tool> find(String name) {
        return visible().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /**
     * Runs a visible tool with JSON arguments. Throws the service's exceptions: NotFoundException for an
     * unknown (or, in read-only mode, hidden) tool and for unknown ids, InvalidInputException naming each bad
     * argument.
     */
    public Object call(String name, JsonNode arguments) {
        Tool tool = find(name).orElseThrow(() -> new NotFoundException("no tool named '" + Text.echo(name, 64) + "'"
                + (readOnlyMode && all.stream().anyMatch(t -> t.name().equals(name))
                        ? " (write tools are disabled: read-only mode)"
                        : "; tools: " + String.join(", ", visible().stream().map(Tool::name).toList()))));
        return call(tool, arguments);
    }

    /** Runs a tool from a list this catalog gave out (the LangChain4j face restricts itself to read tools). */
    public Object call(Tool tool, JsonNode arguments) {
        Record args = binder.bind(tool.name(), arguments, tool.argsType());
        return tool.handler().apply(args);
    }
}
