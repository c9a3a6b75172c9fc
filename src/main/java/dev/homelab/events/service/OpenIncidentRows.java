package dev.homelab.events.service;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The chains judged to be open incidents, keyed by the index row of each chain's newest event, with that event's
 * time and the outcome (a code, see {@link Incidents}); open addressing over primitive arrays, about 30 bytes an
 * incident, because a store of a million events can hold a quarter of a million of them. Not thread-safe: its
 * owner locks.
 */
final class OpenIncidentRows {
    private static final int FREE = -1;

    private int[] rows;
    private long[] last;
    private byte[] outcome;
    private int size;

    OpenIncidentRows() {
        clear();
    }

    void clear() {
        allocate(1024);
        size = 0;
    }

    int size() {
        return size;
    }

    int capacity() {
        return rows.length;
    }

    /** The row in slot {@code i}, or -1 for a free slot. */
    int rowAt(int i) {
        return rows[i];
    }

    long lastAt(int i) {
        return last[i];
    }

    byte outcomeAt(int i) {
        return outcome[i];
    }

    void setOutcomeAt(int i, byte code) {
        outcome[i] = code;
    }

    void put(int row, long lastMicros, byte code) {
        if ((size + 1) * 4L > rows.length * 3L) {
            int[] oldRows = rows;
            long[] oldLast = last;
            byte[] oldOutcome = outcome;
            allocate(rows.length * 2);
            for (int i = 0; i < oldRows.length; i++) {
                if (oldRows[i] != FREE) {
                    insert(oldRows[i], oldLast[i], oldOutcome[i]);
                }
            }
        }
        int at = slot(row);
        if (rows[at] == FREE) {
            size++;
        }
        rows[at] = row;
        last[at] = lastMicros;
        outcome[at] = code;
    }

    /** Forgets a row; backward-shift deletion keeps every other row reachable from its home slot. */
    void remove(int row) {
        int at = slot(row);
        if (rows[at] == FREE) {
            return;
        }
        size--;
        int mask = rows.length - 1;
        int hole = at;
        for (int i = (hole + 1) & mask; rows[i] != FREE; i = (i + 1) & mask) {
            int home = home(rows[i]);
            // move the entry into the hole unless its home lies cyclically in (hole, i]
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                rows[hole] = rows[i];
                last[hole] = last[i];
                outcome[hole] = outcome[i];
                hole = i;
            }
        }
        rows[hole] = FREE;
    }

    /** Forgets every row the predicate matches (rows whose events were removed from the index). */
    void removeRowsIf(IntPredicate gone) {
        int[] doomed = new int[16];
        int n = 0;
        for (int r : rows) {
            if (r != FREE && gone.test(r)) {
                if (n == doomed.length) {
                    doomed = Arrays.copyOf(doomed, n * 2);
                }
                doomed[n++] = r;
            }
        }
        for (int i = 0; i < n; i++) {
            remove(doomed[i]);
        }
    }

    private void insert(int row, long lastMicros, byte code) {
        int at = slot(row);
        rows[at] = row;
        last[at] = lastMicros;
        outcome[at] = code;
        size++;
    }

    private void allocate(int capacity) {
        rows = new int[capacity];
        Arrays.fill(rows, FREE);
        last = new long[capacity];
        outcome = new byte[capacity];
        size = 0;
    }

    /** The rows of the incidents still {@code code} whose newest event is at or after {@code fromMicros}. */
    int[] rowsWith(byte code, long fromMicros) {
        int[] out = new int[16];
        int n = 0;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != FREE && outcome[i] == code && last[i] >= fromMicros) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = rows[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Sets the outcome of the incident at {@code row} if it is still held with outcome {@code expected}. */
    void setOutcome(int row, byte expected, byte code) {
        int at = slot(row);
        if (rows[at] == row && outcome[at] == expected) {
            outcome[at] = code;
        }
    }

    private int slot(int row) {
        int mask = rows.length - 1;
        int i = home(row);
        while (rows[i] != FREE && rows[i] != row) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private int home(int row) {
        int h = row * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (rows.length - 1);
    }
}
