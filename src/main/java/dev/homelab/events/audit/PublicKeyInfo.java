package dev.homelab.events.audit;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The node's audit public key, as {@code GET /api/audit/public-key} publishes it. */
public record PublicKeyInfo(String node, String algorithm, @JsonProperty("key_id") String keyId, String pem,
        @JsonProperty("store_copy") String storeCopy) {
}
