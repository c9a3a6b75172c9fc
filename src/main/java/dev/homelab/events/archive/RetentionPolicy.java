package dev.homelab.events.archive;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.archive.ArchiveService.ArchivedDay;
import dev.homelab.events.archive.ArchiveService.RetentionRun;
import dev.homelab.events.config.ArchiveConfig;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventStore;

/**
 * The retention policy: archives every live day older than {@code homelab.archive.keep-days} (except days
 * held live after a restore) and deletes archives older than {@code delete-archives-after-days}. Also
 * archives one day on request. Runs under the catalog's lock; {@link RetentionSchedule} applies it
 * periodically.
 */
@ApplicationScoped
public class RetentionPolicy {

    private static final Logger LOG = Logger.getLogger(RetentionPolicy.class);

    @Inject
    ArchiveCatalog catalog;
    @Inject
    EventStore store;
    @Inject
    EventIndex index;
    @Inject
    ArchiveConfig config;

    /** Archives every live day older than keep-days (except restored days), then deletes expired archives. */
    public RetentionRun runRetention(LocalDate today) {
        // never today or later, whatever keep-days says: today's directory is still being written
        LocalDate cutoff = today.minusDays(Math.max(0, config.keepDays()));
        List<DayArchiver.Result> done = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (LocalDate day : liveDays()) {
            if (day.isBefore(cutoff) && !Files.exists(catalog.restoredMarker(day))) {
                try {
                    done.add(archiveDay(day.toString(), false));
                } catch (RuntimeException e) {
                    errors.add(day + ": " + e.getMessage());
                }
            }
        }
        if (config.deleteArchivesAfterDays().isPresent()) {
            LocalDate expiry = today.minusDays(config.deleteArchivesAfterDays().get());
            for (ArchivedDay a : catalog.list().archives()) {
                LocalDate d = LocalDate.parse(a.date());
                if (d.isBefore(expiry)) {
                    synchronized (catalog.lock()) {
                        try {
                            Files.deleteIfExists(catalog.archiver().archiveFile(d));
                            Files.deleteIfExists(catalog.restoredMarker(d));
                            DurableFiles.forceDirectory(catalog.archiveDir());
                            catalog.manifests().remove(d);
                            deleted.add(a.date());
                        } catch (IOException e) {
                            errors.add(a.date() + ": could not delete expired archive: " + e);
                        }
                    }
                }
            }
        }
        return new RetentionRun(done, deleted, errors);
    }

    /** Archives one day now. {@code manual} runs clear a restored day's hold. Only days before today (UTC). */
    public DayArchiver.Result archiveDay(String date, boolean manual) {
        LocalDate day = ArchiveCatalog.parseDate(date);
        if (!day.isBefore(LocalDate.now(ZoneOffset.UTC))) {
            throw new InvalidInputException("date", date,
                    "must be a day before today (UTC); today's events are still arriving");
        }
        synchronized (catalog.lock()) {
            try {
                DayArchiver.Result r = catalog.archiver().archive(day);
                catalog.manifests().remove(day);
                if (manual) {
                    Files.deleteIfExists(catalog.restoredMarker(day));
                }
                forgetRemoved(day);
                LOG.infof("Archive %s: %s (%d archived, %d removed, %d left in place)", day, r.outcome(), r.archived(),
                        r.removed(), r.leftInPlace());
                return r;
            } catch (IOException e) {
                throw new StoreUnavailableException("archiving " + day + " failed; the live files were kept: " + e.getMessage(),
                        false, e);
            }
        }
    }

    private Set<LocalDate> liveDays() {
        Set<LocalDate> out = new TreeSet<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(store.root(), "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]")) {
            for (Path p : s) {
                try {
                    out.add(LocalDate.parse(p.getFileName().toString()));
                } catch (DateTimeParseException e) {
                    // not a calendar date: the scanner reports it as foreign
                }
            }
        } catch (IOException e) {
            LOG.warnf("Store root unreadable: %s", e.getMessage());
        }
        return out;
    }

    /** Drops index entries of files an archive run removed, so listings stop showing them at once. */
    private void forgetRemoved(LocalDate day) {
        String prefix = day + File.separator;
        Set<String> gone = new HashSet<>();
        for (String p : index.paths()) {
            if (p.startsWith(prefix) && !Files.exists(store.root().resolve(p))) {
                gone.add(p);
            }
        }
        gone.forEach(index::removePath);
    }
}
