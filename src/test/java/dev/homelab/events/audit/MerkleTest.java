package dev.homelab.events.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The tree is RFC 6962's: the Certificate Transparency test vectors give the same roots, and every proof checks. */
class MerkleTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The eight leaf inputs of the CT reference tests (certificate-transparency, merkle_tree_test). */
    private static final String[] INPUTS = { "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f" };

    /** MTH of the first 1..8 inputs, from the same tests. */
    private static final String[] ROOTS = {
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328" };

    static byte[] ctLeaf(String hex) {
        byte[] data = HEX.parseHex(hex);
        byte[] in = new byte[data.length + 1];
        System.arraycopy(data, 0, in, 1, data.length);
        return Hashes.sha256(in);
    }

    @Test
    void rootsMatchTheCertificateTransparencyVectors() {
        List<byte[]> leaves = new ArrayList<>();
        for (int n = 1; n <= INPUTS.length; n++) {
            leaves.add(ctLeaf(INPUTS[n - 1]));
            assertEquals(ROOTS[n - 1], HEX.formatHex(Merkle.root(leaves)), "root of " + n + " leaves");
        }
    }

    @Test
    void emptyTreeIsTheHashOfNothing() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", HEX.formatHex(Merkle.root(List.of())));
    }

    @Test
    void everyLeafOfEveryTreeUpTo70HasAProofThatChecksAndNoOtherLeafPasses() {
        List<byte[]> leaves = new ArrayList<>();
        for (int n = 1; n <= 70; n++) {
            leaves.add(Merkle.leaf(Hashes.sha256(new byte[]{ (byte) n }), "2026-11-20/pi4/" + n + ".json"));
            byte[] root = Merkle.root(leaves);
            for (int m = 0; m < n; m++) {
                List<byte[]> path = Merkle.path(m, leaves);
                assertTrue(Merkle.verify(leaves.get(m), m, n, path, root), "leaf " + m + " of " + n);
                if (n > 1) {
                    assertFalse(Merkle.verify(leaves.get((m + 1) % n), m, n, path, root), "another leaf at " + m);
                }
            }
        }
    }

    @Test
    void leafAndNodeHashesCannotBeConfused() {
        byte[] a = Hashes.sha256(new byte[]{ 1 });
        byte[] b = Hashes.sha256(new byte[]{ 2 });
        byte[] leaf = Merkle.leaf(a, "x");
        byte[] node = Merkle.node(a, b);
        assertFalse(java.util.Arrays.equals(leaf, node));
        // a two-leaf root is the node of its leaves
        assertArrayEquals(Merkle.node(Merkle.leaf(a, "p"), Merkle.leaf(b, "q")),
                Merkle.root(List.of(Merkle.leaf(a, "p"), Merkle.leaf(b, "q"))));
    }
}
