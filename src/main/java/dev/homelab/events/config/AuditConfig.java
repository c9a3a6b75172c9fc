package dev.homelab.events.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The tamper-evident audit trail ({@code homelab.audit.*}, or HOMELAB_AUDIT_* environment variables): every
 * event file is sealed (hashed into a per node and day record under {@code <root>/.audit}), and each node-day
 * is closed with a signed digest once its grace period has passed. See docs/audit.md.
 */
@ConfigMapping(prefix = "homelab.audit")
public interface AuditConfig {

    /** Seal event files and close days (HOMELAB_AUDIT_ENABLED); verification works on whatever is recorded either way. */
    @WithDefault("true")
    boolean enabled();

    /**
     * The node's Ed25519 private key (HOMELAB_AUDIT_KEY_FILE), created with mode 0600 on first start. Keep it
     * outside the event store: whoever holds it can sign digests. Default
     * {@code $XDG_CONFIG_HOME/homelab-events/audit-ed25519.key}, i.e. {@code ~/.config/homelab-events/audit-ed25519.key}.
     */
    @WithName("key-file")
    Optional<String> keyFile();

    /**
     * How long after midnight UTC a day stays open for late files (HOMELAB_AUDIT_GRACE): offline writers and
     * sync catching up. Files of a day that arrive after it closed are sealed and reported as late arrivals.
     */
    @WithDefault("PT2H")
    Duration grace();

    /** How often due days are closed and unsealed files looked for (HOMELAB_AUDIT_CLOSE_INTERVAL). */
    @WithName("close-interval")
    @WithDefault("PT1M")
    Duration closeInterval();

    /**
     * Group commit window of sealing (HOMELAB_AUDIT_SEAL_WINDOW): files seen during one window are appended
     * and forced together, off the request path. A crash inside the window leaves those files unsealed until the
     * next start seals them (with a later sealed_at); nothing is lost.
     */
    @WithName("seal-window")
    @WithDefault("PT0.2S")
    Duration sealWindow();

    /** Files waiting for their seal at most; beyond it, their directory is swept at the next close interval. */
    @WithName("queue-capacity")
    @WithDefault("16384")
    int queueCapacity();
}
