package dev.homelab.events.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Where and how events are stored ({@code homelab.*}, or the matching HOMELAB_* environment variables). */
@ConfigMapping(prefix = "homelab")
public interface StoreConfig {

    /** This node's name for emitted events (HOMELAB_NODE); the hostname when unset. */
    Optional<String> node();

    Events events();

    interface Events {
        /**
         * Store root (HOMELAB_EVENTS_DIR). When unset: /opt/homelab/events if it exists or can be created,
         * else $XDG_DATA_HOME/homelab/events (~/.local/share/homelab/events), the same rule as the libraries.
         */
        Optional<String> dir();

        /** Extra event types this homelab accepts besides the ten normalized ones (HOMELAB_EVENTS_CUSTOM_TYPES). */
        @WithName("custom-types")
        Optional<List<String>> customTypes();

        /** Largest accepted payload, in bytes of compact UTF-8 JSON. */
        @WithName("payload-max-bytes")
        @WithDefault("65536")
        int payloadMaxBytes();

        /** Deepest accepted payload nesting (a flat object is depth 1). */
        @WithName("payload-max-depth")
        @WithDefault("16")
        int payloadMaxDepth();

        /** Event files larger than this are skipped as oversized when read. */
        @WithName("file-max-bytes")
        @WithDefault("1048576")
        long fileMaxBytes();

        /** Timestamps further ahead of this node's clock are refused (clock-skew policy). */
        @WithName("max-future-skew")
        @WithDefault("PT24H")
        Duration maxFutureSkew();

        /** Readiness goes DOWN when the store's file system has less free space than this. */
        @WithName("min-free-bytes")
        @WithDefault("104857600")
        long minFreeBytes();

        /** How often the whole tree is reconciled with the index (files written by other processes). */
        @WithName("rescan-interval")
        @WithDefault("PT5S")
        Duration rescanInterval();

        /** Load the specification's example flow (deploy-882) at start when the store does not have it. */
        @WithDefault("false")
        boolean demo();
    }
}
