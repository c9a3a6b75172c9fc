package dev.homelab.events.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.EventPage;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.Timestamps;
import dev.homelab.events.agent.ToolResults.Chain;
import dev.homelab.events.agent.ToolResults.ChainEvent;
import dev.homelab.events.agent.ToolResults.EventList;
import dev.homelab.events.agent.ToolResults.EventRef;
import dev.homelab.events.agent.ToolResults.EventView;
import dev.homelab.events.agent.ToolResults.NodeStatusList;
import dev.homelab.events.agent.ToolResults.ServiceStatusList;
import dev.homelab.events.config.ToolsConfig;
import dev.homelab.events.service.ChainAnalysis;
import dev.homelab.events.service.Emitted;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.Incidents;
import dev.homelab.events.service.Remediations;
import dev.homelab.events.service.StatusViews;

/**
 * The event tools: each converts its argument record, calls the service side (which holds every rule: chain
 * analysis, incidents, service and node health, remediation pairing) and converts the answer, cutting payloads
 * to the budget a model's context allows. Faces reach these methods through {@link ToolCatalog}, which binds and
 * checks arguments.
 */
@ApplicationScoped
public class EventTools {

    /**
     * Default page sizes of the agent tools: small, because every item costs a model context; measured so each
     * default answer stays under 1,500 o200k tokens on a busy store (AnswerSizeTest). An agent asks for more with
     * a larger limit (up to {@link #MAX_LIMIT}) or the cursor.
     */
    public static final int DEFAULT_LIMIT = 10;
    public static final int MAX_LIMIT = 200;
    static final int CHAIN_DEFAULT_LIMIT = 8;
    /** Most recent remediation steps in a chain summary (get_remediation_history has them all). */
    static final int CHAIN_REMEDIATIONS = 5;
    static final int INCIDENTS_DEFAULT_LIMIT = 8;

    @Inject
    EventService service;
    @Inject
    StatusViews status;
    @Inject
    Incidents incidents;
    @Inject
    Remediations remediations;

    private final PayloadBudget budget;
    private final PayloadBudget listBudget;

    @Inject
    public EventTools(ToolsConfig config) {
        this.budget = new PayloadBudget(config.payloadBudgetBytes());
        this.listBudget = new PayloadBudget(Math.min(config.listPayloadBudgetBytes(), config.payloadBudgetBytes()));
    }

    public ToolResults.Emitted emitEvent(ToolArgs.EmitEvent a) {
        Emitted e = service.emit(new EventDraft(a.timestamp(), a.node(), a.type(), a.severity(), a.source(), a.service(),
                a.correlationId(), a.payload(), EventService.chosenId("id", a.id())));
        Event ev = e.event();
        return new ToolResults.Emitted(ev.id().toString(), Timestamps.toJson(ev.timestamp()), ev.correlationId(), ev.node(),
                ev.type(), e.path());
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
        return new EventList(page.events().stream().map(e -> view(e, listBudget)).toList(), page.total(), page.hasMore(),
                page.nextCursor());
    }

    public EventView getEvent(ToolArgs.GetEvent a) {
        return view(service.get(a.id()), budget);
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
            PayloadBudget.Cut cut = listBudget.apply(e.payload());
            Long since = i == 0 ? null : Duration.between(events.get(i - 1).timestamp(), e.timestamp()).toSeconds();
            steps.add(new ChainEvent(e.id().toString(), Timestamps.toJson(e.timestamp()), e.node(), e.type(),
                    e.severity().wireName(), e.source(), e.service(), cut.payload(), cut.truncated() ? Boolean.TRUE : null,
                    since));
        }
        List<String> services = distinct(events, Event::service);
        List<ChainAnalysis.RemediationStep> all = ChainAnalysis.remediations(events);
        int stepsOmitted = Math.max(0, all.size() - CHAIN_REMEDIATIONS);
        List<ToolResults.Step> recent = all.subList(stepsOmitted, all.size()).stream()
                .map(s -> ToolResults.Step.of(s, false, services.size() > 1, false)).toList();
        return new Chain(a.correlationId(), ChainAnalysis.outcome(events), events.size(), services,
                distinct(events, Event::node), ref(first), ref(last), ChainAnalysis.failure(events), recent, stepsOmitted,
                Duration.between(first.timestamp(), last.timestamp()).toSeconds(), steps, omitted);
    }

    public ToolResults.History getRemediationHistory(ToolArgs.GetRemediationHistory a) {
        Remediations.History h = remediations.history(a.service(), a.correlationId(),
                a.limit() == null ? DEFAULT_LIMIT : a.limit());
        boolean byService = a.service() != null && !a.service().isBlank();
        boolean byChain = a.correlationId() != null && !a.correlationId().isBlank();
        return new ToolResults.History(h.steps().stream().map(s -> ToolResults.Step.of(s, !byChain, !byService, true)).toList(),
                h.total(), h.hasMore());
    }

    public Remediations.Recorded recordRemediation(ToolArgs.RecordRemediation a) {
        return remediations.record(new Remediations.Step(a.phase(), a.correlationId(), a.service(), a.action(), a.actor(),
                a.step(), a.result(), a.note(), a.id()));
    }

    public ServiceStatusList getServiceStatus(ToolArgs.GetServiceStatus a) {
        List<StatusViews.ServiceStatus> all = status.services(a.service()).stream()
                .sorted(Comparator.comparingInt((StatusViews.ServiceStatus s) -> ATTENTION.indexOf(s.health()))
                        .thenComparing(StatusViews.ServiceStatus::service))
                .toList();
        int limit = a.limit() == null ? DEFAULT_LIMIT : a.limit();
        return new ServiceStatusList(all.stream().limit(limit)
                .map(s -> new ToolResults.ServiceView(s.service(), s.health(), s.healthSince(), s.deployment(),
                        s.lastEventAt(), s.events()))
                .toList(), all.size(), all.size() > limit);
    }

    /** Health values, the ones needing attention first. */
    private static final List<String> ATTENTION = List.of("unhealthy", "unknown", "healthy");

    public Incidents.IncidentList listOpenIncidents(ToolArgs.ListOpenIncidents a) {
        return incidents.open(a.since(), a.limit() == null ? INCIDENTS_DEFAULT_LIMIT : a.limit());
    }

    public NodeStatusList getNodeStatus(ToolArgs.GetNodeStatus a) {
        return new NodeStatusList(status.nodes(a.node()));
    }

    static EventView view(Event e, PayloadBudget budget) {
        PayloadBudget.Cut cut = budget.apply(e.payload());
        return new EventView(e.id().toString(), Timestamps.toJson(e.timestamp()), e.node(), e.type(), e.severity().wireName(),
                e.source(), e.service(), e.correlationId(), cut.payload(), cut.truncated() ? Boolean.TRUE : null);
    }

    private static EventRef ref(Event e) {
        return new EventRef(e.id().toString(), Timestamps.toJson(e.timestamp()), e.type(), e.node());
    }

    private static List<String> distinct(List<Event> events, Function<Event, String> f) {
        Set<String> out = new LinkedHashSet<>();
        for (Event e : events) {
            String v = f.apply(e);
            if (v != null) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }
}
