package dev.homelab.events.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.quarkus.runtime.StartupEvent;

import dev.homelab.events.Event;
import dev.homelab.events.EventTypes;
import dev.homelab.events.Timestamps;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventIndex.ChainView;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.IndexRefresher;
import dev.homelab.events.service.ChainAnalysis.Failure;

/**
 * The incident definition, shared by every face: an incident is a chain that holds a failure type or an event of
 * severity error or worse (see {@link ChainAnalysis}); it is open while its outcome is not {@code resolved}.
 *
 * <p>
 * Kept up to date as events arrive rather than judged per call: every chain is judged once from its index entries
 * (type, severity, time) when the first call builds the table, then again only when the index reports that it
 * gained or lost events ({@link EventIndex#onChainsChanged}: writes, the watcher, the reconciler, sync and NATS
 * imports, restores, archiving; a snapshot load rebuilds it). The table holds the open incidents by the row of
 * their newest event ({@link OpenIncidentRows}), so a call reads the incidents of its window from primitive
 * arrays. Files are read only where the rule needs a payload (the last decisive event is a remediation_completed
 * below error: its remediation events, once per version of the chain) and for the incidents on the returned page.
 * {@link #openByWalk} is the same definition judged per call, kept as the reference the tests compare with.
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

    /** An incident with what the console's cards show besides: the chain's nodes and its open steps. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DetailedIncident(
            @JsonUnwrapped Incident incident,
            List<String> nodes,
            @JsonProperty("open_steps") List<ChainAnalysis.RemediationStep> openSteps) {
    }

    /** A page of detailed incidents (the console's landing page: one request instead of one per card). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DetailedList(
            List<DetailedIncident> incidents,
            int total,
            @JsonProperty("has_more") boolean hasMore) {
    }

    private static final Set<String> REMEDIATION_TYPES = Set.of(EventTypes.REMEDIATION_STARTED,
            EventTypes.REMEDIATION_COMPLETED);

    // outcome codes of the table; a chain that is no incident, or a resolved one, is not in it unless its payload
    // said so (RESOLVED), which saves reading those files again
    static final byte NOT_OPEN = -1;
    static final byte PENDING = 0;
    static final byte FAILED = 1;
    static final byte IN_PROGRESS = 2;
    static final byte REMEDIATING = 3;
    static final byte RESOLVED = 4;
    private static final String[] OUTCOMES = { null, ChainAnalysis.FAILED, ChainAnalysis.IN_PROGRESS,
            ChainAnalysis.REMEDIATING, ChainAnalysis.RESOLVED };

    private record Open(ChainView chain, String outcome, long lastMicros) {
    }

    @Inject
    EventService events;
    @Inject
    EventIndex index;
    @Inject
    IndexRefresher refresher;

    /** Guarded by this object's monitor, like {@link #removalsSeen}. */
    private final OpenIncidentRows table = new OpenIncidentRows();
    private long removalsSeen;
    /** Chains reported changed since the table last looked; ignored until it is built. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private volatile boolean rebuild = true;

    @PostConstruct
    void follow() {
        index.onChainsChanged(this::changed);
    }

    /**
     * Builds the table as soon as the index is ready, off the request path: judging every chain once (3.5 s at a
     * million events) and reading the payloads the default window needs were paid by the first call. A call meanwhile
     * waits for it (or builds it, if it comes first).
     */
    void prepare(@Observes StartupEvent ev) {
        refresher.afterFirstBuild(() -> {
            if (refresher.ready()) {
                bringUpToDate();
            }
        });
    }

    /**
     * The table, then the outcomes the default window needs from files (pending chains), as a first call would; the
     * files are read outside this object's monitor, so a call meanwhile waits only for the table.
     */
    private void bringUpToDate() {
        int[] pending;
        synchronized (this) {
            refresh();
            pending = table.rowsWith(PENDING, micros(Instant.now().minus(DEFAULT_WINDOW)));
        }
        for (int row : pending) {
            ChainView chain = index.chainEndingAt(row);
            byte code = chain == null ? PENDING : payloadOutcome(chain);
            if (code != PENDING && code != NOT_OPEN) {
                synchronized (this) {
                    // a chain that changed meanwhile is reported, and judged again at the next refresh
                    table.setOutcome(row, PENDING, code);
                }
            }
        }
    }

    /** Called under the index's lock: only notes the ids. */
    private void changed(Set<String> correlationIds) {
        if (correlationIds == null) {
            rebuild = true;
        } else if (!rebuild) {
            dirty.addAll(correlationIds);
        }
    }

    /**
     * Open incidents active at or after {@code since} (ISO 8601 or a relative time such as {@code 7d}; null or
     * blank: the last {@link #DEFAULT_WINDOW}), at most {@code limit} of them.
     */
    public IncidentList open(String since, int limit) {
        return open(from(since), limit);
    }

    /** As {@link #open(String, int)}, each incident with its nodes and open steps (the console's landing page). */
    public DetailedList detailed(String since, int limit) {
        int[] total = { 0 };
        List<Open> page = page(from(since), limit, total);
        List<DetailedIncident> out = new ArrayList<>(page.size());
        for (Open o : page) {
            List<ChainAnalysis.RemediationStep> steps = steps(o.chain());
            out.add(new DetailedIncident(incident(o, steps), nodes(o.chain()),
                    steps.stream().filter(ChainAnalysis.RemediationStep::open).toList()));
        }
        return new DetailedList(out, total[0], total[0] > limit);
    }

    private static Instant from(String since) {
        Instant now = Instant.now();
        return since == null || since.isBlank()
                ? now.minus(DEFAULT_WINDOW)
                : TimeExpressions.parse("since", since, now);
    }

    /** Open incidents active at or after {@code since} (null: all time). */
    public IncidentList open(Instant since, int limit) {
        int[] total = { 0 };
        return list(page(since, limit, total), total[0], limit);
    }

    /** The same answer judged per call from every chain active in the window: the reference of the tests. */
    IncidentList openByWalk(Instant since, int limit) {
        PriorityQueue<Open> top = new PriorityQueue<>(limit + 1, NEWEST_FIRST.reversed());
        int[] total = { 0 };
        index.forEachChainActiveSince(micros(since), chain -> {
            byte code = judge(chain);
            if (code == PENDING) {
                code = payloadOutcome(chain);
            }
            if (code > PENDING && code != RESOLVED) {
                total[0]++;
                top.add(new Open(chain, OUTCOMES[code], chain.timestampMicros(chain.size() - 1)));
                if (top.size() > limit) {
                    top.poll();
                }
            }
        });
        List<Open> open = new ArrayList<>(top);
        open.sort(NEWEST_FIRST);
        return list(open, total[0], limit);
    }

    // most recently active first; the correlation id breaks ties so pages are stable
    private static final Comparator<Open> NEWEST_FIRST = Comparator.comparingLong(Open::lastMicros).reversed()
            .thenComparing(o -> o.chain().correlationId());

    private IncidentList list(List<Open> open, int total, int limit) {
        List<Incident> page = new ArrayList<>(open.size());
        for (Open o : open) {
            page.add(incident(o, steps(o.chain())));
        }
        return new IncidentList(page, total, total > limit);
    }

    private static long micros(Instant since) {
        return since == null ? Long.MIN_VALUE : Timestamps.toMicros(since);
    }

    /** The page (newest first) from the table, brought up to date first; {@code total[0]} gets the count. */
    private synchronized List<Open> page(Instant since, int limit, int[] total) {
        refresh();
        long from = micros(since);
        // the page is a heap whose head is the oldest kept; ties on time are rare, their chains are looked up
        PriorityQueue<Open> top = new PriorityQueue<>(limit + 1, NEWEST_FIRST.reversed());
        int n = 0;
        for (int i = 0; i < table.capacity(); i++) {
            int row = table.rowAt(i);
            if (row < 0 || table.lastAt(i) < from) {
                continue;
            }
            byte code = table.outcomeAt(i);
            if (code == RESOLVED) {
                continue;
            }
            ChainView chain = null;
            if (code == PENDING) {
                chain = index.chainEndingAt(row);
                code = chain == null ? PENDING : payloadOutcome(chain);
                if (code == PENDING || code == NOT_OPEN) {
                    continue; // changed or archived meanwhile (reported, judged next call), or its files are gone
                }
                table.setOutcomeAt(i, code);
                if (code == RESOLVED) {
                    continue;
                }
            }
            n++;
            long last = table.lastAt(i);
            Open head = top.peek();
            if (top.size() < limit || head == null || last >= head.lastMicros()) {
                if (chain == null) {
                    chain = index.chainEndingAt(row);
                    if (chain == null) {
                        n--;
                        continue; // grew since refresh: judged again next call
                    }
                }
                top.add(new Open(chain, OUTCOMES[code], last));
                if (top.size() > limit) {
                    top.poll();
                }
            }
        }
        total[0] = n;
        List<Open> open = new ArrayList<>(top);
        open.sort(NEWEST_FIRST);
        return open;
    }

    /** Applies the changes the index reported (all of them after a snapshot load) and forgets removed rows. */
    private void refresh() {
        if (rebuild) {
            rebuild = false; // before reading the index: a change published after this is in dirty
            dirty.clear();
            table.clear();
            removalsSeen = index.removals();
            index.forEachChainActiveSince(Long.MIN_VALUE, this::judgeInto);
        }
        long removals = index.removals();
        if (removals != removalsSeen) {
            removalsSeen = removals;
            table.removeRowsIf(row -> !index.indexes(row));
        }
        for (Iterator<String> it = dirty.iterator(); it.hasNext();) {
            String cid = it.next();
            it.remove();
            ChainView chain = index.chainView(cid);
            for (int i = 0; i < chain.size(); i++) {
                table.remove(chain.row(i)); // its former newest row, if it still has it
            }
            if (chain.size() > 0) {
                judgeInto(chain);
            }
        }
    }

    private void judgeInto(ChainView chain) {
        byte code = judge(chain);
        if (code != NOT_OPEN) {
            table.put(chain.row(chain.size() - 1), chain.timestampMicros(chain.size() - 1), code);
        }
    }

    /** The incident definition from the index: {@link #NOT_OPEN}, an open outcome, or {@link #PENDING}. */
    private static byte judge(ChainView chain) {
        if (!ChainAnalysis.isIncident(chain)) {
            return NOT_OPEN;
        }
        String outcome = ChainAnalysis.outcomeFromEntries(chain);
        return outcome == null ? PENDING : code(outcome);
    }

    private static byte code(String outcome) {
        return switch (outcome) {
            case ChainAnalysis.FAILED -> FAILED;
            case ChainAnalysis.IN_PROGRESS -> IN_PROGRESS;
            case ChainAnalysis.REMEDIATING -> REMEDIATING;
            default -> RESOLVED;
        };
    }

    private Incident incident(Open o, List<ChainAnalysis.RemediationStep> steps) {
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
        int openSteps = (int) steps.stream().filter(ChainAnalysis.RemediationStep::open).count();
        int last = c.size() - 1;
        return new Incident(c.correlationId(), o.outcome(), List.copyOf(services), time(c.timestampMicros(0)),
                time(c.timestampMicros(last)), c.type(last), failure, openSteps);
    }

    private List<ChainAnalysis.RemediationStep> steps(ChainView c) {
        return ChainAnalysis.remediations(load(c, REMEDIATION_TYPES));
    }

    /** The chain's nodes, each once, in the order of its events (as get_causal_chain lists them). */
    private static List<String> nodes(ChainView c) {
        Set<String> nodes = new LinkedHashSet<>();
        for (int i = 0; i < c.size(); i++) {
            nodes.add(c.entry(i).node());
        }
        return List.copyOf(nodes);
    }

    /**
     * The outcome decided by a remediation_completed's payload, from the chain's remediation events; the table
     * keeps it until the chain changes. {@link #NOT_OPEN} when the files are gone (archived meanwhile).
     */
    private byte payloadOutcome(ChainView chain) {
        List<Event> steps = load(chain, REMEDIATION_TYPES);
        return steps.isEmpty() ? NOT_OPEN : code(ChainAnalysis.outcome(steps));
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
