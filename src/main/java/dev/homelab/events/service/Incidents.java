package dev.homelab.events.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.homelab.events.Event;
import dev.homelab.events.EventTypes;
import dev.homelab.events.Timestamps;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventIndex.ChainView;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.service.ChainAnalysis.Failure;

/**
 * The incident definition, shared by every face: an incident is a chain that holds a failure type or an event of
 * severity error or worse (see {@link ChainAnalysis}); it is open while its outcome is not {@code resolved}.
 *
 * <p>
 * Computed from index entries: every chain active in the window is judged by its entries (type, severity, time),
 * and files are read only where the rule needs a payload (a chain whose last decisive event is a
 * remediation_completed below error: its remediation events) and for the incidents on the returned page (failure
 * stage/error, open remediation steps). Thread-safe; the only state is a bounded cache of payload-decided outcomes.
 */
@ApplicationScoped
public class Incidents {

    /**
     * Open incidents are looked for among chains active in this window unless {@code since} says otherwise: the
     * outcome of a chain ending in a remediation_completed needs its payload, so an all-time listing would read
     * files of every old chain; the window keeps the answer exact and fast (docs/mcp.md).
     */
    public static final Duration DEFAULT_WINDOW = Duration.ofDays(30);

    /** One open incident, compact: its chain, outcome, services, first and last activity, failure, open steps. */
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

    /** A page of open incidents, most recently active first, and how many there are in all. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IncidentList(
            List<Incident> incidents,
            int total,
            @JsonProperty("has_more") boolean hasMore) {
    }

    private static final Set<String> REMEDIATION_TYPES = Set.of(EventTypes.REMEDIATION_STARTED,
            EventTypes.REMEDIATION_COMPLETED);

    private record Open(ChainView chain, String outcome, long lastMicros) {
    }

    /** Outcomes read from payloads, per correlation id with the chain version they hold for (~100 bytes each). */
    private record Decided(long fingerprint, String outcome) {
    }

    private static final int DECIDED_MAX = 200_000;

    @Inject
    EventService events;
    @Inject
    EventIndex index;

    private final ConcurrentHashMap<String, Decided> decided = new ConcurrentHashMap<>();

    /**
     * Open incidents active at or after {@code since} (ISO 8601 or a relative time such as {@code 7d}; null or
     * blank: the last {@link #DEFAULT_WINDOW}), at most {@code limit} of them.
     */
    public IncidentList open(String since, int limit) {
        Instant now = Instant.now();
        Instant from = since == null || since.isBlank()
                ? now.minus(DEFAULT_WINDOW)
                : TimeExpressions.parse("since", since, now);
        return open(from, limit);
    }

    /** Open incidents active at or after {@code since} (null: all time). */
    public IncidentList open(Instant since, int limit) {
        // most recently active first; the correlation id breaks ties so pages are stable
        Comparator<Open> newestFirst = Comparator.comparingLong(Open::lastMicros).reversed()
                .thenComparing(o -> o.chain().correlationId());
        // only the page is kept (a heap whose head is the oldest kept); every open chain is counted
        PriorityQueue<Open> top = new PriorityQueue<>(limit + 1, newestFirst.reversed());
        int[] total = { 0 };
        index.forEachChainActiveSince(since == null ? Long.MIN_VALUE : Timestamps.toMicros(since), chain -> {
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
            failure = ChainAnalysis.failure(events.loadAll(List.of(c.entry(lastFailure))));
        }
        int openSteps = (int) ChainAnalysis.remediations(load(c, REMEDIATION_TYPES)).stream()
                .filter(ChainAnalysis.RemediationStep::open).count();
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
        return entries.isEmpty() ? List.of() : events.loadAll(entries);
    }

    private static String time(long micros) {
        return Timestamps.toJson(Timestamps.fromMicros(micros));
    }
}
