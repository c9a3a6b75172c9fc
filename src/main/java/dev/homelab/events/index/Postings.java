package dev.homelab.events.index;

import java.util.Arrays;

import dev.homelab.events.Severity;

/**
 * The posting lists of one dimension within one day segment: sorted keys (dictionary ids) with the positions,
 * ascending, of the segment's rows having each key. Positions are in listing order, so time bounds over a
 * posting list are binary searches. Immutable.
 */
final class Postings {
    private static final int SEVERITIES = Severity.values().length;

    final int[] keys;
    final int[][] lists;

    private Postings(int[] keys, int[][] lists) {
        this.keys = keys;
        this.lists = lists;
    }

    /** The positions of one key, or null when no row has it. */
    int[] get(int key) {
        int i = Arrays.binarySearch(keys, key);
        return i < 0 ? null : lists[i];
    }

    /** How many positions the keys {@code ids} have together. */
    long size(int[] ids) {
        long n = 0;
        for (int id : ids) {
            int[] l = get(id);
            n += l == null ? 0 : l.length;
        }
        return n;
    }

    /** The sorted union of the posting lists of several keys (disjoint: a row has one value per dimension). */
    int[] union(int[] ids) {
        int[] single = null;
        int total = 0;
        int lists = 0;
        for (int id : ids) {
            int[] l = get(id);
            if (l != null && l.length > 0) {
                single = l;
                total += l.length;
                lists++;
            }
        }
        if (lists <= 1) {
            return single == null ? new int[0] : single;
        }
        int[] out = new int[total];
        int k = 0;
        for (int id : ids) {
            int[] l = get(id);
            if (l != null) {
                System.arraycopy(l, 0, out, k, l.length);
                k += l.length;
            }
        }
        Arrays.sort(out);
        return out;
    }

    /** Postings of {@code column} over {@code rows} (positions are indexes into {@code rows}). */
    static Postings build(int[] rows, int[] column, int dictSize) {
        int[] counts = new int[dictSize];
        for (int r : rows) {
            counts[column[r]]++;
        }
        int distinct = 0;
        for (int c : counts) {
            if (c > 0) {
                distinct++;
            }
        }
        int[] keys = new int[distinct];
        int[][] lists = new int[distinct][];
        int[] slot = new int[dictSize];
        for (int k = 0, j = 0; k < dictSize; k++) {
            if (counts[k] > 0) {
                keys[j] = k;
                lists[j] = new int[counts[k]];
                slot[k] = j++;
            }
        }
        int[] fill = new int[distinct];
        for (int p = 0; p < rows.length; p++) {
            int j = slot[column[rows[p]]];
            lists[j][fill[j]++] = p;
        }
        return new Postings(keys, lists);
    }

    /** Postings of the severity column (severity ordinals are the keys). */
    static Postings buildSeverity(int[] rows, byte[] column) {
        int[] ints = new int[rows.length];
        int[] identity = new int[rows.length];
        for (int p = 0; p < rows.length; p++) {
            ints[p] = column[rows[p]];
            identity[p] = p;
        }
        return build(identity, ints, SEVERITIES);
    }
}
