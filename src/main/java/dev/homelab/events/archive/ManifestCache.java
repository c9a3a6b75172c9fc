package dev.homelab.events.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

/**
 * The manifests of the day archives, each read once and kept while its archive file keeps the same size and
 * modification time. Lets sync ask "is this path archived, with which checksum" and chains ask "which
 * archives hold this correlation id" without unpacking archives. Thread-safe.
 */
final class ManifestCache {

    private static final Logger LOG = Logger.getLogger(ManifestCache.class);

    /** One archive's manifest, and its checksums by relative path. */
    record Cached(long size, Instant modified, Manifest manifest, Map<String, String> shaByPath) {
    }

    private final DayArchiver archiver;
    private final Map<LocalDate, Cached> manifests = new ConcurrentHashMap<>();

    ManifestCache(DayArchiver archiver) {
        this.archiver = archiver;
    }

    /** The manifest of a day's archive; empty when there is none or it cannot be read. */
    Optional<Cached> get(LocalDate day) {
        Path f = archiver.archiveFile(day);
        try {
            if (!Files.exists(f)) {
                manifests.remove(day);
                return Optional.empty();
            }
            long size = Files.size(f);
            Instant modified = Files.getLastModifiedTime(f).toInstant();
            Cached c = manifests.get(day);
            if (c != null && c.size() == size && c.modified().equals(modified)) {
                return Optional.of(c);
            }
            Manifest m = archiver.manifest(f);
            Map<String, String> sha = new HashMap<>();
            m.files().forEach(e -> sha.put(e.path(), e.sha256()));
            c = new Cached(size, modified, m, sha);
            manifests.put(day, c);
            return Optional.of(c);
        } catch (IOException e) {
            LOG.warnf("Archive %s unreadable: %s", f, e.getMessage());
            return Optional.empty();
        }
    }

    /** Forgets a day's manifest after its archive was written, extended or deleted. */
    void remove(LocalDate day) {
        manifests.remove(day);
    }
}
