package dev.homelab.events.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Retention: which days stay live, where archives go ({@code homelab.archive.*}, or HOMELAB_ARCHIVE_*). */
@ConfigMapping(prefix = "homelab.archive")
public interface ArchiveConfig {

    /** Run the retention policy periodically (HOMELAB_ARCHIVE_ENABLED); REST archiving works either way. */
    @WithDefault("true")
    boolean enabled();

    /** Days kept live; older date directories are archived (HOMELAB_ARCHIVE_KEEP_DAYS). */
    @WithName("keep-days")
    @WithDefault("90")
    int keepDays();

    /** Delete archives of days older than this many days (HOMELAB_ARCHIVE_DELETE_ARCHIVES_AFTER_DAYS); unset keeps them forever. */
    @WithName("delete-archives-after-days")
    Optional<Integer> deleteArchivesAfterDays();

    /** Archive directory (HOMELAB_ARCHIVE_DIR); default {@code <events root>/.archive}, skipped by the scanner. */
    Optional<String> dir();

    /**
     * How often the retention policy runs (HOMELAB_ARCHIVE_INTERVAL), the first time ten seconds after start-up;
     * an ISO-8601 duration such as PT6H or a short form such as 6h.
     */
    @WithDefault("PT6H")
    Duration interval();
}
