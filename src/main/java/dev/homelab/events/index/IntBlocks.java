package dev.homelab.events.index;

import java.util.Arrays;

/**
 * An immutable sequence of ints kept in blocks of {@value #BLOCK}, which its later versions share: a version that
 * appends writes past the end of the newest one in place, and one that replaces a suffix copies only the block where
 * the suffix starts (and the small array of blocks). The rows of a day and its posting lists are such sequences, so
 * indexing one more event costs the same on a busy day as on a quiet one; as exact-size arrays they were copied whole
 * for every event written (docs/performance.md, issue 19).
 *
 * <p>
 * Sharing is safe because a version reads only its first {@link #size} values, and a sequence's one writer (the
 * index's, under its lock) derives new versions only from the newest one ({@link #withSuffix}): what it writes in
 * place lies beyond the size of every version that can reach it. The new version is published through the index's
 * volatile state, which makes those writes visible to the readers that see it.
 */
final class IntBlocks {
    private static final int SHIFT = 10;
    static final int BLOCK = 1 << SHIFT;
    private static final int MASK = BLOCK - 1;
    static final IntBlocks EMPTY = new IntBlocks(new int[0][], 0);

    /** Full blocks, then the last one (possibly with room to grow); entries past the used ones may be null. */
    private final int[][] blocks;
    final int size;

    private IntBlocks(int[][] blocks, int size) {
        this.blocks = blocks;
        this.size = size;
    }

    int get(int i) {
        return blocks[i >>> SHIFT][i & MASK];
    }

    int last() {
        return get(size - 1);
    }

    /** The first {@code n} values of {@code values}, in blocks of exact size (no room to grow: a bulk build). */
    static IntBlocks of(int[] values, int n) {
        if (n == 0) {
            return EMPTY;
        }
        int[][] blocks = new int[((n - 1) >>> SHIFT) + 1][];
        if (blocks.length == 1 && values.length == n) {
            blocks[0] = values; // the common small list: the array itself, no copy
        } else {
            for (int b = 0; b < blocks.length; b++) {
                blocks[b] = Arrays.copyOfRange(values, b << SHIFT, Math.min(n, (b + 1) << SHIFT));
            }
        }
        return new IntBlocks(blocks, n);
    }

    static IntBlocks of(int[] values) {
        return of(values, values.length);
    }

    /**
     * The first {@code keep} values of this sequence followed by {@code tail[0..tailLength)}. Call it only on the
     * newest version of a sequence (see the class comment): when {@code keep} is this version's size (an append) it
     * writes in place where there is room.
     */
    IntBlocks withSuffix(int keep, int[] tail, int tailLength) {
        if (keep < 0 || keep > size) {
            throw new IndexOutOfBoundsException("keep " + keep + " of " + size);
        }
        int n = keep + tailLength;
        if (n == 0) {
            return EMPTY;
        }
        int used = ((n - 1) >>> SHIFT) + 1; // blocks the new version reads
        boolean append = keep == size;
        // the array of blocks: this one when appending with room (this version never reads the slots past its own
        // blocks), else a copy of the blocks before the one the suffix starts in (those stay shared)
        int[][] next;
        int firstWritten = keep >>> SHIFT;
        if (append && used <= blocks.length) {
            next = blocks;
        } else {
            next = new int[append ? Math.max(used, blocks.length + (blocks.length >> 1) + 1) : used][];
            System.arraycopy(blocks, 0, next, 0, Math.min(firstWritten, blocks.length));
            if (append && firstWritten < blocks.length) {
                next[firstWritten] = blocks[firstWritten]; // the last block (or null), written past our end below
            }
        }
        int mine = size == 0 ? 0 : ((size - 1) >>> SHIFT) + 1; // blocks this version reads
        int t = 0;
        for (int b = firstWritten; b < used; b++) {
            int start = b << SHIFT;
            int from = Math.max(keep, start) - start; // first slot of this block the suffix writes
            int to = Math.min(n, start + BLOCK) - start; // slots this block holds in the new version
            // appending, the block found here (this version's last) is written past this version's end; else the
            // slot is empty (a new block) or was not copied (the suffix starts inside it: copy its shared part)
            int[] block = append ? next[b] : null;
            if (block == null || block.length < to) {
                int[] grown = new int[to == BLOCK ? BLOCK : Math.min(BLOCK, Math.max(to + (to >> 1), 8))];
                if (from > 0) {
                    System.arraycopy(blocks[b], 0, grown, 0, from);
                }
                block = grown;
                if (next == blocks && b < mine) {
                    // a block this version reads is replaced: not in its array, where a reader racing this write
                    // could see the new block before its copied values (nothing orders the two for it)
                    next = blocks.clone();
                }
                next[b] = block;
            }
            System.arraycopy(tail, t, block, from, to - from);
            t += to - from;
        }
        return new IntBlocks(next, n);
    }

    /** The first index whose value is at least {@code value} (values ascending). */
    int lowerBound(int value) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (get(mid) < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Copies the values into {@code out} from {@code at}. */
    void copyTo(int[] out, int at) {
        for (int b = 0, k = at; k - at < size; b++) {
            int len = Math.min(BLOCK, size - (k - at));
            System.arraycopy(blocks[b], 0, out, k, len);
            k += len;
        }
    }

    int[] toArray() {
        int[] out = new int[size];
        copyTo(out, 0);
        return out;
    }
}
