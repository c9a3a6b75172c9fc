package dev.homelab.events.index;

import java.util.Arrays;

/**
 * The row columns: one row per indexed event, in append order, as primitive arrays (about 100 bytes per event
 * with the structures pointing at them; see docs/performance.md). Strings are dictionary ids, except the
 * correlation id, which is null for a lone event (the common case) so it costs nothing.
 *
 * <p>
 * Thread-safety: written only by the index writer, and only at rows at or beyond the count of the published
 * {@link IndexState}; rows below a published count are never written again, so readers need no lock. Growing
 * copies into a new instance, leaving the arrays a reader holds untouched.
 */
final class RowColumns {
    final long[] hi;
    final long[] lo;
    final long[] ts;
    final int[] node;
    final int[] type;
    final int[] source;
    final int[] service;
    final byte[] sev;
    /** The correlation id, or null when it equals the event's own id (the common case for lone events). */
    final String[] corr;

    RowColumns(int capacity) {
        hi = new long[capacity];
        lo = new long[capacity];
        ts = new long[capacity];
        node = new int[capacity];
        type = new int[capacity];
        source = new int[capacity];
        service = new int[capacity];
        sev = new byte[capacity];
        corr = new String[capacity];
    }

    /** A copy of {@code c} with another capacity (growth, or giving back slack). */
    RowColumns(RowColumns c, int capacity) {
        hi = Arrays.copyOf(c.hi, capacity);
        lo = Arrays.copyOf(c.lo, capacity);
        ts = Arrays.copyOf(c.ts, capacity);
        node = Arrays.copyOf(c.node, capacity);
        type = Arrays.copyOf(c.type, capacity);
        source = Arrays.copyOf(c.source, capacity);
        service = Arrays.copyOf(c.service, capacity);
        sev = Arrays.copyOf(c.sev, capacity);
        corr = Arrays.copyOf(c.corr, capacity);
    }

    int capacity() {
        return hi.length;
    }
}
