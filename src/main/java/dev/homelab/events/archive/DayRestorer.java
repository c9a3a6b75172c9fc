package dev.homelab.events.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.NotFoundException;
import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.archive.ArchiveService.RestoreResult;
import dev.homelab.events.index.EventWriter;
import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventStore;

/**
 * Restores an archived day into the live layout: every file is written back with the store's durable write
 * (identical files are skipped, a different live file is a conflict and the archive is then kept), then the
 * archive is removed and the day is marked as held live, so retention leaves it alone until it is archived
 * again by hand. Before anything is written the audit trail checks the archive's files against the signed digests it
 * carries ({@link DayArchiver#checkRestore}); a mismatch refuses the restore and changes nothing. Runs under the
 * catalog's lock.
 */
@ApplicationScoped
public class DayRestorer {

    @Inject
    EventStore store;
    @Inject
    EventWriter writer;
    @Inject
    ArchiveCatalog catalog;

    // the catalog's, under these names so that restore(...) reads as it did in ArchiveService
    private Object lock;
    private ManifestCache manifests;

    @PostConstruct
    void init() {
        lock = catalog.lock();
        manifests = catalog.manifests();
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
                // the audit trail checks the files against the digests the archive carries: a refusal writes nothing
                archiver().checkRestore(day, file, archive);
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

    private DayArchiver archiver() {
        return catalog.archiver();
    }

    private Path archiveDir() {
        return catalog.archiveDir();
    }

    private Path restoredMarker(LocalDate day) {
        return catalog.restoredMarker(day);
    }

    private static LocalDate parseDate(String date) {
        return ArchiveCatalog.parseDate(date);
    }
}
