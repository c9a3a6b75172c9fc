package dev.homelab.events.archive;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.StartupEvent;

import dev.homelab.events.Event;
import dev.homelab.events.EventPage;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.config.ArchiveConfig;
import dev.homelab.events.index.Cursor;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.EventWriter;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.IndexPage;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.InvalidInputException;
import dev.homelab.events.service.NotFoundException;
import dev.homelab.events.service.StoreUnavailableException;
import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventFileName;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.ReadResult;
import dev.homelab.events.sync.Importer;

/**
 * Retention and archives: archives days older than the policy, restores days, and answers queries that
 * include archived days. All archive operations run one at a time (one lock), so a scheduled run and a
 * REST call never work on the same day together.
 */
@ApplicationScoped
public class ArchiveService implements Importer.ArchiveLookup {

    private static final Logger LOG = Logger.getLogger(ArchiveService.class);

    @Inject
    EventStore store;
    @Inject
    EventIndex index;
    @Inject
    EventWriter writer;
    @Inject
    EventService events;
    @Inject
    ArchiveConfig config;
    @Inject
    ObjectMapper mapper;

    private final Object lock = new Object();
    private final Map<LocalDate, Cached> manifests = new ConcurrentHashMap<>();
    private volatile DayArchiver archiver;
    private ScheduledExecutorService timer;

    private record Cached(long size, Instant modified, Manifest manifest, Map<String, String> shaByPath) {
    }

    public record ArchivedDay(String date, String file, int files, long bytes, boolean restored) {
    }

    public record ArchiveList(String dir, @JsonProperty("keep_days") int keepDays,
            @JsonProperty("delete_archives_after_days") Integer deleteAfterDays, List<ArchivedDay> archives) {
    }

    public record RestoreResult(String date, int written, int identical, int conflicts, List<String> notes,
            @JsonProperty("archive_removed") boolean archiveRemoved) {
    }

    public record RetentionRun(List<DayArchiver.Result> archived,
            @JsonProperty("archives_deleted") List<String> archivesDeleted,
            List<String> errors) {
    }

    void onStart(
            @Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 60) StartupEvent ev) {
        if (!config.enabled()) {
            return;
        }
        long every = Math.max(1000, config.interval().toMillis());
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "archive-retention");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                RetentionRun run = runRetention(LocalDate.now(ZoneOffset.UTC));
                if (!run.archived().isEmpty() || !run.errors().isEmpty()) {
                    LOG.infof("Retention: %d day(s) archived, %d archive(s) deleted, errors: %s", run.archived().size(),
                            run.archivesDeleted().size(), run.errors());
                }
            } catch (RuntimeException e) {
                LOG.warn("Retention run failed", e);
            }
        }, Math.min(every, 10_000), every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    public Path archiveDir() {
        return config.dir().filter(d -> !d.isBlank()).map(d -> Path.of(d).toAbsolutePath().normalize())
                .orElse(store.root().resolve(".archive"));
    }

    DayArchiver archiver() {
        if (archiver == null) {
            archiver = new DayArchiver(store.files(), archiveDir(), mapper);
        }
        return archiver;
    }

    /** Archives every live day older than keep-days (except restored days), then deletes expired archives. */
    public RetentionRun runRetention(LocalDate today) {
        // never today or later, whatever keep-days says: today's directory is still being written
        LocalDate cutoff = today.minusDays(Math.max(0, config.keepDays()));
        List<DayArchiver.Result> done = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (LocalDate day : liveDays()) {
            if (day.isBefore(cutoff) && !Files.exists(restoredMarker(day))) {
                try {
                    done.add(archiveDay(day.toString(), false));
                } catch (RuntimeException e) {
                    errors.add(day + ": " + e.getMessage());
                }
            }
        }
        if (config.deleteArchivesAfterDays().isPresent()) {
            LocalDate expiry = today.minusDays(config.deleteArchivesAfterDays().get());
            for (ArchivedDay a : list().archives()) {
                LocalDate d = LocalDate.parse(a.date());
                if (d.isBefore(expiry)) {
                    synchronized (lock) {
                        try {
                            Files.deleteIfExists(archiver().archiveFile(d));
                            Files.deleteIfExists(restoredMarker(d));
                            DurableFiles.forceDirectory(archiveDir());
                            manifests.remove(d);
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
        LocalDate day = parseDate(date);
        if (!day.isBefore(LocalDate.now(ZoneOffset.UTC))) {
            throw new InvalidInputException("date", date,
                    "must be a day before today (UTC); today's events are still arriving");
        }
        synchronized (lock) {
            try {
                DayArchiver.Result r = archiver().archive(day);
                manifests.remove(day);
                if (manual) {
                    Files.deleteIfExists(restoredMarker(day));
                }
                forgetRemoved(day);
                LOG.infof("Archive %s: %s (%d archived, %d removed, %d left in place)", day, r.outcome(), r.archived(),
                        r.removed(),
                        r.leftInPlace());
                return r;
            } catch (IOException e) {
                throw new StoreUnavailableException("archiving " + day + " failed; the live files were kept: " + e.getMessage(),
                        false, e);
            }
        }
    }

    /** Writes every file of an archived day back into the live layout (durable writes), then drops the archive. */
    public RestoreResult restore(String date) {
        LocalDate day = parseDate(date);
        synchronized (lock) {
            Path file = archiver().archiveFile(day);
            if (!Files.exists(file)) {
                throw new NotFoundException("no archive for " + date + " in " + archiveDir());
            }
            try {
                DayArchiver.Archive archive = archiver().read(file);
                int written = 0;
                int identical = 0;
                List<String> notes = new ArrayList<>();
                for (Map.Entry<String, byte[]> e : archive.files().entrySet()) {
                    // the one write path: the store's commit point, then the index and the metrics
                    EventWriter.ImportResult r = writer.importFile(e.getKey(), e.getValue());
                    switch (r.outcome()) {
                        case WRITTEN -> written++;
                        case IDENTICAL -> identical++;
                        case CONFLICT -> notes.add("conflict: " + e.getKey() + " (" + r.detail() + "); kept both");
                        case REJECTED -> notes.add("not restorable into the layout: " + e.getKey() + " (" + r.detail() + ")");
                    }
                }
                boolean removed = false;
                if (notes.isEmpty()) {
                    // every archived file is now live and identical: keep the day live (hold) and drop the archive
                    DurableFiles.replace(restoredMarker(day), new byte[0]);
                    Files.delete(file);
                    DurableFiles.forceDirectory(archiveDir());
                    manifests.remove(day);
                    removed = true;
                }
                return new RestoreResult(date, written, identical, notes.size(), notes, removed);
            } catch (IOException e) {
                throw new StoreUnavailableException("restoring " + date + " failed: " + e.getMessage(), false, e);
            }
        }
    }

    public ArchiveList list() {
        List<ArchivedDay> out = new ArrayList<>();
        for (LocalDate d : archivedDays()) {
            Path f = archiver().archiveFile(d);
            try {
                Cached c = cached(d).orElse(null);
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
        Path file = archiver().archiveFile(day);
        if (!Files.exists(file)) {
            throw new NotFoundException("no archive for " + date + " in " + archiveDir());
        }
        try {
            return archiver().read(file).manifest();
        } catch (IOException e) {
            throw new StoreUnavailableException("archive " + file + " failed verification: " + e.getMessage(), false, e);
        }
    }

    @Override
    public Optional<String> archivedSha256(String relativePath) {
        LocalDate day;
        try {
            day = LocalDate.parse(Path.of(relativePath).getName(0).toString());
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return cached(day).map(c -> c.shaByPath().get(relativePath));
    }

    /** A listing that also covers archived days: live and archived events merged in the listing order. */
    public EventPage listWithArchived(ListCriteria c, int defaultLimit, int maxLimit) {
        EventQuery q = events.toQuery(c, defaultLimit, maxLimit, Instant.now());
        IndexPage live = events.entries(q);
        Comparator<IndexEntry> order = q.newestFirst() ? IndexEntry.BY_TIME.reversed() : IndexEntry.BY_TIME;
        Map<IndexEntry, Event> archived = new HashMap<>();
        long archivedTotal = 0;
        for (LocalDate day : archivedDays()) {
            if (!overlaps(day, q)) {
                continue;
            }
            for (Event e : readDay(day)) {
                IndexEntry entry = Reconciler.entryOf(e, "archive:" + day);
                if (!q.matches(entry) || index.get(e.id()).isPresent()) {
                    continue; // live copies win (a day being archived or restored right now)
                }
                archivedTotal++;
                if (q.after() == null || order.compare(entry, q.after().asProbe()) > 0) {
                    archived.put(entry, e);
                }
            }
        }
        List<IndexEntry> merged = new ArrayList<>(live.entries());
        merged.addAll(archived.keySet());
        merged.sort(order);
        List<IndexEntry> page = merged.subList(0, Math.min(q.limit(), merged.size()));
        List<Event> out = new ArrayList<>(page.size());
        for (IndexEntry e : page) {
            Event a = archived.get(e);
            if (a != null) {
                out.add(a);
            } else {
                out.addAll(events.loadAll(List.of(e)));
            }
        }
        boolean hasMore = live.hasMore() || merged.size() > q.limit();
        String next = hasMore && !page.isEmpty() ? Cursor.of(page.get(page.size() - 1)).encode() : null;
        return new EventPage(out, live.total() + archivedTotal, hasMore, next);
    }

    /** A causal chain including archived events, oldest first; 404 when neither live nor archived events have it. */
    public List<Event> chainWithArchived(String correlationId) {
        List<Event> live;
        try {
            live = events.chain(correlationId);
        } catch (NotFoundException e) {
            live = List.of();
        }
        Map<java.util.UUID, Event> byId = new HashMap<>();
        live.forEach(e -> byId.put(e.id(), e));
        for (LocalDate day : archivedDays()) {
            Optional<Cached> c = cached(day);
            if (c.isEmpty() || c.get().manifest().files().stream().noneMatch(f -> correlationId.equals(f.correlationId()))) {
                continue;
            }
            for (Event e : readDay(day)) {
                if (correlationId.equals(e.correlationId())) {
                    byId.putIfAbsent(e.id(), e);
                }
            }
        }
        if (byId.isEmpty()) {
            throw new NotFoundException("no events with correlation_id " + correlationId + ", live or archived");
        }
        List<Event> out = new ArrayList<>(byId.values());
        out.sort(Event::compareByTime);
        return out;
    }

    private List<Event> readDay(LocalDate day) {
        try {
            DayArchiver.Archive a = archiver().read(archiver().archiveFile(day));
            List<Event> out = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : a.files().entrySet()) {
                ReadResult r = store.codec().fromBytes(e.getValue(), e.getKey(),
                        EventFileName.parse(Path.of(e.getKey()).getFileName().toString()));
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

    private static boolean overlaps(LocalDate day, EventQuery q) {
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return (q.since() == null || end.isAfter(q.since())) && (q.until() == null || start.isBefore(q.until()));
    }

    private Optional<Cached> cached(LocalDate day) {
        Path f = archiver().archiveFile(day);
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
            Manifest m = archiver().manifest(f);
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

    private Set<LocalDate> archivedDays() {
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
        String prefix = day + java.io.File.separator;
        Set<String> gone = new HashSet<>();
        for (String p : index.paths()) {
            if (p.startsWith(prefix) && !Files.exists(store.root().resolve(p))) {
                gone.add(p);
            }
        }
        gone.forEach(index::removePath);
    }

    private Path restoredMarker(LocalDate day) {
        return archiveDir().resolve(day + ".restored");
    }

    private static LocalDate parseDate(String date) {
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
