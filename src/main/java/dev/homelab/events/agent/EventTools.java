package dev.homelab.events.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.EventPage;
import dev.homelab.events.EventTypes;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.Timestamps;
import dev.homelab.events.agent.ToolResults.Chain;
import dev.homelab.events.agent.ToolResults.ChainEvent;
import dev.homelab.events.agent.ToolResults.Deployment;
import dev.homelab.events.agent.ToolResults.EventList;
import dev.homelab.events.agent.ToolResults.EventRef;
import dev.homelab.events.agent.ToolResults.EventView;
import dev.homelab.events.agent.ToolResults.IncidentList;
import dev.homelab.events.agent.ToolResults.NodeStatus;
import dev.homelab.events.agent.ToolResults.NodeStatusList;
import dev.homelab.events.agent.ToolResults.RemediationHistory;
import dev.homelab.events.agent.ToolResults.RemediationRecorded;
import dev.homelab.events.agent.ToolResults.RemediationStep;
import dev.homelab.events.agent.ToolResults.ServiceStatus;
import dev.homelab.events.agent.ToolResults.ServiceStatusList;
import dev.homelab.events.config.ToolsConfig;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.service.Emitted;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.TimeExpressions;

/**
 * The implementation of every agent tool, on top of {@link EventService} only. Faces (MCP, function
 * calling, LangChain4j) reach these methods through {@link ToolCatalog}, which binds and checks arguments.
 */
@ApplicationScoped
public class EventTools {

    /** Listing limits of the agent tools: small, because every event costs a model context. */
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 200;
    static final int CHAIN_DEFAULT_LIMIT = 50;
    static final int NOTE_MAX_CHARS = 500;
    /**
     * list_open_incidents looks at chains active in this window unless {@code since} says otherwise: the
     * outcome of a chain ending in a remediation_completed needs its payload, so an all-time listing would
     * read files of every old chain; the window keeps the answer exact and fast (docs/mcp.md).
     */
    public static final Duration INCIDENT_DEFAULT_WINDOW = Duration.ofDays(30);
    private static final Set<String> HEALTH_TYPES = Set.of(EventTypes.SERVICE_UNHEALTHY, EventTypes.HEALTHCHECK_FAILED,
            EventTypes.SERVICE_RECOVERED);
    private static final Set<String> DEPLOYMENT_TYPES = Set.of(EventTypes.DEPLOYMENT_STARTED,
            EventTypes.DEPLOYMENT_COMPLETED, EventTypes.DEPLOYMENT_FAILED);
    private static final Set<String> NODE_STATE_TYPES = Set.of(EventTypes.NODE_OFFLINE, EventTypes.NODE_ONLINE);

    @Inject
    EventService service;
    @Inject
    ObjectMapper mapper;

    private final PayloadBudget budget;
    private OpenIncidents incidents;

    @Inject
    public EventTools(ToolsConfig config) {
        this.budget = new PayloadBudget(config.payloadBudgetBytes());
    }

    @jakarta.annotation.PostConstruct
    void init() {
        incidents = new OpenIncidents(service);
    }

    public ToolResults.Emitted emitEvent(ToolArgs.EmitEvent a) {
        Emitted e = service.emit(new EventDraft(a.timestamp(), a.node(), a.type(), a.severity(), a.source(), a.service(),
                a.correlationId(), a.payload()));
        return emitted(e);
    }

    public EventList listEvents(ToolArgs.ListEvents a) {
        EventPage page;
        try {
            page = service.list(new ListCriteria(a.since(), a.until(), a.node() == null ? null : List.of(a.node()), a.types(),
                    a.minSeverity(), a.service(), a.source(), a.correlationId(), null, a.limit(), a.cursor()),
                    DEFAULT_LIMIT, MAX_LIMIT);
        } catch (InvalidInputException e) {
            // the service names the REST parameter 'type'; this tool's argument is 'types'
            throw new InvalidInputException(e.errors().stream()
                    .map(f -> f.field().equals("type") ? new FieldError("types", f.value(), f.message()) : f).toList());
        }
        return new EventList(page.events().stream().map(this::view).toList(), page.total(), page.hasMore(), page.nextCursor());
    }

    public EventView getEvent(ToolArgs.GetEvent a) {
        return view(service.get(a.id()));
    }

    public Chain getCausalChain(ToolArgs.GetCausalChain a) {
        List<Event> events = service.chain(a.correlationId());
        int limit = a.limit() == null ? CHAIN_DEFAULT_LIMIT : a.limit();
        Event first = events.get(0);
        Event last = events.get(events.size() - 1);
        int omitted = Math.max(0, events.size() - limit);
        List<ChainEvent> steps = new ArrayList<>();
        for (int i = omitted; i < events.size(); i++) {
            Event e = events.get(i);
            PayloadBudget.Cut cut = budget.apply(e.payload());
            Long since = i == 0 ? null : Duration.between(events.get(i - 1).timestamp(), e.timestamp()).toSeconds();
            steps.add(new ChainEvent(e.id().toString(), Timestamps.toJson(e.timestamp()), e.node(), e.type(),
                    e.severity().wireName(), e.source(), e.service(), cut.payload(), cut.truncated(), since));
        }
        return new Chain(a.correlationId(), ChainAnalysis.outcome(events), events.size(), distinct(events, Event::service),
                distinct(events, Event::node), ref(first), ref(last), ChainAnalysis.failure(events),
                ChainAnalysis.remediations(events), Duration.between(first.timestamp(), last.timestamp()).toSeconds(),
                steps, omitted);
    }

    public RemediationHistory getRemediationHistory(ToolArgs.GetRemediationHistory a) {
        boolean byService = a.service() != null && !a.service().isBlank();
        boolean byChain = a.correlationId() != null && !a.correlationId().isBlank();
        if (!byService && !byChain) {
            throw new InvalidInputException("service", null, "give service or correlation_id (or both)");
        }
        List<RemediationStep> steps = new ArrayList<>();
        if (byChain) {
            steps.addAll(ChainAnalysis.remediations(service.chain(a.correlationId())));
        } else {
            // pair within each chain: a completion only ever closes a start of its own correlation id
            Map<String, List<Event>> byCid = new TreeMap<>();
            for (Event e : service.loadAll(scan(Set.of(EventTypes.REMEDIATION_STARTED, EventTypes.REMEDIATION_COMPLETED),
                    a.service(), null))) {
                byCid.computeIfAbsent(e.correlationId(), k -> new ArrayList<>()).add(e);
            }
            byCid.values().forEach(chain -> steps.addAll(ChainAnalysis.remediations(chain)));
        }
        List<RemediationStep> matching = steps.stream()
                .filter(s -> !byService || a.service().equals(s.service()))
                .sorted(Comparator.comparing(EventTools::stepTime).reversed())
                .toList();
        int limit = a.limit() == null ? DEFAULT_LIMIT : a.limit();
        return new RemediationHistory(matching.stream().limit(limit).toList(), matching.size(), matching.size() > limit);
    }

    public RemediationRecorded recordRemediation(ToolArgs.RecordRemediation a) {
        boolean start = a.phase().equals("start");
        String step = a.step() == null || a.step().isBlank() ? a.action() : a.step();
        if (a.note() != null && a.note().length() > NOTE_MAX_CHARS) {
            throw new InvalidInputException("note", a.note(), "is " + a.note().length() + " characters; at most "
                    + NOTE_MAX_CHARS + " allowed");
        }
        if (start && a.result() != null) {
            throw new InvalidInputException("result", a.result(), "is only allowed with phase=complete");
        }
        List<Event> chain = existingChain(a.correlationId());
        List<Event> open = openStarts(chain, a.service());
        Event started = null;
        for (Event s : open) {
            if (step.equals(ChainAnalysis.stepKey(s))) {
                started = s;
            }
        }
        if (start && started != null) {
            throw new InvalidInputException("step", step, "was already started in " + a.correlationId() + " at "
                    + Timestamps.toJson(started.timestamp()) + " (event " + started.id() + ") and not completed; complete "
                    + "it first (phase=complete) or use another step key");
        }
        if (!start && started == null) {
            throw new InvalidInputException("step", step, "has no open remediation_started for service " + a.service()
                    + " in " + a.correlationId() + "; open steps: "
                    + (open.isEmpty() ? "none" : String.join(", ", open.stream().map(ChainAnalysis::stepKey).toList()))
                    + ". Record phase=start first");
        }
        ObjectNode payload = mapper.createObjectNode().put("action", a.action()).put("step", step).put("actor", a.actor());
        if (!start) {
            payload.put("result", a.result() == null ? "succeeded" : a.result());
            payload.put("started_event_id", started.id().toString());
        }
        if (a.note() != null && !a.note().isBlank()) {
            payload.put("note", a.note());
        }
        String severity = start ? "warning" : "failed".equals(a.result()) ? "error" : "info";
        Emitted e = service.emit(new EventDraft(null, null,
                start ? EventTypes.REMEDIATION_STARTED : EventTypes.REMEDIATION_COMPLETED, severity, a.actor(), a.service(),
                a.correlationId(), payload));
        return new RemediationRecorded(e.event().id().toString(), Timestamps.toJson(e.event().timestamp()),
                e.event().correlationId(), e.event().type(), step, e.path(), started == null ? null : started.id().toString());
    }

    public ServiceStatusList getServiceStatus(ToolArgs.GetServiceStatus a) {
        List<EventIndex.ValueStatus> found = service.statusBy(EventIndex.Dimension.SERVICE, a.service(),
                List.of(HEALTH_TYPES, DEPLOYMENT_TYPES));
        if (a.service() != null && found.isEmpty()) {
            throw new NotFoundException("no events for service " + a.service() + "; known services: "
                    + String.join(", ", services()));
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
        return new ServiceStatusList(out);
    }

    public IncidentList listOpenIncidents(ToolArgs.ListOpenIncidents a) {
        Instant now = Instant.now();
        Instant since = a.since() == null || a.since().isBlank()
                ? now.minus(INCIDENT_DEFAULT_WINDOW)
                : TimeExpressions.parse("since", a.since(), now);
        int limit = a.limit() == null ? DEFAULT_LIMIT : a.limit();
        return incidents.open(since, limit);
    }

    public NodeStatusList getNodeStatus(ToolArgs.GetNodeStatus a) {
        List<EventIndex.ValueStatus> found = service.statusBy(EventIndex.Dimension.NODE, a.node(), List.of(NODE_STATE_TYPES));
        if (a.node() != null && found.isEmpty()) {
            throw new NotFoundException("no events from node " + a.node() + "; known nodes: "
                    + String.join(", ", service.values(EventIndex.Dimension.NODE)));
        }
        List<NodeStatus> out = new ArrayList<>(found.size());
        for (EventIndex.ValueStatus v : found) {
            IndexEntry state = v.latestOfGroup().get(0);
            String name = state == null ? "unknown" : EventTypes.NODE_OFFLINE.equals(state.type()) ? "offline" : "online";
            out.add(new NodeStatus(v.value(), name, state == null ? null : time(state), time(v.last()), v.last().type(),
                    (int) v.count()));
        }
        return new NodeStatusList(out);
    }

    /** Service names seen in the store, sorted; for completion and error messages. */
    public List<String> services() {
        return service.values(EventIndex.Dimension.SERVICE);
    }

    /** Correlation ids seen in the store, sorted; for completion. */
    public List<String> correlationIds() {
        return service.correlationIds().stream().sorted().toList();
    }

    /** The full event, without truncation: for the homelab://events/{id} resource. */
    public Event fullEvent(String id) {
        return service.get(id);
    }

    /** The full chain, without truncation: for the homelab://chains/{correlation_id} resource. */
    public List<Event> fullChain(String correlationId) {
        return service.chain(correlationId);
    }

    private List<Event> existingChain(String correlationId) {
        try {
            return service.chain(correlationId);
        } catch (NotFoundException e) {
            return List.of();
        }
    }

    private static List<Event> openStarts(List<Event> chain, String serviceName) {
        List<Event> open = new ArrayList<>();
        for (Event e : chain) {
            if (EventTypes.REMEDIATION_STARTED.equals(e.type()) && serviceName.equals(e.service())) {
                open.add(e);
            } else if (EventTypes.REMEDIATION_COMPLETED.equals(e.type())) {
                Event s = ChainAnalysis.matchStart(open, e);
                if (s != null) {
                    open.remove(s);
                }
            }
        }
        return open;
    }

    /** Every index entry matching, oldest first; derived views read the index, never the files directly. */
    private List<IndexEntry> scan(Set<String> types, String serviceName, String correlationId) {
        return service.entries(new EventQuery(null, null, Set.of(), types, null, serviceName, null, correlationId, false, null,
                Integer.MAX_VALUE)).entries();
    }

    EventView view(Event e) {
        PayloadBudget.Cut cut = budget.apply(e.payload());
        return new EventView(e.id().toString(), Timestamps.toJson(e.timestamp()), e.node(), e.type(), e.severity().wireName(),
                e.source(), e.service(), e.correlationId(), cut.payload(), cut.truncated());
    }

    private static ToolResults.Emitted emitted(Emitted e) {
        Event ev = e.event();
        return new ToolResults.Emitted(ev.id().toString(), Timestamps.toJson(ev.timestamp()), ev.correlationId(), ev.node(),
                ev.type(), e.path());
    }

    private static EventRef ref(Event e) {
        return new EventRef(e.id().toString(), Timestamps.toJson(e.timestamp()), e.type(), e.node());
    }

    private static List<String> distinct(List<Event> events, java.util.function.Function<Event, String> f) {
        Set<String> out = new LinkedHashSet<>();
        for (Event e : events) {
            String v = f.apply(e);
            if (v != null) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }

    private static String stepTime(RemediationStep s) {
        return s.startedAt() != null ? s.startedAt() : s.completedAt();
    }

    private static String time(IndexEntry e) {
        return Timestamps.toJson(Timestamps.fromMicros(e.timestampMicros()));
    }
}
