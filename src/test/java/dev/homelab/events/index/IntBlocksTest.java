package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class IntBlocksTest {

    private static int[] read(IntBlocks b) {
        int[] out = new int[b.size];
        for (int i = 0; i < b.size; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    @Test
    void holdsWhatItWasBuiltFromAcrossBlockBoundaries() {
        for (int n : new int[]{ 0, 1, IntBlocks.BLOCK - 1, IntBlocks.BLOCK, IntBlocks.BLOCK + 1, 5 * IntBlocks.BLOCK + 17 }) {
            int[] values = new Random(n).ints(n, 0, 1_000_000).sorted().toArray();
            IntBlocks b = IntBlocks.of(values);
            assertEquals(n, b.size);
            assertArrayEquals(values, read(b));
            assertArrayEquals(values, b.toArray());
            int probe = n == 0 ? 5 : values[n / 2];
            int expected = 0;
            while (expected < n && values[expected] < probe) {
                expected++;
            }
            assertEquals(expected, b.lowerBound(probe));
        }
    }

    /**
     * The point of the class: versions share blocks, and the newest one grows by writing past its own end in
     * place. Every version ever returned must keep reading exactly its own values, whatever the versions after
     * it appended, cut or replaced, on and across block boundaries.
     */
    @Test
    void everyEarlierVersionKeepsItsValuesWhileTheNewestAppendsAndReplacesSuffixes() {
        Random rnd = new Random(20261130L);
        List<IntBlocks> versions = new ArrayList<>();
        List<int[]> expected = new ArrayList<>();
        IntBlocks current = IntBlocks.EMPTY;
        int[] model = new int[0];
        int counter = 0;
        for (int step = 0; step < 4000; step++) {
            int keep;
            int op = rnd.nextInt(20);
            if (op < 12) {
                keep = model.length; // an append, the common case
            } else if (op < 19) {
                keep = Math.max(0, model.length - rnd.nextInt(8)); // a few moved: concurrent writers
            } else {
                keep = model.length == 0 ? 0 : rnd.nextInt(model.length); // a deep cut
            }
            int[] tail = new int[rnd.nextInt(10) == 0 ? rnd.nextInt(3 * IntBlocks.BLOCK) : rnd.nextInt(4)];
            for (int i = 0; i < tail.length; i++) {
                tail[i] = ++counter;
            }
            int tailLength = tail.length == 0 ? 0 : rnd.nextInt(tail.length + 1);
            current = current.withSuffix(keep, tail, tailLength);
            int[] next = Arrays.copyOf(model, keep + tailLength);
            System.arraycopy(tail, 0, next, keep, tailLength);
            model = next;
            versions.add(current);
            expected.add(model);
            if (step % 200 == 0 || step == 3999) {
                for (int v = 0; v < versions.size(); v++) {
                    assertArrayEquals(expected.get(v), read(versions.get(v)), "version " + v + " after step " + step);
                }
            }
        }
    }

    @Test
    void aKeepBeyondTheSizeIsRefused() {
        IntBlocks b = IntBlocks.of(new int[]{ 1, 2, 3 });
        assertThrows(IndexOutOfBoundsException.class, () -> b.withSuffix(4, new int[]{ 9 }, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> b.withSuffix(-1, new int[0], 0));
    }
}
