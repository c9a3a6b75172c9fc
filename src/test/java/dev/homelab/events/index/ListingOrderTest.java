package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.homelab.events.Severity;

/** Every form of the index's listing order is the same order: time, node, id (as UUID compares). */
class ListingOrderTest {

    /** The order spelled out with the JDK's comparators: the specification every form must match. */
    static final Comparator<IndexEntry> SPEC = Comparator.comparingLong(IndexEntry::timestampMicros)
            .thenComparing(IndexEntry::node)
            .thenComparing(IndexEntry::id);

    /** Entries with many ties: few timestamps, few nodes, ids with both signs in both halves, some equal ids. */
    static List<IndexEntry> tiedEntries(Random rnd, int n) {
        String[] nodes = { "pi4", "nas", "nuc-1", "gpu.lan", "a", "B" };
        long[] bits = { Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE, 0x7f00_0000_0000_0000L, 0x8000_0000_0000_0001L };
        List<IndexEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            UUID id = rnd.nextInt(4) == 0
                    ? new UUID(bits[rnd.nextInt(bits.length)], bits[rnd.nextInt(bits.length)])
                    : UUID.randomUUID();
            long ts = rnd.nextInt(5) * 1_000_000L - 2_000_000L;
            out.add(new IndexEntry(id, ts, nodes[rnd.nextInt(nodes.length)], "t", Severity.INFO, "s", "v", id.toString(),
                    null));
        }
        return out;
    }

    @Test
    void everyFormOrdersLikeTheSpecification() {
        Random rnd = new Random(11L);
        List<IndexEntry> entries = tiedEntries(rnd, 400);
        NameDictionary dict = new NameDictionary();
        RowColumns c = new RowColumns(entries.size());
        for (int r = 0; r < entries.size(); r++) {
            IndexEntry e = entries.get(r);
            c.ts[r] = e.timestampMicros();
            c.node[r] = dict.idOf(e.node());
            c.hi[r] = e.id().getMostSignificantBits();
            c.lo[r] = e.id().getLeastSignificantBits();
        }
        for (int a = 0; a < entries.size(); a++) {
            for (int b = 0; b < entries.size(); b++) {
                IndexEntry x = entries.get(a);
                IndexEntry y = entries.get(b);
                int want = Integer.signum(SPEC.compare(x, y));
                assertEquals(want, Integer.signum(IndexEntry.BY_TIME.compare(x, y)), () -> x + " vs " + y);
                assertEquals(want, Integer.signum(ListingOrder.rows(c, dict.names, a, b)), () -> x + " vs " + y);
                // a cursor's node is another string than the dictionary's: the identity shortcut must not matter
                assertEquals(want, Integer.signum(ListingOrder.rowVersus(c, dict.names, a, y.timestampMicros(),
                        new String(y.node()), c.hi[b], c.lo[b])), () -> x + " vs " + y);
                assertEquals(want, Integer.signum(ListingOrder.compare(x.timestampMicros(), x.node(), c.hi[a], c.lo[a],
                        y.timestampMicros(), new String(y.node()), c.hi[b], c.lo[b])), () -> x + " vs " + y);
            }
        }
    }

    @Test
    void sortRowsPutsRowsInListingOrder() {
        for (int n : new int[]{ 0, 1, 2, 31, 32, 33, 64, 65, 300, 1_000 }) {
            sortRowsPutsRowsInListingOrder(n);
        }
    }

    private void sortRowsPutsRowsInListingOrder(int n) {
        Random rnd = new Random(12L + n);
        List<IndexEntry> entries = tiedEntries(rnd, n);
        NameDictionary dict = new NameDictionary();
        RowColumns c = new RowColumns(entries.size());
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < entries.size(); r++) {
            IndexEntry e = entries.get(r);
            c.ts[r] = e.timestampMicros();
            c.node[r] = dict.idOf(e.node());
            c.hi[r] = e.id().getMostSignificantBits();
            c.lo[r] = e.id().getLeastSignificantBits();
            rows.add(r);
        }
        int[] sorted = ListingOrder.sortRows(c, dict.names, rows);
        List<Integer> expected = new ArrayList<>(rows);
        expected.sort((a, b) -> SPEC.compare(entries.get(a), entries.get(b)));
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), sorted);

        List<Integer> again = new ArrayList<>();
        for (int r : sorted) {
            again.add(r);
        }
        assertArrayEquals(sorted, ListingOrder.sortRows(c, dict.names, again), "sorted input stays as it is");
    }
}
