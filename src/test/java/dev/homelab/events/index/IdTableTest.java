package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The id table finds every live row, none that was removed, and old slot arrays stay readable. */
class IdTableTest {

    @Test
    void findsLiveRowsThroughRehashesAndTombstones() {
        int n = 20_000;
        RowColumns c = new RowColumns(n);
        IdTable table = new IdTable();
        Random rnd = new Random(4L);
        Set<Integer> removed = new HashSet<>();
        int[] early = null;
        int earlyCount = 0;
        int live = 0;
        for (int r = 0; r < n; r++) {
            UUID id = new UUID(rnd.nextLong(), rnd.nextLong());
            c.hi[r] = id.getMostSignificantBits();
            c.lo[r] = id.getLeastSignificantBits();
            table.insert(c, ++live, r, c.hi[r], c.lo[r]);
            if (r == 999) {
                early = table.slots(); // what a reader published at 1,000 rows holds
                earlyCount = 1000;
            }
            if (r % 7 == 3) {
                int victim = rnd.nextInt(r + 1);
                if (removed.add(victim)) {
                    table.remove(victim, c.hi[victim], c.lo[victim]);
                    live--;
                }
            }
        }
        for (int r = 0; r < n; r++) {
            assertEquals(removed.contains(r) ? -1 : r, IdTable.lookup(table.slots(), c, n, c.hi[r], c.lo[r]), "row " + r);
        }
        for (int r = 0; r < earlyCount; r++) {
            int found = IdTable.lookup(early, c, earlyCount, c.hi[r], c.lo[r]);
            // the array replaced by a rehash is never written again; a row removed before the rehash stays a tombstone
            assertTrue(found == r || (found == -1 && removed.contains(r)), "row " + r + " in the old slots");
        }
        assertEquals(-1, IdTable.lookup(table.slots(), c, n, 42L, 43L));
        assertEquals(-1, IdTable.lookup(table.slots(), c, 10, c.hi[500], c.lo[500]), "rows beyond a state's count are ignored");
    }
}
