package dev.homelab.events.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.homelab.events.EventDraft;
import dev.homelab.events.EventTypes;
import dev.homelab.events.Severity;
import dev.homelab.events.Timestamps;
import dev.homelab.events.archive.ArchiveService;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.service.Incidents.IncidentList;

/**
 * The open incidents kept up to date as events arrive ({@link Incidents#open}) answer exactly what judging every
 * chain of the window per call answers ({@link Incidents#openByWalk}), property-style over a seeded random store
 * that grows in rounds: late arrivals to old chains, out-of-order timestamps, events joining a lone event's chain
 * by its id, incidents resolved and reopened, remediation outcomes only a payload tells, days dropped from the
 * index (archived) and written back (restored), and windows whose edge is exactly an event's time.
 */
@QuarkusTest
@TestProfile(IncidentsIncrementalTest.OwnStore.class)
class IncidentsIncrementalTest {

    public static class OwnStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("homelab.tools.payload-budget-bytes", "1024");
        }
    }

    static final List<String> TYPES = List.of(EventTypes.DEPLOYMENT_STARTED, EventTypes.DEPLOYMENT_COMPLETED,
            EventTypes.DEPLOYMENT_FAILED, EventTypes.SERVICE_UNHEALTHY, EventTypes.SERVICE_RECOVERED,
            EventTypes.REMEDIATION_STARTED, EventTypes.REMEDIATION_COMPLETED, EventTypes.REMEDIATION_COMPLETED,
            EventTypes.NODE_ONLINE, EventTypes.NODE_OFFLINE, "operator_note", "operator_query");
    static final List<String> STEPS = List.of("restart", "rollback", "reboot");

    @Inject
    Incidents incidents;
    @Inject
    EventService service;
    @Inject
    ArchiveService archive;
    final ObjectMapper mapper = new ObjectMapper();
    final Random rnd = new Random(19);
    final List<String> chains = new ArrayList<>();
    final List<String> loneIds = new ArrayList<>();
    final Map<String, List<String>> starts = new TreeMap<>();
    /** Days archived (their files and index entries gone), to restore later. */
    final List<String> archived = new ArrayList<>();
    final List<Long> times = new ArrayList<>();
    int compared;
    int archives;
    int restores;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void incrementalAnswerEqualsJudgingEveryChainPerCall() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        assertSame(now); // the first call builds the table from the index
        for (int round = 0; round < 30; round++) {
            int n = 10 + rnd.nextInt(40);
            for (int i = 0; i < n; i++) {
                emit(now);
            }
            int dice = rnd.nextInt(6);
            if (dice == 0) {
                archiveOneDay(now);
            } else if (dice == 1 && !archived.isEmpty()) {
                restoreOneDay();
            }
            assertSame(now);
        }
        while (!archived.isEmpty()) {
            restoreOneDay();
        }
        assertSame(now);
        IncidentList all = incidents.open((Instant) null, 1000);
        assertTrue(all.total() > 20 && all.incidents().stream().map(Incidents.Incident::outcome).distinct().count() >= 3,
                "the seed makes many open incidents of several outcomes: " + all.total());
        assertTrue(compared > 500 && archives > 2 && restores == archives, compared + " " + archives + " " + restores);
    }

    /** Compares both answers over windows: all time, relative ones, and edges at an event's exact time. */
    void assertSame(Instant now) {
        List<Instant> windows = new ArrayList<>();
        windows.add(null);
        for (int days : new int[]{ 1, 7, 30, 45 }) {
            windows.add(now.minus(Duration.ofDays(days)));
        }
        for (int i = 0; i < 4 && !times.isEmpty(); i++) {
            long t = times.get(rnd.nextInt(times.size()));
            windows.add(Timestamps.fromMicros(t));
            windows.add(Timestamps.fromMicros(t + 1));
        }
        for (Instant since : windows) {
            for (int limit : new int[]{ 1, 5, 1000 }) {
                IncidentList walk = incidents.openByWalk(since, limit);
                IncidentList table = incidents.open(since, limit);
                assertEquals(walk, table,
                        () -> "since " + since + ", limit " + limit + "\nwalk " + brief(walk) + "\ntable " + brief(table));
                compared++;
            }
        }
    }

    static String brief(IncidentList l) {
        return l.total() + " "
                + l.incidents().stream().map(x -> x.correlationId() + "@" + x.lastAt() + "/" + x.outcome()).toList();
    }

    void emit(Instant now) {
        String type = TYPES.get(rnd.nextInt(TYPES.size()));
        String severity = rnd.nextInt(8) == 0 ? "error" : Severity.NAMES.get(rnd.nextInt(3));
        int pick = rnd.nextInt(10);
        String cid;
        if (pick < 5 && !chains.isEmpty()) {
            cid = chains.get(rnd.nextInt(chains.size())); // often an old chain: a late arrival
        } else if (pick < 6 && !loneIds.isEmpty()) {
            cid = loneIds.get(rnd.nextInt(loneIds.size())); // joins a lone event's chain by its id
        } else if (pick < 8) {
            cid = "inc-" + chains.size();
            chains.add(cid);
        } else {
            cid = null;
        }
        // out of order over 50 days, some at the same microsecond as an earlier event (ties on time)
        long t = !times.isEmpty() && rnd.nextInt(15) == 0
                ? times.get(rnd.nextInt(times.size()))
                : Timestamps.toMicros(now.minusSeconds(60 + rnd.nextInt((int) Duration.ofDays(50).toSeconds())));
        ObjectNode payload = mapper.createObjectNode();
        if (type.startsWith("remediation_")) {
            payload.put("step", STEPS.get(rnd.nextInt(STEPS.size())));
            if (type.equals(EventTypes.REMEDIATION_COMPLETED)) {
                payload.put("result", rnd.nextInt(3) == 0 ? "failed" : "succeeded");
                List<String> open = cid == null ? null : starts.get(cid);
                if (open != null && rnd.nextBoolean()) {
                    payload.put("started_event_id", open.get(rnd.nextInt(open.size())));
                }
            }
        }
        var emitted = service.emit(new EventDraft(Timestamps.toJson(Timestamps.fromMicros(t)), "inc-n" + rnd.nextInt(3),
                type, severity, "inc.sh", "inc-svc-" + rnd.nextInt(4), cid, payload));
        String id = emitted.event().id().toString();
        times.add(t);
        if (cid == null && rnd.nextInt(3) == 0) {
            loneIds.add(id);
        }
        if (cid != null && type.equals(EventTypes.REMEDIATION_STARTED)) {
            starts.computeIfAbsent(cid, k -> new ArrayList<>()).add(id);
        }
    }

    /** Archives one day that holds events (its files leave the live store and the index), waiting for the index. */
    void archiveOneDay(Instant now) {
        List<IndexEntry> entries = all();
        String today = LocalDate.ofInstant(now, ZoneOffset.UTC).toString();
        String day = date(entries.get(rnd.nextInt(entries.size())));
        if (day.equals(today) || archived.contains(day)) {
            return;
        }
        archive.archiveDay(day, true);
        archived.add(day);
        archives++;
        await(() -> all().stream().noneMatch(e -> date(e).equals(day)), "the index forgets the archived day " + day);
    }

    /** Restores an archived day, waiting until the index holds its events again. */
    void restoreOneDay() {
        String day = archived.remove(rnd.nextInt(archived.size()));
        var restored = archive.restore(day);
        restores++;
        await(() -> all().stream().filter(e -> date(e).equals(day)).count() >= restored.written(),
                "the index holds the restored day " + day);
    }

    List<IndexEntry> all() {
        return service.entries(new EventQuery(null, null, Set.of(), Set.of(), null, null, null, null, false, null,
                Integer.MAX_VALUE)).entries();
    }

    static String date(IndexEntry e) {
        return LocalDate.ofInstant(Timestamps.fromMicros(e.timestampMicros()), ZoneOffset.UTC).toString();
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
