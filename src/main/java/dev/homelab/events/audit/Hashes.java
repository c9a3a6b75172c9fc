package dev.homelab.events.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 and lower-case hex, the two encodings every audit file uses. */
final class Hashes {

    private static final HexFormat HEX = HexFormat.of();

    private Hashes() {
    }

    private static final MessageDigest PROTOTYPE;

    static {
        try {
            PROTOTYPE = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A fresh SHA-256 (a clone of a prototype: far cheaper than a provider lookup per leaf and node). */
    static MessageDigest sha256() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    static byte[] sha256(byte[] bytes, int length) {
        MessageDigest md = sha256();
        md.update(bytes, 0, length);
        return md.digest();
    }

    static String sha256Hex(byte[] bytes) {
        return hex(sha256(bytes));
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Parses 64 hex digits (a SHA-256); throws IllegalArgumentException otherwise. */
    static byte[] unhex32(String hex) {
        if (hex == null || hex.length() != 64) {
            throw new IllegalArgumentException("not a SHA-256 in hex: " + hex);
        }
        return HEX.parseHex(hex);
    }
}
