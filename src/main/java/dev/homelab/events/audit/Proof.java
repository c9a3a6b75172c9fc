package dev.homelab.events.audit;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * An inclusion proof: that the event file at {@code path}, with SHA-256 {@code file_sha256}, is leaf
 * {@code leaf_index} of the {@code tree_size} leaves under {@code merkle_root}, the root the day's digest signs.
 * To check it without the server: hash the file; compute the leaf {@code SHA-256(0x00 || file sha256 || path)};
 * fold {@code audit_path} into it (RFC 9162, section 2.1.3.2); compare with the digest's {@code merkle_root};
 * check the digest's Ed25519 {@code signature} over {@code signed_text} with the node's public key
 * ({@code public_key}, better one kept elsewhere). docs/audit.md has a worked example.
 */
public record Proof(String id, String path, @JsonProperty("file_sha256") String fileSha256,
        @JsonProperty("leaf_index") long leafIndex, @JsonProperty("tree_size") long treeSize,
        @JsonProperty("leaf_hash") String leafHash, @JsonProperty("audit_path") List<String> auditPath,
        @JsonProperty("merkle_root") String merkleRoot, JsonNode digest, @JsonProperty("signed_text") String signedText,
        @JsonProperty("public_key") String publicKey, @JsonProperty("key_id") String keyId) {
}
