package dev.homelab.events.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Merkle tree of a closed node-day, as in Certificate Transparency (RFC 6962, section 2.1; RFC 9162,
 * section 2.1): a leaf is {@code SHA-256(0x00 || file sha256 || path)} (the 32 raw bytes of the file's hash,
 * then its relative path in UTF-8), an inner node is {@code SHA-256(0x01 || left || right)}, a tree of n leaves
 * splits at the largest power of two below n, and the empty tree's root is {@code SHA-256()}. The prefixes
 * keep a leaf from ever passing for an inner node. Leaves are in listing order ({@code Event.LISTING_ORDER}).
 *
 * <p>
 * Thread-safety: stateless.
 */
final class Merkle {

    private Merkle() {
    }

    static byte[] leaf(byte[] fileSha256, String path) {
        MessageDigest md = Hashes.sha256();
        md.update((byte) 0x00);
        md.update(fileSha256);
        md.update(path.getBytes(StandardCharsets.UTF_8));
        return md.digest();
    }

    static byte[] node(byte[] left, byte[] right) {
        MessageDigest md = Hashes.sha256();
        md.update((byte) 0x01);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** MTH(D[n]). */
    static byte[] root(List<byte[]> leaves) {
        return leaves.isEmpty() ? Hashes.sha256(new byte[0]) : hash(leaves, 0, leaves.size());
    }

    private static byte[] hash(List<byte[]> leaves, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return leaves.get(from);
        }
        int k = split(n);
        return node(hash(leaves, from, from + k), hash(leaves, from + k, to));
    }

    /** The largest power of two smaller than n (n > 1). */
    private static int split(int n) {
        return Integer.highestOneBit(n - 1);
    }

    /** PATH(m, D[n]): the audit path of leaf m, from the leaf's sibling up to the root's child. */
    static List<byte[]> path(int m, List<byte[]> leaves) {
        if (m < 0 || m >= leaves.size()) {
            throw new IndexOutOfBoundsException("leaf " + m + " of " + leaves.size());
        }
        List<byte[]> out = new ArrayList<>();
        path(m, leaves, 0, leaves.size(), out);
        return out;
    }

    private static void path(int m, List<byte[]> leaves, int from, int to, List<byte[]> out) {
        int n = to - from;
        if (n == 1) {
            return;
        }
        int k = split(n);
        if (m - from < k) {
            path(m, leaves, from, from + k, out);
            out.add(hash(leaves, from + k, to));
        } else {
            path(m, leaves, from + k, to, out);
            out.add(hash(leaves, from, from + k));
        }
    }

    /** Verifies an inclusion proof (RFC 9162, section 2.1.3.2). */
    static boolean verify(byte[] leafHash, long index, long size, List<byte[]> path, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : path) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = node(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(r, root);
    }
}
