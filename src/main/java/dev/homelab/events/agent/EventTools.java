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
import dev.homelab.events.ListCriteria;
import dev.homelab.events.Timestamps;
import dev.homelab.events.agent.ToolResults.Chain;
import dev.homelab.events.agent.ToolResults.ChainEvent;
import dev.homelab.events.agent.ToolResults.Deployment;
import dev.homelab.events.agent.ToolResults.EventList;
import dev.homelab.events.agent.ToolResults.EventRef;
import dev.homelab.events.agent.ToolResults.EventView;
import dev.homelab.events.agent.ToolResults.Incident;
import dev.homelab.events.agent.ToolResults.IncidentList;
import dev.homelab.events.agent.ToolResults.NodeStatus;
import dev.homelab.events.agent.ToolResults.NodeStatusList;
import dev.homelab.events.agent.ToolResults.RemediationHistory;
import dev.homelab.events.agent.ToolResults.RemediationRecorded;
import dev.homelab.events.agent.ToolResults.RemediationStep;
import dev.homelab.events.agent.ToolResults.ServiceStatus;
import dev.homelab.events.agent.ToolResults.ServiceStatusList;
import dev.homelab.events.config.ToolsConfig;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.service.Emitted;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.FieldError;
import dev.homelab.events.service.InvalidInputException;
import dev.homelab.events.service.NotFoundException;
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

    @Inject
    EventService service;
    @Inject
    ObjectMapper mapper;

    private final PayloadBudget budget;

    @Inject
    public EventTools(ToolsConfig config) {
        this.budget = new PayloadBudget(config.payloadBudgetBytes());
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
        Map<String, ServiceAcc> acc = new TreeMap<>();
        for (IndexEntry e : scan(Set.of(), a.service(), null)) {
            if (e.service() != null) {
                acc.computeIfAbsent(e.service(), ServiceAcc::new).add(e);
            }
        }
        if (a.service() != null && acc.isEmpty()) {
            throw new NotFoundException("no events for service " + a.service() + "; known services: "
                    + String.join(", ", services()));
        }
        return new ServiceStatusList(acc.values().stream().map(ServiceAcc::status).toList());
    }

    public IncidentList listOpenIncidents(ToolArgs.ListOpenIncidents a) {
        Instant since = a.since() == null || a.since().isBlank() ? null
                : TimeExpressions.parse("since", a.since(), Instant.now());
        List<Incident> open = new ArrayList<>();
        for (String cid : service.correlationIds()) {
            List<IndexEntry> entries = scan(Set.of(), null, cid);
            if (entries.isEmpty() || !ChainAnalysis.isIncident(entries)) {
                continue;
            }
            IndexEntry lastEntry = entries.get(entries.size() - 1);
            if (since != null && lastEntry.timestampMicros() < Timestamps.toMicros(since)) {
                continue;
            }
            List<Event> chain = service.loadAll(entries);
            if (chain.isEmpty()) {
                continue;
            }
            String outcome = ChainAnalysis.outcome(chain);
            if (outcome.equals(ChainAnalysis.RESOLVED)) {
                continue;
            }
            Event last = chain.get(chain.size() - 1);
            int openSteps = (int) ChainAnalysis.remediations(chain).stream().filter(s -> s.status().equals("open")).count();
            open.add(new Incident(cid, outcome, distinct(chain, Event::service), Timestamps.toJson(chain.get(0).timestamp()),
                    Timestamps.toJson(last.timestamp()), last.type(), ChainAnalysis.failure(chain), openSteps));
        }
        open.sort(Comparator.comparing(Incident::lastAt).reversed());
        int limit = a.limit() == null ? DEFAULT_LIMIT : a.limit();
        return new IncidentList(open.stream().limit(limit).toList(), open.size(), open.size() > limit);
    }

    public NodeStatusList getNodeStatus(ToolArgs.GetNodeStatus a) {
        Map<String, NodeAcc> acc = new TreeMap<>();
        for (IndexEntry e : scan(Set.of(), null, null)) {
            if (a.node() == null || a.node().equals(e.node())) {
                acc.computeIfAbsent(e.node(), NodeAcc::new).add(e);
            }
        }
        if (a.node() != null && acc.isEmpty()) {
            throw new NotFoundException("no events from node " + a.node() + "; known nodes: "
                    + String.join(", ", scan(Set.of(), null, null).stream().map(IndexEntry::node).distinct().sorted().toList()));
        }
        return new NodeStatusList(acc.values().stream().map(NodeAcc::status).toList());
    }

    /** Service names seen in the store, sorted; for completion and error messages. */
    public List<String> services() {
        return scan(Set.of(), null, null).stream().map(IndexEntry::service).filter(s -> s != null).distinct().sorted().toList();
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

    /** Folds a service's entries, oldest first, into its latest health and deployment state. */
    private static final class ServiceAcc {
        final String name;
        String health = "unknown";
        IndexEntry healthEvent;
        IndexEntry deployment;
        IndexEntry last;
        int count;

        ServiceAcc(String name) {
            this.name = name;
        }

        void add(IndexEntry e) {
            count++;
            last = e;
            switch (e.type()) {
                case EventTypes.SERVICE_UNHEALTHY, EventTypes.HEALTHCHECK_FAILED -> {
                    health = "unhealthy";
                    healthEvent = e;
                }
                case EventTypes.SERVICE_RECOVERED -> {
                    health = "healthy";
                    healthEvent = e;
                }
                case EventTypes.DEPLOYMENT_STARTED, EventTypes.DEPLOYMENT_COMPLETED, EventTypes.DEPLOYMENT_FAILED -> deployment = e;
                default -> {
                    // other types do not change health or deployment state
                }
            }
        }

        ServiceStatus status() {
            Deployment d = null;
            if (deployment != null) {
                String state = switch (deployment.type()) {
                    case EventTypes.DEPLOYMENT_STARTED -> "in_progress";
                    case EventTypes.DEPLOYMENT_FAILED -> "failed";
                    default -> "completed";
                };
                d = new Deployment(state, deployment.correlationId(), time(deployment));
            }
            return new ServiceStatus(name, health, healthEvent == null ? null : time(healthEvent),
                    healthEvent == null ? null : healthEvent.id().toString(), d, time(last), count);
        }
    }

    /** Folds a node's entries, oldest first, into its latest online/offline state. */
    private static final class NodeAcc {
        final String name;
        String state = "unknown";
        IndexEntry stateEvent;
        IndexEntry last;
        int count;

        NodeAcc(String name) {
            this.name = name;
        }

        void add(IndexEntry e) {
            count++;
            last = e;
            if (EventTypes.NODE_OFFLINE.equals(e.type())) {
                state = "offline";
                stateEvent = e;
            } else if (EventTypes.NODE_ONLINE.equals(e.type())) {
                state = "online";
                stateEvent = e;
            }
        }

        NodeStatus status() {
            return new NodeStatus(name, state, stateEvent == null ? null : time(stateEvent), time(last), last.type(), count);
        }
    }
}
