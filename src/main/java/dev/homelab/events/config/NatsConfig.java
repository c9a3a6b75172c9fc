package dev.homelab.events.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Replication through NATS JetStream ({@code homelab.nats.*}, or HOMELAB_NATS_* environment variables). Off
 * unless {@code url} is set. See docs/sync-and-archive.md ("NATS") and docs/scale.md.
 */
@ConfigMapping(prefix = "homelab.nats")
public interface NatsConfig {

    /**
     * One or more NATS servers, comma-separated, e.g. {@code nats://nats1.lan:4222,nats://nats2.lan:4222}
     * (HOMELAB_NATS_URL). Unset: NATS replication is off.
     */
    Optional<String> url();

    /** Token authentication (HOMELAB_NATS_TOKEN). */
    Optional<String> token();

    /** User for user/password authentication (HOMELAB_NATS_USER); needs {@code password}. */
    Optional<String> user();

    /** Password for user/password authentication (HOMELAB_NATS_PASSWORD). */
    Optional<String> password();

    /** A credentials file (JWT and NKey seed, as {@code nsc} writes it) (HOMELAB_NATS_CREDS). */
    Optional<String> creds();

    /** The JetStream stream; created when missing (HOMELAB_NATS_STREAM). */
    @WithDefault("HOMELAB_EVENTS")
    String stream();

    /** Replicas of a stream this node creates: 1 on a single server, 3 on a cluster (HOMELAB_NATS_REPLICAS). */
    @WithDefault("1")
    int replicas();

    /** How long a created stream keeps events, so a node offline for that long still catches up (HOMELAB_NATS_MAX_AGE). */
    @WithName("max-age")
    @WithDefault("P30D")
    Duration maxAge();

    /** Size limit of a created stream in bytes, -1 for none; the oldest events go first (HOMELAB_NATS_MAX_BYTES). */
    @WithName("max-bytes")
    @WithDefault("-1")
    long maxBytes();

    /** De-duplication window of a created stream: a republished event id is dropped within it (HOMELAB_NATS_DUPLICATE_WINDOW). */
    @WithName("duplicate-window")
    @WithDefault("PT10M")
    Duration duplicateWindow();

    /**
     * Nodes whose events this node imports (HOMELAB_NATS_FOLLOW, comma-separated node names); unset: every node.
     * More than one name needs a NATS server 2.10 or newer (consumer with several filter subjects).
     */
    Optional<List<String>> follow();

    /** Import other nodes' events at all (HOMELAB_NATS_CONSUME); false makes this node publish only. */
    @WithDefault("true")
    boolean consume();

    /** Name of this node's durable consumer (HOMELAB_NATS_CONSUMER); default {@code homelab-<node>}. */
    Optional<String> consumer();

    /** How often the outbox publishes what arrived in the store, and a lost setup is retried (HOMELAB_NATS_INTERVAL). */
    @WithDefault("PT1S")
    Duration interval();

    /** Events read and published per outbox page (HOMELAB_NATS_BATCH), 1-1000. */
    @WithDefault("200")
    int batch();

    /** Connect and request timeout of one call to NATS (HOMELAB_NATS_TIMEOUT). */
    @WithDefault("PT5S")
    Duration timeout();

    /**
     * How long a verdict on another node's audit key holds before its published key is looked up again; refused
     * messages come again after it (HOMELAB_NATS_KEY_RECHECK).
     */
    @WithDefault("PT1M")
    Duration keyRecheck();
}
