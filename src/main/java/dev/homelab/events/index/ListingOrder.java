package dev.homelab.events.index;

import java.util.Arrays;
import java.util.List;

/**
 * The listing order of the index: timestamp (micros), then node, then id (most significant bits, then least,
 * both signed, as {@link java.util.UUID#compareTo} does). Total, so cursors never skip or repeat.
 *
 * <p>
 * This is the index's one definition of that order; it MUST equal {@code Event.LISTING_ORDER} in the root
 * package (the order of domain events). Everything in the index orders through here: {@link IndexEntry#BY_TIME},
 * day segments and chains (row against row), cursors (row against a position) and snapshot loads (checked
 * rows). The forms below differ only in where the values come from; the row forms read the node and id
 * columns lazily, only on a timestamp tie, because they run inside every day rebuild.
 */
final class ListingOrder {

    private ListingOrder() {
    }

    /** Sign of (a - b) in listing order. */
    static int compare(long tsA, String nodeA, long hiA, long loA, long tsB, String nodeB, long hiB, long loB) {
        int x = Long.compare(tsA, tsB);
        return x != 0 ? x : tie(nodeA, hiA, loA, nodeB, hiB, loB);
    }

    /** Row against row of the same columns; {@code nodes} resolves the node column. */
    static int rows(RowColumns c, String[] nodes, int a, int b) {
        int x = Long.compare(c.ts[a], c.ts[b]);
        return x != 0 ? x : tie(nodes[c.node[a]], c.hi[a], c.lo[a], nodes[c.node[b]], c.hi[b], c.lo[b]);
    }

    /** Row against a position given by its values (a cursor). */
    static int rowVersus(RowColumns c, String[] nodes, int r, long ts, String node, long hi, long lo) {
        int x = Long.compare(c.ts[r], ts);
        return x != 0 ? x : tie(nodes[c.node[r]], c.hi[r], c.lo[r], node, hi, lo);
    }

    /** The rows in listing order; rows that come sorted already (snapshot loads, most scans) skip the sort. */
    static int[] sortRows(RowColumns c, String[] nodes, List<Integer> rows) {
        int[] out = new int[rows.size()];
        boolean sorted = true;
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i);
            sorted &= i == 0 || rows(c, nodes, out[i - 1], out[i]) < 0;
        }
        if (!sorted) {
            sort(c, nodes, out);
        }
        return out;
    }

    /**
     * Sorts row numbers in listing order: a merge sort of the ints themselves. Not {@code Arrays.sort} of boxed rows
     * with a comparator: a first scan sorts every day (about 11,000 rows each at a million events), and that TimSort,
     * shared with every other sort of objects in the JVM, was recompiled two dozen times during a first start.
     */
    private static void sort(RowColumns c, String[] nodes, int[] rows) {
        int n = rows.length;
        int[] from = rows;
        int[] to = new int[n];
        for (int lo = 0; lo < n; lo += RUN) {
            insertionSort(c, nodes, rows, lo, Math.min(n, lo + RUN));
        }
        for (int width = RUN; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(n, lo + width);
                int hi = Math.min(n, lo + 2 * width);
                int i = lo;
                int j = mid;
                for (int k = lo; k < hi; k++) {
                    to[k] = j >= hi || (i < mid && rows(c, nodes, from[i], from[j]) <= 0) ? from[i++] : from[j++];
                }
            }
            int[] t = from;
            from = to;
            to = t;
        }
        if (from != rows) {
            System.arraycopy(from, 0, rows, 0, n);
        }
    }

    /** Runs of this many rows are sorted by insertion before they are merged. */
    private static final int RUN = 32;

    private static void insertionSort(RowColumns c, String[] nodes, int[] rows, int lo, int hi) {
        for (int i = lo + 1; i < hi; i++) {
            int r = rows[i];
            int j = i - 1;
            while (j >= lo && rows(c, nodes, rows[j], r) > 0) {
                rows[j + 1] = rows[j];
                j--;
            }
            rows[j + 1] = r;
        }
    }

    /** Equal timestamps: node, then id. A dictionary holds each name once, so equal ids of a node are one string. */
    private static int tie(String nodeA, long hiA, long loA, String nodeB, long hiB, long loB) {
        if (nodeA != nodeB) {
            int x = nodeA.compareTo(nodeB);
            if (x != 0) {
                return x;
            }
        }
        int x = Long.compare(hiA, hiB);
        return x != 0 ? x : Long.compare(loA, loB);
    }
}
