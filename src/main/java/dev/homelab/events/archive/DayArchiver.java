package dev.homelab.events.archive;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventFiles;
import dev.homelab.events.storage.ReadResult;
import dev.homelab.events.sync.Exporter;

/**
 * Archives one day directory into {@code <archive dir>/<yyyy-MM-dd>.zip} and removes the live copy only
 * once the archive is on disk and verified. Steps, each a safe place to crash:
 *
 * <ol>
 * <li>WRITTEN: the zip (manifest first, then every file, then the audit records the guards give) is written to a dot-temp file and forced. A crash
 * leaves a temp file and the untouched day.</li>
 * <li>COMMITTED: the temp is linked to its final name (a new archive) or renamed over it (an archive being
 * extended with files that arrived later), and the directory forced. <b>Commit point.</b></li>
 * <li>VERIFIED: the final archive is read back; every entry's size and SHA-256 must match the manifest, and
 * every live file to be removed must still match it. Any mismatch stops here, the day stays live.</li>
 * <li>REMOVED: the verified live files are deleted, then empty node and day directories.</li>
 * </ol>
 * A crash between any two steps leaves the day, or a verified archive, or both; running again finishes
 * the job. Running it on an archived day with nothing live changes nothing.
 *
 * <p>
 * Only what the store's one reader ({@link EventFiles}) reads as an event, at a path restore can write it
 * back to, is archived. Everything else (dot-temp files, symlinks, FIFOs, foreign or invalid files, foreign
 * directories) is neither archived nor removed, so its day directory stays and the store keeps reporting it. Thread-safety: callers serialize per day
 * ({@link ArchiveService} holds one lock for all archive operations).
 */
public class DayArchiver {

    public enum Step {
        WRITTEN,
        COMMITTED,
        VERIFIED,
        REMOVED
    }

    public record Result(String date, String outcome, int archived, int removed, int leftInPlace, List<String> notes) {
    }

    /**
     * The audit trail's part in archiving (implemented by the audit package). {@link #beforeRemoval} is asked before a
     * day is archived and its live files removed (the audit trail verifies the day); throwing, with a
     * {@code ConflictException} for a day that must stay live or an IOException, leaves no archive and removes
     * nothing. {@link #auditRecords} gives the records the archive carries; {@link #beforeRestore} checks an archive
     * against them before a restore writes anything, and throws to refuse it.
     */
    public interface RemovalGuard {
        void beforeRemoval(LocalDate day) throws IOException;

        default AuditRecords auditRecords(LocalDate day) throws IOException {
            return AuditRecords.NONE;
        }

        default void beforeRestore(LocalDate day, Path archiveFile, Archive archive) throws IOException {
        }
    }

    /** Audit records to carry in a day's archive: store-relative path (under {@code .audit/}) to bytes, and key ids. */
    public record AuditRecords(List<String> keyIds, Map<String, byte[]> files) {

        public static final AuditRecords NONE = new AuditRecords(List.of(), Map.of());
    }

    private final EventFiles files;
    private final Path root;
    private final Path archiveDir;
    private final ObjectMapper mapper;
    private final List<RemovalGuard> guards = new CopyOnWriteArrayList<>();

    public DayArchiver(EventFiles files, Path archiveDir, ObjectMapper mapper) {
        this.files = files;
        this.root = files.root();
        this.archiveDir = archiveDir;
        this.mapper = mapper;
    }

    /** Adds a guard asked before every archive run of a day (see {@link RemovalGuard}). */
    public void addRemovalGuard(RemovalGuard guard) {
        guards.add(guard);
    }

    public Path archiveFile(LocalDate day) {
        return archiveDir.resolve(day + ".zip");
    }

    /** Called after each step; tests throw here to simulate a crash between steps. */
    protected void after(Step step, LocalDate day) throws IOException {
    }

    public Result archive(LocalDate day) throws IOException {
        Path dayDir = root.resolve(day.toString());
        Path archive = archiveFile(day);
        List<String> notes = new ArrayList<>();
        Map<String, byte[]> live = new TreeMap<>();
        int left = collectLive(dayDir, live, notes);
        boolean exists = Files.exists(archive);
        if (live.isEmpty()) {
            if (exists) {
                read(archive); // verifies; throws if damaged
                return new Result(day.toString(), "already_archived", 0, 0, left, notes);
            }
            return new Result(day.toString(), "nothing_to_archive", 0, 0, left, notes);
        }
        // an existing archive is extended with files that arrived for that day later (sync, copies)
        Map<String, byte[]> content = new TreeMap<>(exists ? read(archive).files() : Map.of());
        Map<String, byte[]> toRemove = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : live.entrySet()) {
            byte[] prior = content.get(e.getKey());
            if (prior != null && !Arrays.equals(prior, e.getValue())) {
                notes.add("kept live: " + e.getKey() + " differs from the archived file with the same path");
                left++;
                continue;
            }
            content.put(e.getKey(), e.getValue());
            toRemove.put(e.getKey(), e.getValue());
        }
        if (toRemove.isEmpty()) {
            return new Result(day.toString(), "conflicts", 0, 0, left, notes);
        }
        List<String> keyIds = new ArrayList<>();
        Map<String, byte[]> audit = new TreeMap<>();
        for (RemovalGuard guard : guards) {
            guard.beforeRemoval(day); // before anything is written: a refused day leaves no archive behind
            AuditRecords r = guard.auditRecords(day);
            r.keyIds().forEach(k -> {
                if (!keyIds.contains(k)) {
                    keyIds.add(k);
                }
            });
            audit.putAll(r.files());
        }
        Files.createDirectories(archiveDir);
        Path temp = DurableFiles.tempFor(archive);
        try {
            writeZip(temp, day, content, new AuditRecords(keyIds, audit));
            after(Step.WRITTEN, day);
            if (exists) {
                DurableFiles.renameOver(temp, archive); // COMMIT POINT of an extended archive
            } else {
                try {
                    // COMMIT POINT for a new archive: a link never replaces an archive another run made
                    DurableFiles.linkNew(temp, archive);
                } catch (FileAlreadyExistsException e) {
                    throw new IOException("archive " + archive + " appeared while archiving; run again", e);
                }
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        DurableFiles.forceDirectory(archiveDir);
        after(Step.COMMITTED, day);
        Archive verified = read(archive);
        for (Map.Entry<String, byte[]> e : toRemove.entrySet()) {
            byte[] archived = verified.files().get(e.getKey());
            byte[] now = readLive(e.getKey());
            if (archived == null || now == null || !Arrays.equals(archived, now)) {
                throw new IOException("verification failed for " + e.getKey() + ": the live file and the archive differ; "
                        + "nothing was removed");
            }
        }
        after(Step.VERIFIED, day);
        int removed = 0;
        for (String path : toRemove.keySet()) {
            if (Files.deleteIfExists(root.resolve(path))) {
                removed++;
            }
        }
        removeEmptyDirectories(dayDir);
        after(Step.REMOVED, day);
        return new Result(day.toString(), "archived", toRemove.size(), removed, left, notes);
    }

    /**
     * An opened, verified archive: its manifest, every event file's bytes by relative path, and the audit records it
     * carries (store-relative path under {@code .audit/}; empty for a format 1 archive).
     */
    public record Archive(Manifest manifest, Map<String, byte[]> files, Map<String, byte[]> audit) {
    }

    /** Asks every guard to check an archive before it is restored; a guard throws to refuse (nothing is written). */
    public void checkRestore(LocalDate day, Path archiveFile, Archive archive) throws IOException {
        for (RemovalGuard guard : guards) {
            guard.beforeRestore(day, archiveFile, archive);
        }
    }

    /** Reads an archive and checks every entry against the manifest; throws if anything is missing or differs. */
    public Archive read(Path archive) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry me = zip.getEntry(Manifest.ENTRY_NAME);
            if (me == null) {
                throw new IOException("archive " + archive + " has no " + Manifest.ENTRY_NAME);
            }
            Manifest manifest;
            try (InputStream in = zip.getInputStream(me)) {
                manifest = mapper.readValue(in.readAllBytes(), Manifest.class);
            }
            Map<String, byte[]> files = entries(zip, archive, manifest.files());
            List<Manifest.FileEntry> carried = manifest.audit() == null || manifest.audit().files() == null
                    ? List.of()
                    : manifest.audit().files();
            Map<String, byte[]> audit = entries(zip, archive, carried);
            int entries = 0;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); en.nextElement()) {
                entries++;
            }
            if (entries != manifest.files().size() + carried.size() + 1) {
                throw new IOException("archive " + archive + " holds entries its manifest does not list");
            }
            return new Archive(manifest, files, audit);
        }
    }

    private static Map<String, byte[]> entries(ZipFile zip, Path archive, List<Manifest.FileEntry> listed)
            throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (Manifest.FileEntry f : listed) {
            ZipEntry ze = zip.getEntry(f.path());
            if (ze == null) {
                throw new IOException("archive " + archive + " lacks " + f.path() + " listed in its manifest");
            }
            byte[] bytes;
            try (InputStream in = zip.getInputStream(ze)) {
                bytes = in.readAllBytes();
            }
            if (bytes.length != f.size() || !Exporter.sha256(bytes).equals(f.sha256())) {
                throw new IOException("archive " + archive + ": " + f.path() + " does not match its manifest checksum");
            }
            files.put(f.path(), bytes);
        }
        return files;
    }

    /** Reads only the manifest (cheap; for listings and chain lookups). */
    public Manifest manifest(Path archive) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry me = zip.getEntry(Manifest.ENTRY_NAME);
            if (me == null) {
                throw new IOException("archive " + archive + " has no " + Manifest.ENTRY_NAME);
            }
            try (InputStream in = zip.getInputStream(me)) {
                return mapper.readValue(in.readAllBytes(), Manifest.class);
            }
        }
    }

    private void writeZip(Path temp, LocalDate day, Map<String, byte[]> content, AuditRecords audit) throws IOException {
        List<Manifest.FileEntry> entries = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : content.entrySet()) {
            String correlation = null;
            ReadResult r = files.decode(e.getValue(), e.getKey());
            String id = null;
            if (r instanceof ReadResult.Ok ok) {
                correlation = ok.event().correlationId();
                id = ok.event().id().toString();
            }
            entries.add(
                    new Manifest.FileEntry(e.getKey(), e.getValue().length, Exporter.sha256(e.getValue()), id, correlation));
        }
        List<Manifest.FileEntry> carried = new ArrayList<>();
        audit.files().forEach((path, bytes) -> carried.add(new Manifest.FileEntry(path, bytes.length,
                Exporter.sha256(bytes), null, null)));
        Manifest manifest = new Manifest(Manifest.FORMAT, day.toString(), Instant.now().toString(), entries,
                new Manifest.Audit(audit.keyIds(), carried));
        try (FileOutputStream fos = new FileOutputStream(temp.toFile()); ZipOutputStream zip = new ZipOutputStream(fos)) {
            zip.putNextEntry(new ZipEntry(Manifest.ENTRY_NAME));
            zip.write(mapper.writeValueAsBytes(manifest));
            zip.closeEntry();
            for (Map.Entry<String, byte[]> e : content.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            for (Map.Entry<String, byte[]> e : audit.files().entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey())); // .audit/...: unzipped into the root, the audit layout
                zip.write(e.getValue());
                zip.closeEntry();
            }
            zip.finish();
            fos.getChannel().force(true);
        }
    }

    /**
     * Every file of the day that the one reader reads as an event and that restore can put back under the same
     * path; returns how many entries were left alone (temp files, symlinks, foreign or invalid files), each
     * with a note. What is left keeps its day directory, and stays visible in the store's problems.
     */
    private int collectLive(Path dayDir, Map<String, byte[]> live, List<String> notes) throws IOException {
        if (!Files.isDirectory(dayDir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int left = 0;
        try (DirectoryStream<Path> nodes = Files.newDirectoryStream(dayDir)) {
            for (Path node : nodes) {
                Path nodeRel = root.relativize(node);
                if (!(classify(nodeRel) instanceof EventFiles.Entry.Directory)) {
                    notes.add("left in place: " + nodeRel + " (not a node directory)");
                    left++;
                    continue;
                }
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(node)) {
                    for (Path f : entries) {
                        Path rel = root.relativize(f);
                        String why = archivable(rel, live);
                        if (why != null) {
                            notes.add("left in place: " + rel + " (" + why + ")");
                            left++;
                        }
                    }
                }
            }
        }
        return left;
    }

    /** Puts the file into {@code live} and returns null, or returns why it stays in place. */
    private String archivable(Path rel, Map<String, byte[]> live) throws IOException {
        EventFiles.Entry entry = classify(rel);
        if (!(entry instanceof EventFiles.Entry.Candidate c)) {
            return entry instanceof EventFiles.Entry.Problem p ? p.reason() + ": " + p.detail() : "not an event file";
        }
        ReadResult r = files.readForIndex(c); // the bytes and where they belong: no payload tree needed
        if (r instanceof ReadResult.Skipped s) {
            return s.reason() + ": " + s.detail();
        }
        ReadResult.Ok ok = (ReadResult.Ok) r;
        try {
            EventFiles.checkPlacement(rel, ok.event()); // what restore would refuse is not archived
        } catch (IllegalArgumentException e) {
            return "not restorable: " + e.getMessage();
        }
        live.put(rel.toString(), ok.bytes());
        return null;
    }

    private EventFiles.Entry classify(Path rel) throws IOException {
        try {
            return files.classify(rel,
                    Files.readAttributes(root.resolve(rel), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException gone) {
            return new EventFiles.Entry.Hidden(rel); // removed while we looked
        }
    }

    /** The bytes of a live file as the reader reads them, or null when it is no longer an event file. */
    private byte[] readLive(String relative) {
        return files.readForIndex(Path.of(relative)) instanceof ReadResult.Ok ok ? ok.bytes() : null;
    }

    private void removeEmptyDirectories(Path dayDir) throws IOException {
        if (!Files.isDirectory(dayDir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> nodes = Files.newDirectoryStream(dayDir)) {
            for (Path node : nodes) {
                if (Files.isDirectory(node, LinkOption.NOFOLLOW_LINKS)) {
                    DurableFiles.forceDirectory(node);
                    deleteIfEmpty(node);
                }
            }
        }
        DurableFiles.forceDirectory(dayDir);
        deleteIfEmpty(dayDir);
        DurableFiles.forceDirectory(root);
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            if (s.iterator().hasNext()) {
                return; // something arrived or was left in place: the directory stays
            }
        }
        try {
            Files.delete(dir);
        } catch (DirectoryNotEmptyException e) {
            // a file arrived between the check and the delete: it stays live, archived next run
        }
    }
}
