package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Rows exported from an index load into an empty one as the same index; rows out of order are refused. */
class SnapshotRowsTest {

    /** The exported rows as the snapshot holds them: columns with references into one string table. */
    static final class Rows {
        final List<String> table = new ArrayList<>();
        final Map<String, Integer> refs = new HashMap<>();
        final int n;
        final long[] hi;
        final long[] lo;
        final long[] ts;
        final int[] node;
        final int[] type;
        final byte[] sev;
        final int[] source;
        final int[] service;
        final int[] cid;
        final int[] path;

        Rows(EventIndex index) throws IOException {
            n = index.size();
            hi = new long[n];
            lo = new long[n];
            ts = new long[n];
            node = new int[n];
            type = new int[n];
            sev = new byte[n];
            source = new int[n];
            service = new int[n];
            cid = new int[n];
            path = new int[n];
            int[] i = { 0 };
            int exported = index.exportRows((h, l, micros, nd, tp, sv, src, svc, corr, p) -> {
                int k = i[0]++;
                hi[k] = h;
                lo[k] = l;
                ts[k] = micros;
                node[k] = ref(nd);
                type[k] = ref(tp);
                sev[k] = (byte) sv;
                source[k] = ref(src);
                service[k] = ref(svc);
                cid[k] = corr == null ? -1 : ref(corr);
                path[k] = p == null ? -1 : ref(p);
            });
            assertEquals(n, exported);
        }

        private int ref(String s) {
            return refs.computeIfAbsent(s, k -> {
                table.add(k);
                return table.size() - 1;
            });
        }

        boolean loadInto(EventIndex index) {
            return index.loadSorted(table.toArray(new String[0]), n, hi, lo, ts, node, type, sev, source, service, cid, path);
        }

        void swap(int a, int b) {
            long t = ts[a];
            ts[a] = ts[b];
            ts[b] = t;
            t = hi[a];
            hi[a] = hi[b];
            hi[b] = t;
            t = lo[a];
            lo[a] = lo[b];
            lo[b] = t;
            int x = node[a];
            node[a] = node[b];
            node[b] = x;
        }
    }

    @Test
    void exportedRowsLoadAsTheSameIndex() throws IOException {
        Random rnd = new Random(21L);
        List<IndexEntry> entries = EventIndexTest.randomEntries(rnd, 2500);
        EventIndex original = EventIndexTest.indexOf(entries, rnd);
        Rows rows = new Rows(original);

        EventIndex loaded = new EventIndex();
        assertTrue(rows.loadInto(loaded));
        assertEquals(new ArrayList<>(original.all()), new ArrayList<>(loaded.all()));
        assertEquals(original.directories(), loaded.directories());
        assertEquals(sortedCorrelationIds(original), sortedCorrelationIds(loaded));
        for (IndexEntry e : entries.subList(0, 300)) {
            assertEquals(original.chain(e.correlationId()), loaded.chain(e.correlationId()));
            assertTrue(loaded.containsPath(e.relativePath()), e.relativePath());
            assertEquals(Optional.of(e), loaded.get(e.id()));
        }
        assertEquals(original.entriesIn("2026-11-20", "pi4"), loaded.entriesIn("2026-11-20", "pi4"));
        for (int i = 0; i < 500; i++) {
            EventQuery q = EventIndexTest.randomQuery(rnd, entries, null);
            assertEquals(EventIndexTest.bruteForce(entries, q), loaded.query(q), q.toString());
        }

        // the loaded index goes on like any other
        List<IndexEntry> more = EventIndexTest.randomEntries(new Random(22L), 200);
        loaded.addAll(more);
        loaded.removePath(entries.get(0).relativePath());
        List<IndexEntry> expected = new ArrayList<>(entries.subList(1, entries.size()));
        expected.addAll(more);
        assertEquals(expected.size(), loaded.size());
        for (int i = 0; i < 200; i++) {
            EventQuery q = EventIndexTest.randomQuery(rnd, expected, null);
            assertEquals(EventIndexTest.bruteForce(expected, q), loaded.query(q), q.toString());
        }
        assertThrows(IllegalStateException.class, () -> rows.loadInto(loaded), "only an empty index takes a snapshot");
    }

    @Test
    void rowsOutOfOrderAreRefusedAndLeaveTheIndexEmpty() throws IOException {
        Random rnd = new Random(23L);
        List<IndexEntry> entries = EventIndexTest.randomEntries(rnd, 500);
        Rows rows = new Rows(EventIndexTest.indexOf(entries, rnd));
        rows.swap(100, 101);

        EventIndex index = new EventIndex();
        assertFalse(rows.loadInto(index));
        assertEquals(0, index.size());
        assertFalse(index.all().iterator().hasNext());
        // the caller then reads the files instead: the index takes them as if nothing happened
        index.addAll(entries);
        assertEquals(entries.size(), index.size());
        EventQuery q = EventIndexTest.randomQuery(rnd, entries, null);
        assertEquals(EventIndexTest.bruteForce(entries, q), index.query(q));
    }

    /** A string table holding one correlation id twice (never written so, not trusted blindly): one chain. */
    @Test
    void aCorrelationIdTwiceInTheTableLoadsAsOneChain() throws IOException {
        Random rnd = new Random(24L);
        List<IndexEntry> entries = EventIndexTest.randomEntries(rnd, 800);
        EventIndex original = EventIndexTest.indexOf(entries, rnd);
        Rows rows = new Rows(original);
        int[] rowsPerRef = new int[rows.table.size()];
        for (int k = 0; k < rows.n; k++) {
            if (rows.cid[k] >= 0) {
                rowsPerRef[rows.cid[k]]++;
            }
        }
        int longest = 0;
        for (int ref = 1; ref < rowsPerRef.length; ref++) {
            longest = rowsPerRef[ref] > rowsPerRef[longest] ? ref : longest;
        }
        String cid = rows.table.get(longest);
        assertTrue(original.chain(cid).size() >= 3, "a chain to split");
        rows.table.add(cid); // the same id again, under a second reference
        int copy = rows.table.size() - 1;
        boolean second = false;
        for (int k = 0; k < rows.n; k++) {
            if (rows.cid[k] == longest) {
                if (second) {
                    rows.cid[k] = copy; // every other row of the chain names the copy
                }
                second = !second;
            }
        }

        EventIndex loaded = new EventIndex();
        assertTrue(rows.loadInto(loaded));
        assertEquals(original.chain(cid), loaded.chain(cid));
        assertEquals(sortedCorrelationIds(original), sortedCorrelationIds(loaded));
    }

    private static List<String> sortedCorrelationIds(EventIndex index) {
        return new ArrayList<>(index.correlationIds()).stream().sorted().toList();
    }
}
