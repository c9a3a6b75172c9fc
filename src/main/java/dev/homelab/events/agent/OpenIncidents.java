package dev.homelab.events.agent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.homelab.events.Event;
import dev.homelab.events.EventTypes;
import dev.homelab.events.Timestamps;
import dev.homelab.events.agent.ToolResults.Failure;
import dev.homelab.events.agent.ToolResults.Incident;
import dev.homelab.events.agent.ToolResults.IncidentList;
import dev.homelab.events.index.EventIndex.ChainView;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.service.EventService;

/**
 * The list_open_incidents view, computed from index entries: every chain active in the window is judged
 * by its entries (type, severity, time), and files are read only where the rule needs a payload (a chain
 * whose last decisive event is a remediation_completed below error: its remediation events) and for the
 * incidents on the returned page (failure stage/error, open remediation steps). Stateless, thread-safe.
 */
final class OpenIncidents {

    private static final Set<String> REMEDIATION_TYPES = Set.of(EventTypes.REMEDIATION_STARTED,
            EventTypes.REMEDIATION_COMPLETED);

    private record Open(ChainView chain, String outcome, long lastMicros) {
    }

    private final EventService service;

    OpenIncidents(EventService service) {
        this.service = service;
    }

    /** Chains with a failure whose outcome is not resolved, active at or after {@code since} (null: all time). */
    IncidentList open(Instant since, int limit) {
        List<Open> open = new ArrayList<>();
        service.forEachChainActiveSince(since, chain -> {
            if (!ChainAnalysis.isIncident(chain)) {
                return;
            }
            String outcome = ChainAnalysis.outcomeFromEntries(chain);
            if (outcome == null) {
                List<Event> steps = load(chain, REMEDIATION_TYPES);
                if (steps.isEmpty()) {
                    return; // the files are gone (archived meanwhile): nothing left to judge
                }
                outcome = ChainAnalysis.outcome(steps);
            }
            if (!outcome.equals(ChainAnalysis.RESOLVED)) {
                open.add(new Open(chain, outcome, chain.timestampMicros(chain.size() - 1)));
            }
        });
        // most recently active first; the correlation id breaks ties so pages are stable
        open.sort(Comparator.comparingLong(Open::lastMicros).reversed()
                .thenComparing(o -> o.chain().correlationId()));
        List<Incident> page = new ArrayList<>(Math.min(limit, open.size()));
        for (int i = 0; i < open.size() && page.size() < limit; i++) {
            page.add(incident(open.get(i)));
        }
        return new IncidentList(page, open.size(), open.size() > limit);
    }

    private Incident incident(Open o) {
        ChainView c = o.chain();
        Set<String> services = new LinkedHashSet<>();
        int lastFailure = -1;
        for (int i = 0; i < c.size(); i++) {
            if (c.service(i) != null) {
                services.add(c.service(i));
            }
            if (ChainAnalysis.FAILURE_TYPES.contains(c.type(i))) {
                lastFailure = i;
            }
        }
        Failure failure = null;
        if (lastFailure >= 0) {
            failure = ChainAnalysis.failure(service.loadAll(List.of(c.entry(lastFailure))));
        }
        int openSteps = (int) ChainAnalysis.remediations(load(c, REMEDIATION_TYPES)).stream()
                .filter(s -> s.status().equals("open")).count();
        int last = c.size() - 1;
        return new Incident(c.correlationId(), o.outcome(), List.copyOf(services), time(c.timestampMicros(0)),
                time(c.timestampMicros(last)), c.type(last), failure, openSteps);
    }

    /** The chain's events of these types, oldest first, read from their files. */
    private List<Event> load(ChainView c, Set<String> types) {
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            if (types.contains(c.type(i))) {
                entries.add(c.entry(i));
            }
        }
        return entries.isEmpty() ? List.of() : service.loadAll(entries);
    }

    private static String time(long micros) {
        return Timestamps.toJson(Timestamps.fromMicros(micros));
    }
}
