package dev.homelab.events.index;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

import dev.homelab.events.Severity;

/**
 * The posting lists of one dimension within one day segment: sorted keys (dictionary ids) with the positions,
 * ascending, of the segment's rows having each key. Positions are in listing order, so time bounds over a
 * posting list are binary searches. Immutable; lists are {@link IntBlocks}, so one more position costs the same
 * however long the list.
 */
final class Postings {
    private static final int SEVERITIES = Severity.values().length;

    final int[] keys;
    final IntBlocks[] lists;

    private Postings(int[] keys, IntBlocks[] lists) {
        this.keys = keys;
        this.lists = lists;
    }

    /** The positions of one key, or null when no row has it. */
    IntBlocks get(int key) {
        int i = Arrays.binarySearch(keys, key);
        return i < 0 ? null : lists[i];
    }

    /** How many positions the keys {@code ids} have together. */
    long size(int[] ids) {
        long n = 0;
        for (int id : ids) {
            IntBlocks l = get(id);
            n += l == null ? 0 : l.size;
        }
        return n;
    }

    /** The sorted union of the posting lists of several keys (disjoint: a row has one value per dimension). */
    IntBlocks union(int[] ids) {
        IntBlocks single = null;
        int total = 0;
        int lists = 0;
        for (int id : ids) {
            IntBlocks l = get(id);
            if (l != null && l.size > 0) {
                single = l;
                total += l.size;
                lists++;
            }
        }
        if (lists <= 1) {
            return single == null ? IntBlocks.EMPTY : single;
        }
        int[] out = new int[total];
        int k = 0;
        for (int id : ids) {
            IntBlocks l = get(id);
            if (l != null) {
                l.copyTo(out, k);
                k += l.size;
            }
        }
        Arrays.sort(out);
        return IntBlocks.of(out);
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
        IntBlocks[] blocks = new IntBlocks[distinct];
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
        for (int j = 0; j < distinct; j++) {
            blocks[j] = IntBlocks.of(lists[j]);
        }
        return new Postings(keys, blocks);
    }

    /**
     * The postings of a segment that keeps the first {@code from} positions of {@code old}'s segment and whose
     * positions from {@code from} on are {@code rows[from..]} (new rows, or old ones moved by them). Costs the
     * suffix, the number of keys and a block per list it touches, not the day: lists without positions from
     * {@code from} on, before or after, are shared with {@code old}, and a touched list keeps its blocks before the
     * cut ({@link IntBlocks#withSuffix}; {@code old} must be its day's newest postings).
     *
     * @param keyOf the key (dictionary id, severity ordinal) of a row
     */
    static Postings extend(Postings old, IntBlocks rows, int from, IntUnaryOperator keyOf) {
        int m = rows.size - from;
        long[] pairs = new long[m]; // key, then position: sorted, they group the suffix by key, positions ascending
        for (int p = from; p < rows.size; p++) {
            pairs[p - from] = ((long) keyOf.applyAsInt(rows.get(p)) << 32) | p;
        }
        Arrays.sort(pairs);
        int[] keys = new int[old.keys.length + m];
        IntBlocks[] lists = new IntBlocks[keys.length];
        int[] tail = new int[m];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < old.keys.length || j < m) {
            int pairKey = j < m ? (int) (pairs[j] >>> 32) : Integer.MAX_VALUE;
            int key = i < old.keys.length ? Math.min(old.keys[i], pairKey) : pairKey;
            IntBlocks base = i < old.keys.length && old.keys[i] == key ? old.lists[i++] : IntBlocks.EMPTY;
            int cut = base.size == 0 || base.last() < from ? base.size : base.lowerBound(from); // the positions before the suffix stay
            int added = 0;
            while (j < m && (int) (pairs[j] >>> 32) == key) {
                tail[added++] = (int) pairs[j++];
            }
            IntBlocks list = cut < base.size || added > 0 ? base.withSuffix(cut, tail, added) : base;
            if (list.size > 0) {
                keys[n] = key;
                lists[n++] = list;
            }
        }
        return new Postings(Arrays.copyOf(keys, n), Arrays.copyOf(lists, n));
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
