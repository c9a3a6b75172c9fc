package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The digest that closes a node-day, format version 1 ({@code .audit/<date>/<node>.digest}, one compact JSON
 * object and a newline):
 *
 * <ul>
 * <li>{@code node}, {@code date}: the node-day it closes; {@code count}: its sealed event files;
 * {@code merkle_root}: the root over them in listing order ({@link Merkle});</li>
 * <li>{@code seals_bytes}, {@code seals_sha256}: how much of the seal record it covers and that prefix's hash,
 * so no covered seal line (its path, hash, size, or when it was sealed) can change unnoticed; lines after it
 * are late arrivals;</li>
 * <li>{@code sequence}, {@code previous_date}, {@code previous_sha256}: the signer's chain of digests for this
 * node, in the order they were written: the previous digest's date and the SHA-256 of its file's bytes (none
 * for sequence 1);</li>
 * <li>{@code closed_at}, {@code signer} (the node that sealed and signed), {@code key_id} (SHA-256 of the
 * public key's X.509 encoding), {@code algorithm} ({@code Ed25519}) and {@code signature} (base64).</li>
 * </ul>
 *
 * The signature covers {@link #signedText()}: every field but the signature, one {@code name=value} line each,
 * in the order above, after a first line naming the format. JSON whitespace and field order therefore do not
 * matter to a verifier; the values do.
 */
record Digest(String node, String date, long count, String merkleRoot, long sealsBytes, String sealsSha256, long sequence,
        String previousDate, String previousSha256, Instant closedAt, String signer, String keyId, String signature) {

    static final int VERSION = 1;
    static final String ALGORITHM = "Ed25519";
    static final String HEADER = "homelab-events audit digest v1";

    /** The exact text that is signed (UTF-8), see the class comment. */
    String signedText() {
        return HEADER + "\n"
                + "version=" + VERSION + "\n"
                + "node=" + node + "\n"
                + "date=" + date + "\n"
                + "count=" + count + "\n"
                + "merkle_root=" + merkleRoot + "\n"
                + "seals_bytes=" + sealsBytes + "\n"
                + "seals_sha256=" + sealsSha256 + "\n"
                + "sequence=" + sequence + "\n"
                + "previous_date=" + (previousDate == null ? "" : previousDate) + "\n"
                + "previous_sha256=" + (previousSha256 == null ? "" : previousSha256) + "\n"
                + "closed_at=" + closedAt + "\n"
                + "signer=" + signer + "\n"
                + "key_id=" + keyId + "\n"
                + "algorithm=" + ALGORITHM + "\n";
    }

    byte[] signedBytes() {
        return signedText().getBytes(StandardCharsets.UTF_8);
    }

    Digest withSignature(String base64) {
        return new Digest(node, date, count, merkleRoot, sealsBytes, sealsSha256, sequence, previousDate, previousSha256,
                closedAt, signer, keyId, base64);
    }

    /** The file's bytes: one compact JSON object, then a newline. */
    byte[] toBytes() {
        ObjectNode o = Seal.JSON.createObjectNode();
        o.put("version", VERSION);
        o.put("node", node);
        o.put("date", date);
        o.put("count", count);
        o.put("merkle_root", merkleRoot);
        o.put("seals_bytes", sealsBytes);
        o.put("seals_sha256", sealsSha256);
        o.put("sequence", sequence);
        o.put("previous_date", previousDate);
        o.put("previous_sha256", previousSha256);
        o.put("closed_at", closedAt.toString());
        o.put("signer", signer);
        o.put("key_id", keyId);
        o.put("algorithm", ALGORITHM);
        o.put("signature", signature);
        try {
            return (Seal.JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("a digest always serializes", e);
        }
    }

    /** Reads a digest file; throws IllegalArgumentException naming what is wrong with it. */
    static Digest parse(byte[] bytes) {
        JsonNode o;
        try {
            o = Seal.JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (o.path("version").asInt() != VERSION) {
            throw new IllegalArgumentException("version is not " + VERSION);
        }
        if (!ALGORITHM.equals(o.path("algorithm").asText())) {
            throw new IllegalArgumentException("algorithm is not " + ALGORITHM);
        }
        try {
            String previousDate = optionalText(o, "previous_date");
            String previousSha = optionalText(o, "previous_sha256");
            if (previousSha != null) {
                Hashes.unhex32(previousSha);
            }
            Hashes.unhex32(text(o, "merkle_root"));
            Hashes.unhex32(text(o, "seals_sha256"));
            return new Digest(text(o, "node"), text(o, "date"), number(o, "count"), text(o, "merkle_root"),
                    number(o, "seals_bytes"), text(o, "seals_sha256"), number(o, "sequence"), previousDate, previousSha,
                    Instant.parse(text(o, "closed_at")), text(o, "signer"), text(o, "key_id"), text(o, "signature"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return v.asText();
    }

    private static String optionalText(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : text(o, field);
    }

    private static long number(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isIntegralNumber() || v.asLong() < 0) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return v.asLong();
    }
}
