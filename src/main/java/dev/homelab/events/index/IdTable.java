package dev.homelab.events.index;

/**
 * The id table: open addressing from an event id (two longs) to its row. A slot holds row + 1, 0 for empty,
 * {@link #TOMB} for a removed row.
 *
 * <p>
 * Thread-safety: the writer methods ({@link #insert}, {@link #remove}) run only under the {@link EventIndex}
 * monitor. Readers use the static {@link #lookup} on the slot array captured in a published
 * {@link IndexState}: an insert writes one slot of that array (a reader ignores a slot whose row is beyond its
 * state's count), a rehash builds a new array, so a reader of the old one keeps a consistent view.
 */
final class IdTable {
    static final int TOMB = -1;

    private int[] slots = new int[2048];
    private int used; // slots holding a row or a tombstone

    /** The current slot array, for publishing. */
    int[] slots() {
        return slots;
    }

    void insert(RowColumns c, int live, int row, long hi, long lo) {
        if ((used + 1) * 2 > slots.length) {
            rehash(c, live);
        }
        int mask = slots.length - 1;
        int i = hash(hi, lo) & mask;
        while (slots[i] > 0) {
            i = (i + 1) & mask;
        }
        if (slots[i] == 0) {
            used++;
        }
        slots[i] = row + 1;
    }

    void remove(int row, long hi, long lo) {
        int mask = slots.length - 1;
        for (int i = hash(hi, lo) & mask; slots[i] != 0; i = (i + 1) & mask) {
            if (slots[i] == row + 1) {
                slots[i] = TOMB;
                return;
            }
        }
    }

    /** Sizes the empty table for {@code rows} rows as the doublings on the way there would have (bulk loads). */
    void reserve(int rows) {
        if (used == 0) {
            int size = Integer.highestOneBit(Math.max(1024, 2 * rows + 1)) << 1; // at most half full
            if (size > slots.length) {
                slots = new int[size];
            }
        }
    }

    /**
     * Bulk load into the empty table just {@linkplain #reserve reserved} for {@code n} rows: row {@code r} has the
     * id ({@code hi[r]}, {@code lo[r]}). The caller owns the table until it returns (a snapshot load fills it on a
     * thread of its own beside the rest of the load, and joins it before anything is published).
     */
    void fillReserved(long[] hi, long[] lo, int n) {
        if (used != 0 || n * 2L > slots.length) {
            throw new IllegalStateException("fillReserved needs an empty table reserved for " + n + " rows");
        }
        int mask = slots.length - 1;
        for (int row = 0; row < n; row++) {
            int i = hash(hi[row], lo[row]) & mask;
            while (slots[i] != 0) {
                i = (i + 1) & mask;
            }
            slots[i] = row + 1;
        }
        used = n;
    }

    /** A new array, so readers of the old one keep a consistent view; tombstones are dropped. */
    private void rehash(RowColumns c, int live) {
        int size = Integer.highestOneBit(Math.max(1024, live * 4 - 1)) << 1;
        int[] next = new int[size];
        int mask = size - 1;
        for (int v : slots) {
            if (v > 0) {
                int r = v - 1;
                int i = hash(c.hi[r], c.lo[r]) & mask;
                while (next[i] != 0) {
                    i = (i + 1) & mask;
                }
                next[i] = v;
            }
        }
        used = 0;
        for (int v : next) {
            if (v != 0) {
                used++;
            }
        }
        slots = next;
    }

    private static int hash(long hi, long lo) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    /** The row of an id among the first {@code count} rows, or -1. Lock-free. */
    static int lookup(int[] slots, RowColumns c, int count, long hi, long lo) {
        int mask = slots.length - 1;
        for (int i = hash(hi, lo) & mask;; i = (i + 1) & mask) {
            int v = slots[i];
            if (v == 0) {
                return -1;
            }
            int r = v - 1;
            // a slot written after this reader's state was published is ignored (r >= count)
            if (v > 0 && r < count && c.hi[r] == hi && c.lo[r] == lo) {
                return r;
            }
        }
    }
}
