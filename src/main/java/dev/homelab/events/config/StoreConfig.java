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

    /** The in-memory index: freshness, snapshot, first scan ({@code homelab.index.*}). */
    Index index();

    interface Index {
        /**
         * How often every directory is listed again, whatever its change time says (the source of truth for
         * file systems that report no changes). The cheap pass runs every {@code homelab.events.rescan-interval}.
         */
        @WithName("full-rescan-interval")
        @WithDefault("PT5M")
        Duration fullRescanInterval();

        /** Watch the store with the file system's change notifications, so other processes' files appear within a second. */
        @WithDefault("true")
        boolean watch();

        /** Keep a snapshot of the index on disk, so a restart does not read every file again. */
        @WithDefault("true")
        boolean snapshot();

        /** Directory of the snapshot; default {@code <store root>/.index} (hidden, so never read as events). */
        @WithName("snapshot-dir")
        Optional<String> snapshotDir();

        /** Stores with fewer events than this get no snapshot (reading them is quick anyway), keeping small stores clean. */
        @WithName("snapshot-min-events")
        @WithDefault("10000")
        int snapshotMinEvents();

        /** How often the snapshot is rewritten while the index changes (it is also written at shutdown). */
        @WithName("snapshot-interval")
        @WithDefault("PT10M")
        Duration snapshotInterval();

        /** Threads reading files during the first scan; 0 means one per core. */
        @WithName("scan-threads")
        @WithDefault("0")
        int scanThreads();

        /** Health reports the index as stale when no reconciliation pass has completed for this long. */
        @WithName("stale-after")
        @WithDefault("PT1M")
        Duration staleAfter();
    }

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

        /**
         * How often the index is reconciled with the files by a cheap pass, which lists only the directories
         * whose change time moved (the watcher usually got there first); see also homelab.index.full-rescan-interval.
         */
        @WithName("rescan-interval")
        @WithDefault("PT5S")
        Duration rescanInterval();

        /** Load the specification's example flow (deploy-882) at start when the store does not have it. */
        @WithDefault("false")
        boolean demo();
    }
}
