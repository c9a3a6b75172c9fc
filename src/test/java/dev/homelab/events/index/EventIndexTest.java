package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.homelab.events.Severity;
import dev.homelab.events.Timestamps;

/** The index must answer exactly what a brute-force filter over the same entries answers. */
class EventIndexTest {

    static final String[] NODES = { "pi4", "nas", "nuc-1", "gpu.lan" };
    static final String[] TYPES = { "deployment_started", "deployment_failed", "service_unhealthy", "service_recovered",
            "node_online" };
    static final String[] SOURCES = { "deploy.sh", "monitor.py", "healthcheck.sh" };
    static final String[] SERVICES = { "mosquitto", "ollama", "grafana", "all", "nginx", "zigbee2mqtt" };
    static final long BASE = Timestamps.toMicros(Instant.parse("2026-11-20T00:00:00Z"));

    /** Random entries over five days; a third lone (own id as correlation id), the rest in chains; a few foreign paths. */
    static List<IndexEntry> randomEntries(Random rnd, int n) {
        List<IndexEntry> out = new ArrayList<>();
        int chain = 0;
        while (out.size() < n) {
            boolean lone = rnd.nextInt(3) == 0;
            int len = lone ? 1 : 2 + rnd.nextInt(4);
            String cid = "chain-" + chain++;
            // some equal timestamps on purpose, so the node and id tie-breakers are exercised
            long t = BASE + (long) rnd.nextInt(5 * 24 * 3600) * 1_000_000L / (rnd.nextInt(4) == 0 ? 3600 : 1);
            for (int i = 0; i < len && out.size() < n; i++) {
                UUID id = UUID.randomUUID();
                String node = NODES[rnd.nextInt(NODES.length)];
                String type = TYPES[rnd.nextInt(TYPES.length)];
                long ts = t + (long) i * rnd.nextInt(3) * 1_000_000L;
                String path = rnd.nextInt(50) == 0
                        ? "2026-11-20/" + node + "/foreign-" + id + ".json"
                        : RowPaths.derive(ts, node, type, id);
                out.add(new IndexEntry(id, ts, node, type, Severity.values()[rnd.nextInt(4)],
                        SOURCES[rnd.nextInt(SOURCES.length)],
                        SERVICES[rnd.nextInt(SERVICES.length)], lone ? id.toString() : cid, path));
            }
        }
        return out;
    }

    static EventQuery randomQuery(Random rnd, List<IndexEntry> entries, Cursor after) {
        Instant since = null;
        Instant until = null;
        if (rnd.nextBoolean()) {
            since = Timestamps.fromMicros(BASE + (long) rnd.nextInt(5 * 24 * 3600) * 1_000_000L);
        }
        if (rnd.nextBoolean()) {
            until = Timestamps.fromMicros(BASE + (long) rnd.nextInt(6 * 24 * 3600) * 1_000_000L);
        }
        Set<String> nodes = rnd.nextInt(3) == 0 ? pick(rnd, NODES, "unknown-node") : Set.of();
        Set<String> types = rnd.nextInt(3) == 0 ? pick(rnd, TYPES, "custom_type") : Set.of();
        Severity min = rnd.nextInt(3) == 0 ? Severity.values()[rnd.nextInt(4)] : null;
        String service = rnd.nextInt(4) == 0 ? SERVICES[rnd.nextInt(SERVICES.length)] : null;
        String source = rnd.nextInt(5) == 0 ? SOURCES[rnd.nextInt(SOURCES.length)] : null;
        String cid = null;
        if (rnd.nextInt(5) == 0) {
            IndexEntry e = entries.get(rnd.nextInt(entries.size()));
            cid = rnd.nextInt(10) == 0 ? "no-such-chain" : e.correlationId();
        }
        return new EventQuery(since, until, nodes, types, min, service, source, cid, rnd.nextBoolean(), after,
                1 + rnd.nextInt(rnd.nextBoolean() ? 5 : 60));
    }

    private static Set<String> pick(Random rnd, String[] values, String unknown) {
        Set<String> out = new LinkedHashSet<>();
        int k = 1 + rnd.nextInt(3);
        for (int i = 0; i < k; i++) {
            out.add(rnd.nextInt(8) == 0 ? unknown : values[rnd.nextInt(values.length)]);
        }
        return out;
    }

    /** The specification of a query: filter everything, sort, cut after the cursor. */
    static IndexPage bruteForce(List<IndexEntry> entries, EventQuery q) {
        Comparator<IndexEntry> order = q.newestFirst() ? IndexEntry.BY_TIME.reversed() : IndexEntry.BY_TIME;
        List<IndexEntry> matches = entries.stream().filter(q::matches).sorted(order).toList();
        List<IndexEntry> eligible = matches;
        if (q.after() != null) {
            IndexEntry probe = q.after().asProbe();
            eligible = matches.stream().filter(e -> order.compare(e, probe) > 0).toList();
        }
        List<IndexEntry> page = eligible.subList(0, Math.min(q.limit(), eligible.size()));
        return new IndexPage(page, matches.size(), eligible.size() > page.size());
    }

    static EventIndex indexOf(List<IndexEntry> entries, Random rnd) {
        EventIndex index = new EventIndex();
        // a mix of the bulk path and single adds, in random order
        List<IndexEntry> shuffled = new ArrayList<>(entries);
        java.util.Collections.shuffle(shuffled, rnd);
        int half = shuffled.size() / 2;
        index.addAll(shuffled.subList(0, half));
        for (IndexEntry e : shuffled.subList(half, shuffled.size())) {
            assertEquals(Optional.empty(), index.add(e));
        }
        return index;
    }

    @Test
    void randomQueriesAnswerExactlyWhatABruteForceFilterAnswers() {
        Random rnd = new Random(20261127L);
        List<IndexEntry> entries = randomEntries(rnd, 3000);
        EventIndex index = indexOf(entries, rnd);
        assertEquals(entries.size(), index.size());
        for (int i = 0; i < 3000; i++) {
            Cursor after = null;
            if (rnd.nextInt(3) == 0) {
                after = Cursor.of(entries.get(rnd.nextInt(entries.size())));
            }
            EventQuery q = randomQuery(rnd, entries, after);
            assertEquals(bruteForce(entries, q), index.query(q), "query #" + i + ": " + q);
        }
    }

    /**
     * Events written as they happen land at (or, with concurrent writers, just before) the end of their day, and
     * the day's postings are then extended rather than rebuilt: answers must stay what a brute-force filter
     * gives, also when a node, type, source or service appears for the first time in the middle of the day.
     */
    @Test
    void eventsArrivingAsTheyHappenAreIndexedExactly() {
        Random rnd = new Random(20261130L);
        List<IndexEntry> entries = new ArrayList<>(randomEntries(rnd, 1000));
        EventIndex index = new EventIndex();
        index.addAll(entries);
        long now = BASE + 5L * 24 * 3600 * 1_000_000L; // the day after the random entries
        for (int i = 0; i < 1500; i++) {
            // mostly later than everything so far; sometimes a little earlier (a writer that took its time), or a tie
            now += rnd.nextInt(10) == 0 ? 0 : rnd.nextInt(2_000_000);
            long ts = rnd.nextInt(5) == 0 ? now - rnd.nextInt(5_000_000) : now;
            UUID id = UUID.randomUUID();
            boolean fresh = rnd.nextInt(40) == 0;
            String node = fresh ? "new-node-" + i : NODES[rnd.nextInt(NODES.length)];
            String type = fresh ? "custom_" + i : TYPES[rnd.nextInt(TYPES.length)];
            String cid = rnd.nextBoolean() ? id.toString() : entries.get(rnd.nextInt(entries.size())).correlationId();
            IndexEntry e = new IndexEntry(id, ts, node, type, Severity.values()[rnd.nextInt(4)],
                    fresh ? "source-" + i : SOURCES[rnd.nextInt(SOURCES.length)],
                    fresh ? "service-" + i : SERVICES[rnd.nextInt(SERVICES.length)], cid, RowPaths.derive(ts, node, type, id));
            entries.add(e);
            assertEquals(Optional.empty(), index.add(e));
            if (i % 50 == 0) {
                for (int k = 0; k < 20; k++) {
                    EventQuery q = randomQuery(rnd, entries, null);
                    assertEquals(bruteForce(entries, q), index.query(q), "after " + i + " adds: " + q);
                }
                EventQuery today = new EventQuery(Timestamps.fromMicros(now - 3_600_000_000L), null, Set.of(node),
                        Set.of(type), Severity.INFO, e.service(), e.source(), null, rnd.nextBoolean(), null, 10);
                assertEquals(bruteForce(entries, today), index.query(today), "after " + i + " adds: " + today);
            }
        }
        assertEquals(entries.size(), index.size());
        for (int i = 0; i < 1000; i++) {
            EventQuery q = randomQuery(rnd, entries,
                    rnd.nextBoolean() ? null : Cursor.of(entries.get(rnd.nextInt(entries.size()))));
            assertEquals(bruteForce(entries, q), index.query(q), q.toString());
        }
    }

    /**
     * A busy day: thousands of events in one day, mostly one severity and one node, so its rows and its biggest
     * posting lists span several blocks that each write extends in place ({@link IntBlocks}). Arrivals are a little
     * out of order, as with concurrent writers, and now and then a removal rebuilds the day. A state held by a
     * reader must keep answering exactly as it did when it was published, whatever is written after it.
     */
    @Test
    void aBusyDayStaysExactAndEveryHeldStateKeepsItsAnswers() {
        Random rnd = new Random(20261201L);
        EventIndex index = new EventIndex();
        List<IndexEntry> entries = new ArrayList<>();
        List<Function<EventQuery, IndexPage>> held = new ArrayList<>();
        List<List<IndexEntry>> heldEntries = new ArrayList<>();
        long now = BASE + 6L * 24 * 3600 * 1_000_000L;
        for (int i = 0; i < 4500; i++) {
            now += rnd.nextInt(8) == 0 ? 0 : rnd.nextInt(10_000);
            long ts = rnd.nextInt(3) == 0 ? now - rnd.nextInt(40_000) : now; // overtaken by up to a few writes
            UUID id = UUID.randomUUID();
            String node = rnd.nextInt(10) == 0 ? NODES[rnd.nextInt(NODES.length)] : "busy";
            String type = TYPES[rnd.nextInt(TYPES.length)];
            IndexEntry e = new IndexEntry(id, ts, node, type, rnd.nextInt(20) == 0 ? Severity.ERROR : Severity.INFO,
                    SOURCES[rnd.nextInt(SOURCES.length)], "mosquitto", id.toString(), RowPaths.derive(ts, node, type, id));
            entries.add(e);
            assertEquals(Optional.empty(), index.add(e));
            if (rnd.nextInt(700) == 0) {
                IndexEntry gone = entries.remove(rnd.nextInt(entries.size()));
                assertEquals(1, index.removePaths(List.of(gone.relativePath())));
            }
            if (i % 500 == 0) {
                held.add(index.heldQueries());
                heldEntries.add(List.copyOf(entries));
            }
        }
        for (int i = 0; i < 150; i++) {
            EventQuery q = randomQuery(rnd, entries,
                    rnd.nextBoolean() ? null : Cursor.of(entries.get(rnd.nextInt(entries.size()))));
            assertEquals(bruteForce(entries, q), index.query(q), q.toString());
        }
        for (int h = 0; h < held.size(); h++) {
            List<IndexEntry> then = heldEntries.get(h);
            for (int i = 0; i < 25; i++) {
                EventQuery q = randomQuery(rnd, then, rnd.nextBoolean() ? null : Cursor.of(then.get(rnd.nextInt(then.size()))));
                assertEquals(bruteForce(then, q), held.get(h).apply(q), "state " + h + ": " + q);
            }
        }
    }

    @Test
    void answersStayExactAfterRemovals() {
        Random rnd = new Random(7L);
        List<IndexEntry> entries = new ArrayList<>(randomEntries(rnd, 1500));
        EventIndex index = indexOf(entries, rnd);
        List<String> gone = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            gone.add(entries.remove(rnd.nextInt(entries.size())).relativePath());
        }
        index.removePath(gone.get(0));
        assertEquals(gone.size() - 1, index.removePaths(gone.subList(1, gone.size())));
        assertEquals(entries.size(), index.size());
        for (String p : gone) {
            assertFalse(index.containsPath(p), p);
        }
        for (int i = 0; i < 1000; i++) {
            EventQuery q = randomQuery(rnd, entries,
                    rnd.nextBoolean() ? null : Cursor.of(entries.get(rnd.nextInt(entries.size()))));
            assertEquals(bruteForce(entries, q), index.query(q), q.toString());
        }
        for (IndexEntry e : entries.subList(0, 200)) {
            assertEquals(bruteForceChain(entries, e.correlationId()), index.chain(e.correlationId()));
        }
    }

    /**
     * The first scan adds a day directory by directory and holds the day's rebuild until its last directory is read
     * ({@link EventIndex#holdingDay}): meanwhile the held rows are found by id and in their chains but not listed;
     * once released, every answer is what a brute-force filter gives.
     */
    @Test
    void aHeldDayIsListedWhenReleased() {
        Random rnd = new Random(19L);
        List<IndexEntry> entries = randomEntries(rnd, 2000);
        long day = DaySegment.dayOf(BASE);
        List<IndexEntry> held = entries.stream().filter(e -> DaySegment.dayOf(e.timestampMicros()) == day).toList();
        List<IndexEntry> others = entries.stream().filter(e -> DaySegment.dayOf(e.timestampMicros()) != day).toList();
        assertTrue(held.size() > 200, "the random entries fill the first day");
        EventIndex index = new EventIndex();
        index.addAll(others);
        for (String node : NODES) {
            index.holdingDay(java.time.LocalDate.ofEpochDay(day),
                    () -> index.addAll(held.stream().filter(e -> e.node().equals(node)).toList()));
        }
        assertEquals(entries.size(), index.size());
        for (IndexEntry e : held) {
            assertEquals(Optional.of(e), index.get(e.id()));
            assertTrue(index.chain(e.correlationId()).contains(e), e.toString());
        }
        for (int i = 0; i < 300; i++) {
            EventQuery q = randomQuery(rnd, others, null);
            assertEquals(bruteForce(others, q), index.query(q), "while held: " + q);
        }
        index.releaseDay(java.time.LocalDate.ofEpochDay(day));
        for (int i = 0; i < 1000; i++) {
            EventQuery q = randomQuery(rnd, entries,
                    rnd.nextBoolean() ? null : Cursor.of(entries.get(rnd.nextInt(entries.size()))));
            assertEquals(bruteForce(entries, q), index.query(q), "released: " + q);
        }
    }

    /** A write or a removal in a held day builds the day with the rows waiting for it: nothing stays unlisted. */
    @Test
    void aWriteOrRemovalInAHeldDayTakesItsWaitingRowsAlong() {
        Random rnd = new Random(20L);
        List<IndexEntry> entries = new ArrayList<>(randomEntries(rnd, 2000));
        long day = DaySegment.dayOf(BASE);
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(day);
        List<IndexEntry> held = entries.stream().filter(e -> DaySegment.dayOf(e.timestampMicros()) == day).toList();
        List<IndexEntry> listed = new ArrayList<>(
                entries.stream().filter(e -> DaySegment.dayOf(e.timestampMicros()) != day).toList());
        EventIndex index = new EventIndex();
        index.addAll(listed);
        int half = held.size() / 2;
        index.holdingDay(date, () -> index.addAll(held.subList(0, half - 1)));
        // another writer (no hold) adds to the same day: the day is built with the waiting rows
        assertEquals(Optional.empty(), index.add(held.get(half - 1)));
        listed.addAll(held.subList(0, half));
        for (int i = 0; i < 300; i++) {
            EventQuery q = randomQuery(rnd, listed, null);
            assertEquals(bruteForce(listed, q), index.query(q), "after a write: " + q);
        }
        index.holdingDay(date, () -> index.addAll(held.subList(half, held.size())));
        // a removal of waiting and of listed rows of that day builds it too, without them
        List<IndexEntry> gone = List.of(held.get(0), held.get(half), held.get(held.size() - 1));
        assertEquals(gone.size(), index.removePaths(gone.stream().map(IndexEntry::relativePath).toList()));
        listed.addAll(held.subList(half, held.size()));
        listed.removeAll(gone);
        for (int i = 0; i < 500; i++) {
            EventQuery q = randomQuery(rnd, listed,
                    rnd.nextBoolean() ? null : Cursor.of(listed.get(rnd.nextInt(listed.size()))));
            assertEquals(bruteForce(listed, q), index.query(q), "after a removal: " + q);
        }
        index.releaseDay(date); // nothing waits any more
        assertEquals(listed.size(), index.size());
        EventQuery q = randomQuery(rnd, listed, null);
        assertEquals(bruteForce(listed, q), index.query(q));
    }

    static List<IndexEntry> bruteForceChain(List<IndexEntry> entries, String cid) {
        return entries.stream().filter(e -> e.correlationId().equals(cid)).sorted(IndexEntry.BY_TIME).toList();
    }

    @Test
    void chainsIncludeALoneEventWhoseIdOthersUseAsCorrelationId() {
        EventIndex index = new EventIndex();
        UUID first = UUID.randomUUID();
        IndexEntry origin = entry(first, BASE, "pi4", first.toString());
        IndexEntry reply = entry(UUID.randomUUID(), BASE + 5, "nas", first.toString());
        IndexEntry earlier = entry(UUID.randomUUID(), BASE - 5, "nas", first.toString());
        index.add(reply);
        index.add(origin);
        index.add(earlier);
        assertEquals(List.of(earlier, origin, reply), index.chain(first.toString()));
        assertTrue(index.correlationIds().contains(first.toString()));
        assertEquals(List.of(), index.chain("nothing"));
    }

    @Test
    void keepsTheFirstFileOfAnIdAndReportsTheDuplicate() {
        EventIndex index = new EventIndex();
        UUID id = UUID.randomUUID();
        IndexEntry original = entry(id, BASE, "pi4", "c");
        IndexEntry copy = new IndexEntry(id, BASE, "pi4", "node_online", Severity.INFO, "s", "svc", "c",
                "2026-11-20/pi4/copy.json");
        assertEquals(Optional.empty(), index.add(original));
        assertEquals(Optional.empty(), index.add(original), "the same file twice is not a duplicate");
        assertEquals(Optional.of(original), index.add(copy));
        assertEquals(1, index.size());
        assertTrue(index.containsPath(original.relativePath()));
        assertFalse(index.containsPath(copy.relativePath()));
        assertEquals(Optional.of(original), index.get(id));
    }

    @Test
    void aForeignNamedFileKeepsItsPath() {
        EventIndex index = new EventIndex();
        UUID id = UUID.randomUUID();
        IndexEntry e = new IndexEntry(id, BASE, "pi4", "node_online", Severity.INFO, "s", "svc", id.toString(),
                "2026-11-20/pi4/written-by-hand.json");
        index.add(e);
        assertTrue(index.containsPath("2026-11-20/pi4/written-by-hand.json"));
        assertEquals(e, index.get(id).orElseThrow());
        assertEquals(Set.of("written-by-hand.json"), index.entriesIn("2026-11-20", "pi4").keySet());
        index.removePath("2026-11-20/pi4/written-by-hand.json");
        assertEquals(0, index.size());
        assertEquals(Optional.empty(), index.get(id));
    }

    @Test
    void cursorPagingNeitherRepeatsNorSkipsWhileEventsArrive() {
        Random rnd = new Random(99L);
        List<IndexEntry> entries = randomEntries(rnd, 2000);
        EventIndex index = indexOf(entries, rnd);
        for (int round = 0; round < 40; round++) {
            EventQuery first = randomQuery(rnd, entries, null);
            Set<UUID> expected = new HashSet<>();
            bruteForce(entries, new EventQuery(first.since(), first.until(), first.nodes(), first.types(), first.minSeverity(),
                    first.service(), first.source(), first.correlationId(), first.newestFirst(), null, Integer.MAX_VALUE))
                    .entries().forEach(e -> expected.add(e.id()));
            List<IndexEntry> seen = new ArrayList<>();
            Cursor after = null;
            List<IndexEntry> arrivals = randomEntries(rnd, 30);
            int a = 0;
            while (true) {
                IndexPage page = index.query(withCursor(first, after));
                seen.addAll(page.entries());
                if (a < arrivals.size()) {
                    index.add(arrivals.get(a++)); // events keep arriving between pages
                }
                if (!page.hasMore()) {
                    break;
                }
                after = Cursor.of(page.entries().get(page.entries().size() - 1));
            }
            Comparator<IndexEntry> order = first.newestFirst() ? IndexEntry.BY_TIME.reversed() : IndexEntry.BY_TIME;
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(order.compare(seen.get(i - 1), seen.get(i)) < 0, "pages are strictly ordered, no repeats");
            }
            Set<UUID> got = new HashSet<>();
            seen.forEach(e -> got.add(e.id()));
            assertTrue(got.containsAll(expected), "every event present at the start is on some page");
            for (int i = 0; i < a; i++) {
                index.removePath(arrivals.get(i).relativePath());
            }
        }
    }

    private static EventQuery withCursor(EventQuery q, Cursor after) {
        return new EventQuery(q.since(), q.until(), q.nodes(), q.types(), q.minSeverity(), q.service(), q.source(),
                q.correlationId(), q.newestFirst(), after, q.limit());
    }

    @Test
    void readersGetConsistentAnswersWhileAWriterAdds() throws Exception {
        Random rnd = new Random(5L);
        List<IndexEntry> base = randomEntries(rnd, 2000);
        EventIndex index = new EventIndex();
        index.addAll(base);
        List<IndexEntry> more = randomEntries(new Random(6L), 4000);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            Random r = new Random(8L);
            try {
                while (!stop.get()) {
                    EventQuery q = randomQuery(r, base, null);
                    IndexPage p = index.query(q);
                    // whatever the writer did meanwhile, a page is ordered, matches and never exceeds its total
                    Comparator<IndexEntry> order = q.newestFirst() ? IndexEntry.BY_TIME.reversed() : IndexEntry.BY_TIME;
                    for (int i = 0; i < p.entries().size(); i++) {
                        assertTrue(q.matches(p.entries().get(i)));
                        if (i > 0) {
                            assertTrue(order.compare(p.entries().get(i - 1), p.entries().get(i)) < 0);
                        }
                    }
                    assertTrue(p.total() >= p.entries().size());
                    IndexEntry any = base.get(r.nextInt(base.size()));
                    assertEquals(any, index.get(any.id()).orElseThrow());
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (int i = 0; i < more.size(); i += 1 + rnd.nextInt(20)) {
            index.addAll(more.subList(i, Math.min(more.size(), i + 1 + rnd.nextInt(20))));
        }
        stop.set(true);
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void readersGetConsistentAnswersWhileAWriterAddsAndRemoves() throws Exception {
        Random rnd = new Random(15L);
        List<IndexEntry> stable = randomEntries(rnd, 1500);
        EventIndex index = new EventIndex();
        index.addAll(stable);
        List<IndexEntry> churn = randomEntries(new Random(16L), 3000);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            Random r = new Random(17L);
            try {
                while (!stop.get()) {
                    EventQuery q = randomQuery(r, stable, null);
                    IndexPage p = index.query(q);
                    Comparator<IndexEntry> order = q.newestFirst() ? IndexEntry.BY_TIME.reversed() : IndexEntry.BY_TIME;
                    for (int i = 0; i < p.entries().size(); i++) {
                        assertTrue(q.matches(p.entries().get(i)));
                        if (i > 0) {
                            assertTrue(order.compare(p.entries().get(i - 1), p.entries().get(i)) < 0);
                        }
                    }
                    assertTrue(p.total() >= p.entries().size());
                    // events that are never removed are always there, by id, by path and in their chain
                    IndexEntry any = stable.get(r.nextInt(stable.size()));
                    assertEquals(any, index.get(any.id()).orElseThrow());
                    assertTrue(index.containsPath(any.relativePath()));
                    assertTrue(index.chain(any.correlationId()).contains(any));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (int i = 0; i < churn.size(); i += 50) {
            List<IndexEntry> batch = churn.subList(i, Math.min(churn.size(), i + 50));
            index.addAll(batch);
            index.removePaths(batch.subList(0, batch.size() / 2).stream().map(IndexEntry::relativePath).toList());
        }
        stop.set(true);
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        List<IndexEntry> expected = new ArrayList<>(stable);
        for (int i = 0; i < churn.size(); i += 50) {
            List<IndexEntry> batch = churn.subList(i, Math.min(churn.size(), i + 50));
            expected.addAll(batch.subList(batch.size() / 2, batch.size()));
        }
        assertEquals(expected.size(), index.size());
        for (int i = 0; i < 300; i++) {
            EventQuery q = randomQuery(rnd, expected, null);
            assertEquals(bruteForce(expected, q), index.query(q), q.toString());
        }
    }

    private static IndexEntry entry(UUID id, long ts, String node, String cid) {
        return new IndexEntry(id, ts, node, "node_online", Severity.INFO, "test.sh", "mosquitto", cid,
                RowPaths.derive(ts, node, "node_online", id));
    }
}
