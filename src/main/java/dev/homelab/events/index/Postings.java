package dev.homelab.events.index;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

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

    /**
     * The postings of a segment that keeps the first {@code from} positions of {@code old}'s segment and whose
     * positions from {@code from} on are {@code rows[from..]} (new rows, or old ones moved by them). Costs the
     * suffix and the lists it touches, not the whole day: lists without positions from {@code from} on, before or
     * after, are shared with {@code old} (they are immutable). The common append of an event at (or near) the end
     * of its day is then a copy of a few lists instead of a rebuild of every list ({@link #build}).
     *
     * @param keyOf the key (dictionary id, severity ordinal) of a row
     */
    static Postings extend(Postings old, int[] rows, int from, IntUnaryOperator keyOf) {
        int m = rows.length - from;
        long[] pairs = new long[m]; // key, then position: sorted, they group the suffix by key, positions ascending
        for (int p = from; p < rows.length; p++) {
            pairs[p - from] = ((long) keyOf.applyAsInt(rows[p]) << 32) | p;
        }
        Arrays.sort(pairs);
        int[] keys = new int[old.keys.length + m];
        int[][] lists = new int[keys.length][];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < old.keys.length || j < m) {
            int pairKey = j < m ? (int) (pairs[j] >>> 32) : Integer.MAX_VALUE;
            int key = i < old.keys.length ? Math.min(old.keys[i], pairKey) : pairKey;
            int[] base = i < old.keys.length && old.keys[i] == key ? old.lists[i++] : EMPTY;
            int cut = Arrays.binarySearch(base, from);
            cut = cut >= 0 ? cut : -cut - 1; // positions before the suffix stay
            int end = j;
            while (end < m && (int) (pairs[end] >>> 32) == key) {
                end++;
            }
            int[] list = base;
            if (cut < base.length || end > j) {
                list = Arrays.copyOf(base, cut + end - j);
                for (int k = cut; j < end; k++, j++) {
                    list[k] = (int) pairs[j];
                }
            }
            if (list.length > 0) {
                keys[n] = key;
                lists[n++] = list;
            }
        }
        return new Postings(Arrays.copyOf(keys, n), Arrays.copyOf(lists, n));
    }

    private static final int[] EMPTY = new int[0];

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
