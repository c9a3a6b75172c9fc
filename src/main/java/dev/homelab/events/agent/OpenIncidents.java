package dev.homelab.events.agent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
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
 * incidents on the returned page (failure stage/error, open remediation steps). Thread-safe; the only state
 * is a bounded cache of payload-decided outcomes.
 */
final class OpenIncidents {

    private static final Set<String> REMEDIATION_TYPES = Set.of(EventTypes.REMEDIATION_STARTED,
            EventTypes.REMEDIATION_COMPLETED);

    private record Open(ChainView chain, String outcome, long lastMicros) {
    }

    /** Outcomes read from payloads, per correlation id with the chain version they hold for (~100 bytes each). */
    private record Decided(long fingerprint, String outcome) {
    }

    private static final int DECIDED_MAX = 200_000;

    private final EventService service;
    private final java.util.concurrent.ConcurrentHashMap<String, Decided> decided = new java.util.concurrent.ConcurrentHashMap<>();

    OpenIncidents(EventService service) {
        this.service = service;
    }

    /** Chains with a failure whose outcome is not resolved, active at or after {@code since} (null: all time). */
    IncidentList open(Instant since, int limit) {
        // most recently active first; the correlation id breaks ties so pages are stable
        Comparator<Open> newestFirst = Comparator.comparingLong(Open::lastMicros).reversed()
                .thenComparing(o -> o.chain().correlationId());
        // only the page is kept (a heap whose head is the oldest kept); every open chain is counted
        PriorityQueue<Open> top = new PriorityQueue<>(limit + 1, newestFirst.reversed());
        int[] total = { 0 };
        service.forEachChainActiveSince(since, chain -> {
            if (!ChainAnalysis.isIncident(chain)) {
                return;
            }
            String outcome = ChainAnalysis.outcomeFromEntries(chain);
            if (outcome == null) {
                outcome = payloadOutcome(chain);
                if (outcome == null) {
                    return; // the files are gone (archived meanwhile): nothing left to judge
                }
            }
            if (!outcome.equals(ChainAnalysis.RESOLVED)) {
                total[0]++;
                top.add(new Open(chain, outcome, chain.timestampMicros(chain.size() - 1)));
                if (top.size() > limit) {
                    top.poll();
                }
            }
        });
        List<Open> open = new ArrayList<>(top);
        open.sort(newestFirst);
        List<Incident> page = new ArrayList<>(open.size());
        for (Open o : open) {
            page.add(incident(o));
        }
        return new IncidentList(page, total[0], total[0] > limit);
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

    /**
     * The outcome decided by a remediation_completed's payload: from the chain's remediation events, read
     * once per version of the chain (events are immutable, so a chain with the same events has the same
     * outcome); later calls cost a map lookup instead of file reads.
     */
    private String payloadOutcome(ChainView chain) {
        long fingerprint = chain.fingerprint();
        Decided d = decided.get(chain.correlationId());
        if (d != null && d.fingerprint() == fingerprint) {
            return d.outcome();
        }
        List<Event> steps = load(chain, REMEDIATION_TYPES);
        if (steps.isEmpty()) {
            return null;
        }
        String outcome = ChainAnalysis.outcome(steps);
        if (decided.size() >= DECIDED_MAX) {
            decided.clear(); // bounded memory; the next calls read those files again
        }
        decided.put(chain.correlationId(), new Decided(fingerprint, outcome));
        return outcome;
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
