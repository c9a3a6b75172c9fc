package dev.homelab.events.archive;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.homelab.events.Event;
import dev.homelab.events.EventPage;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.sync.Importer;

/**
 * Retention and archives, as the faces see them: archives days older than the policy
 * ({@link RetentionPolicy}, periodically through {@link RetentionSchedule}), restores days
 * ({@link DayRestorer}), lists and verifies archives ({@link ArchiveCatalog}), and answers queries that
 * include archived days ({@link ArchiveQueries}). All archive operations that change archives run one at a
 * time (the catalog's lock), so a scheduled run and a REST call never work on the same day together. Sync
 * asks it whether a path is archived ({@link Importer.ArchiveLookup}), so archived days are not re-created
 * live.
 */
@ApplicationScoped
public class ArchiveService implements Importer.ArchiveLookup {

    @Inject
    ArchiveCatalog catalog;
    @Inject
    RetentionPolicy retention;
    @Inject
    DayRestorer restorer;
    @Inject
    ArchiveQueries queries;

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

    public Path archiveDir() {
        return catalog.archiveDir();
    }

    /** Adds a check that runs before an archived day's live files are removed (the audit trail verifies the day). */
    public void addRemovalGuard(DayArchiver.RemovalGuard guard) {
        catalog.archiver().addRemovalGuard(guard);
    }

    /** Archives every live day older than keep-days (except restored days), then deletes expired archives. */
    public RetentionRun runRetention(LocalDate today) {
        return retention.runRetention(today);
    }

    /** Archives one day now. {@code manual} runs clear a restored day's hold. Only days before today (UTC). */
    public DayArchiver.Result archiveDay(String date, boolean manual) {
        return retention.archiveDay(date, manual);
    }

    /** Writes every file of an archived day back into the live layout (durable writes), then drops the archive. */
    public RestoreResult restore(String date) {
        return restorer.restore(date);
    }

    public ArchiveList list() {
        return catalog.list();
    }

    /** Reads an archive back and checks every checksum; 404 when there is none. */
    public Manifest verify(String date) {
        return catalog.verify(date);
    }

    @Override
    public Optional<String> archivedSha256(String relativePath) {
        return catalog.archivedSha256(relativePath);
    }

    /** A listing that also covers archived days: live and archived events merged in the listing order. */
    public EventPage listWithArchived(ListCriteria c, int defaultLimit, int maxLimit) {
        return queries.listWithArchived(c, defaultLimit, maxLimit);
    }

    /** A causal chain including archived events, oldest first; 404 when neither live nor archived events have it. */
    public List<Event> chainWithArchived(String correlationId) {
        return queries.chainWithArchived(correlationId);
    }
}
