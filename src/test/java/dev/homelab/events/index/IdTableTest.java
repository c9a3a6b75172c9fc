package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void aBulkFillFindsEveryRowAndTheTableGoesOnLikeAnyOther() {
        int n = 30_000;
        RowColumns c = new RowColumns(n + 1);
        Random rnd = new Random(5L);
        for (int r = 0; r <= n; r++) {
            c.hi[r] = rnd.nextLong();
            c.lo[r] = rnd.nextLong();
        }
        assertThrows(IllegalStateException.class, () -> new IdTable().fillReserved(c.hi, c.lo, n), "not reserved");
        IdTable table = new IdTable();
        table.reserve(n);
        table.fillReserved(c.hi, c.lo, n);
        assertThrows(IllegalStateException.class, () -> table.fillReserved(c.hi, c.lo, n), "only an empty table");
        table.insert(c, n + 1, n, c.hi[n], c.lo[n]);
        table.remove(7, c.hi[7], c.lo[7]);
        for (int r = 0; r <= n; r++) {
            assertEquals(r == 7 ? -1 : r, IdTable.lookup(table.slots(), c, n + 1, c.hi[r], c.lo[r]), "row " + r);
        }
    }
}
