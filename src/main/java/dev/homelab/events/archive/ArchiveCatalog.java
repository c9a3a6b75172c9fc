package dev.homelab.events.archive;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.Event;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.archive.ArchiveService.ArchiveList;
import dev.homelab.events.archive.ArchiveService.ArchivedDay;
import dev.homelab.events.config.ArchiveConfig;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.ReadResult;

/**
 * Which days are archived and what their archives hold: the archive directory, one
 * {@code <yyyy-MM-dd>.zip} per day, the {@code <yyyy-MM-dd>.restored} markers of days held live after a
 * restore, and the cached manifests. Also owns the one lock under which every archive operation that
 * changes the directory runs ({@link RetentionPolicy}, {@link DayRestorer}), so a scheduled run and a REST
 * call never work on the same day together.
 */
@ApplicationScoped
public class ArchiveCatalog {

    private static final Logger LOG = Logger.getLogger(ArchiveCatalog.class);

    @Inject
    EventStore store;
    @Inject
    ArchiveConfig config;
    @Inject
    ObjectMapper mapper;

    private final Object lock = new Object();
    private DayArchiver archiver;
    private ManifestCache manifests;

    @PostConstruct
    void init() {
        archiver = new DayArchiver(store.files(), archiveDir(), mapper);
        manifests = new ManifestCache(archiver);
    }

    public Path archiveDir() {
        return config.dir().filter(d -> !d.isBlank()).map(d -> Path.of(d).toAbsolutePath().normalize())
                .orElse(store.root().resolve(".archive"));
    }

    DayArchiver archiver() {
        return archiver;
    }

    /** Held by every operation that writes or deletes archives, markers or archived days. */
    Object lock() {
        return lock;
    }

    ManifestCache manifests() {
        return manifests;
    }

    /** The marker of a day restored into the live layout, which retention then leaves live. */
    Path restoredMarker(LocalDate day) {
        return archiveDir().resolve(day + ".restored");
    }

    public ArchiveList list() {
        List<ArchivedDay> out = new ArrayList<>();
        for (LocalDate d : archivedDays()) {
            Path f = archiver.archiveFile(d);
            try {
                ManifestCache.Cached c = manifests.get(d).orElse(null);
                out.add(new ArchivedDay(d.toString(), f.toString(), c == null ? 0 : c.manifest().files().size(), Files.size(f),
                        Files.exists(restoredMarker(d))));
            } catch (IOException e) {
                out.add(new ArchivedDay(d.toString(), f.toString(), -1, -1, false));
            }
        }
        return new ArchiveList(archiveDir().toString(), config.keepDays(), config.deleteArchivesAfterDays().orElse(null), out);
    }

    /** Reads an archive back and checks every checksum; 404 when there is none. */
    public Manifest verify(String date) {
        LocalDate day = parseDate(date);
        Path file = archiver.archiveFile(day);
        if (!Files.exists(file)) {
            throw new NotFoundException("no archive for " + date + " in " + archiveDir());
        }
        try {
            return archiver.read(file).manifest();
        } catch (IOException e) {
            throw new StoreUnavailableException("archive " + file + " failed verification: " + e.getMessage(), false, e);
        }
    }

    /** SHA-256 of the archived file at a path relative to the store root, when an archive holds it. */
    public Optional<String> archivedSha256(String relativePath) {
        LocalDate day;
        try {
            day = LocalDate.parse(Path.of(relativePath).getName(0).toString());
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return manifests.get(day).map(c -> c.shaByPath().get(relativePath));
    }

    /** The days that have an archive, oldest first. */
    Set<LocalDate> archivedDays() {
        Set<LocalDate> out = new TreeSet<>();
        Path dir = archiveDir();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].zip")) {
            for (Path p : s) {
                try {
                    out.add(LocalDate.parse(p.getFileName().toString().substring(0, 10)));
                } catch (DateTimeParseException e) {
                    // not a day archive
                }
            }
        } catch (IOException e) {
            LOG.warnf("Archive directory %s unreadable: %s", dir, e.getMessage());
        }
        return out;
    }

    /** The events of an archived day (files that do not parse as events are left out); empty when unreadable. */
    List<Event> readDay(LocalDate day) {
        try {
            DayArchiver.Archive a = archiver.read(archiver.archiveFile(day));
            List<Event> out = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : a.files().entrySet()) {
                ReadResult r = store.files().decode(e.getValue(), e.getKey()); // the one reader's rules
                if (r instanceof ReadResult.Ok ok) {
                    out.add(ok.event());
                }
            }
            return out;
        } catch (IOException e) {
            LOG.warnf("Archive of %s unreadable, left out of the query: %s", day, e.getMessage());
            return List.of();
        }
    }

    static LocalDate parseDate(String date) {
        try {
            if (date != null && date.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(date);
            }
        } catch (DateTimeParseException e) {
            // fall through
        }
        throw new InvalidInputException("date", date, "must be a calendar day as yyyy-MM-dd, e.g. 2026-08-01");
    }
}
