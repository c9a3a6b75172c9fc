package dev.homelab.events.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import dev.homelab.events.Event;
import dev.homelab.events.Names;
import dev.homelab.events.Timestamps;

/**
 * The filesystem store, format v1 (docs/format.md):
 *
 * <pre>
 * &lt;root&gt;/&lt;yyyy-MM-dd&gt;/&lt;node&gt;/&lt;yyyyMMdd'T'HHmmss.SSSSSS'Z'&gt;_&lt;type&gt;_&lt;uuid&gt;.json
 * </pre>
 *
 * The date is the event's UTC date; the file holds one compact JSON object and a newline.
 *
 * <p>
 * Writes are append-only with one commit point: a dot-prefixed temp file in the target directory is
 * written and forced, then hard-linked to the final name (a link never replaces an existing name), then
 * the temp is removed and the directory forced. A crash at any point leaves either no final file or a
 * complete one; a leftover temp file is harmless and is reported, never read as an event.
 *
 * <p>
 * Concurrent appends to one directory share its fsync (group commit, see {@code syncDirectory}); each
 * file is still forced on its own and linked before any acknowledgement.
 *
 * <p>
 * Thread-safety: stateless apart from its configuration and the group-commit bookkeeping, so any number of threads (and processes,
 * including the bash and Python writers) may append and read concurrently. Existing files are never
 * modified or deleted.
 */
public class EventStore {

    private static final Pattern DATE_DIR = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path root;
    private final EventCodec codec;
    private final long fileMaxBytes;

    public EventStore(Path root, EventCodec codec, long fileMaxBytes) {
        this.root = root.toAbsolutePath().normalize();
        this.codec = codec;
        this.fileMaxBytes = fileMaxBytes;
    }

    public Path root() {
        return root;
    }

    public EventCodec codec() {
        return codec;
    }

    /** Event files larger than this are skipped as oversized (homelab.events.file-max-bytes). */
    public long fileMaxBytes() {
        return fileMaxBytes;
    }

    /** Relative path of an event in the layout; checks the names that become path segments. */
    public Path relativePathOf(Event e) {
        if (!Names.isValidNode(e.node())) {
            throw new IllegalArgumentException("node is not a valid hostname: " + e.node());
        }
        if (!Names.isValidType(e.type())) {
            throw new IllegalArgumentException("type does not match " + Names.TYPE.pattern() + ": " + e.type());
        }
        return EventFileName.directory(e.timestamp(), e.node())
                .resolve(new EventFileName(e.timestamp(), e.type(), e.id()).format());
    }

    /**
     * Durably writes a new event and returns its path relative to the root. Returns only once the file
     * and its directory entry are on disk.
     *
     * @throws FileAlreadyExistsException if an event file with that name exists (it is left untouched)
     * @throws IOException if anything fails; no final-named file is left behind in that case
     */
    public Path append(Event event) throws IOException {
        Path relative = relativePathOf(event);
        writeNew(relative, codec.toBytes(event));
        return relative;
    }

    /** What {@link #importFile} did with one file. */
    public enum ImportOutcome {
        /** The file was missing and is now durably written. */
        WRITTEN,
        /** A file with exactly these bytes is already at that path; nothing changed. */
        IDENTICAL,
        /** A different file is already at that path; it was left untouched. */
        CONFLICT
    }

    /**
     * Durably writes a file copied from another store (sync, restore) under exactly its original relative
     * path, with the same commit point as {@link #append}. Never replaces an existing file: identical bytes
     * are {@link ImportOutcome#IDENTICAL}, different bytes a {@link ImportOutcome#CONFLICT}.
     *
     * @throws IllegalArgumentException if the path does not follow the layout grammar
     *                                  ({@code <yyyy-MM-dd>/<node>/<name per EventFileName>}), or the bytes are
     *                                  not a readable event that belongs at that path
     */
    public ImportOutcome importFile(Path relative, byte[] bytes) throws IOException {
        checkLayoutPath(relative);
        if (bytes.length > fileMaxBytes) {
            throw new IllegalArgumentException("file is larger than " + fileMaxBytes + " bytes: " + relative);
        }
        ReadResult decoded = codec.fromBytes(bytes, relative.toString(),
                EventFileName.parse(relative.getFileName().toString()));
        if (!(decoded instanceof ReadResult.Ok ok)) {
            throw new IllegalArgumentException("content is not a readable event (" + ((ReadResult.Skipped) decoded).detail()
                    + "): " + relative);
        }
        // the path is the event's address everywhere (other nodes, archives): it must agree with the content
        Path expected = EventFileName.directory(ok.event().timestamp(), ok.event().node());
        if (!expected.equals(relative.getParent())) {
            throw new IllegalArgumentException(
                    "path " + relative + " does not match the event's date and node (" + expected + ")");
        }
        Path target = root.resolve(relative);
        try {
            writeNew(relative, bytes);
            return ImportOutcome.WRITTEN;
        } catch (FileAlreadyExistsException e) {
            byte[] existing;
            try (InputStream in = Files.newInputStream(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                existing = in.readNBytes((int) Math.min(fileMaxBytes + 1, Integer.MAX_VALUE));
            }
            return java.util.Arrays.equals(existing, bytes) ? ImportOutcome.IDENTICAL : ImportOutcome.CONFLICT;
        }
    }

    /** Checks a relative path segment by segment against the layout grammar; names starting with '.' never pass. */
    public static void checkLayoutPath(Path relative) {
        if (relative == null || relative.isAbsolute() || relative.getNameCount() != 3) {
            throw new IllegalArgumentException("path must be <yyyy-MM-dd>/<node>/<file name>, got: " + relative);
        }
        String date = relative.getName(0).toString();
        String node = relative.getName(1).toString();
        String file = relative.getName(2).toString();
        if (!DATE_DIR.matcher(date).matches()) {
            throw new IllegalArgumentException("first segment must be a yyyy-MM-dd date, got: " + date);
        }
        try {
            java.time.LocalDate.parse(date);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("first segment is not a calendar date: " + date, e);
        }
        if (!Names.isValidNode(node)) {
            throw new IllegalArgumentException("second segment must be a hostname (node), got: " + node);
        }
        Optional<EventFileName> name = EventFileName.parse(file);
        if (name.isEmpty()) {
            throw new IllegalArgumentException(
                    "file name must be <yyyyMMdd'T'HHmmss.SSSSSS'Z'>_<type>_<uuid>.json, got: " + file);
        }
        if (!Timestamps.DATE.format(name.get().timestamp()).equals(date)) {
            throw new IllegalArgumentException("file name timestamp is not on the date " + date + ": " + file);
        }
    }

    /** The durable write shared by every writer of new files: temp, force, link (commit point), force directory. */
    private void writeNew(Path relative, byte[] bytes) throws IOException {
        Path dir = root.resolve(relative.getParent());
        Path target = root.resolve(relative);
        confineToRoot(target);
        createDirectories(dir);
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")))) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                forceFile(ch);
            }
            // COMMIT POINT: the link publishes the complete, forced file under its final name, or fails
            // because the name exists. Files.move(ATOMIC_MOVE) would silently replace an existing file.
            Files.createLink(target, temp);
        } finally {
            Files.deleteIfExists(temp);
        }
        try {
            syncDirectory(dir);
        } catch (IOException e) {
            // The link may not survive a crash and the caller is told the write failed: withdraw it, so a
            // retry cannot leave two copies of one event. It was never acknowledged.
            Files.deleteIfExists(target);
            throw e;
        }
    }

    /** Per directory, the state of its shared fsync (one entry per {@code <date>/<node>} written to; a few a day). */
    private final ConcurrentHashMap<Path, DirectorySync> directorySyncs = new ConcurrentHashMap<>();

    private static final class DirectorySync {
        final ReentrantLock lock = new ReentrantLock();
        final Condition finished = lock.newCondition();
        /** Links registered so far in this directory (each writer takes the next number after its link). */
        long linked;
        /** Every link numbered up to this is covered by a directory fsync that completed. */
        long synced;
        /** The fsync in progress, if any. */
        Round current;
    }

    /** One directory fsync, covering the links numbered up to {@code target} (all made before it started). */
    private static final class Round {
        final long target;
        boolean done;
        IOException error;

        Round(long target) {
            this.target = target;
        }
    }

    /**
     * Group commit. Returns once a directory fsync that started after this thread's link has completed, so
     * the link is durable. Concurrent writers in one directory share the work: a writer that finds no fsync
     * running starts one covering every link registered so far; writers linked while it runs wait for it
     * to end and then start (or join) the next. A failed fsync fails every writer it was to cover; none of
     * them is acknowledged.
     */
    private void syncDirectory(Path dir) throws IOException {
        DirectorySync s = directorySyncs.computeIfAbsent(dir, d -> new DirectorySync());
        s.lock.lock();
        try {
            long mine = ++s.linked; // our link is complete: it happened before this number was taken
            while (s.synced < mine) {
                Round running = s.current;
                if (running != null) {
                    while (!running.done) {
                        s.finished.awaitUninterruptibly();
                    }
                    if (running.error != null && running.target >= mine) {
                        throw new IOException("directory fsync failed: " + running.error.getMessage(), running.error);
                    }
                    continue; // it covered us (synced moved), or it started before our link: go again
                }
                Round round = new Round(s.linked);
                s.current = round;
                s.lock.unlock();
                try {
                    forceDirectory(dir);
                } catch (IOException e) {
                    round.error = e;
                } catch (RuntimeException | Error e) {
                    round.error = new IOException(e.toString(), e);
                } finally {
                    s.lock.lock();
                }
                s.current = null;
                round.done = true;
                if (round.error == null) {
                    s.synced = Math.max(s.synced, round.target);
                }
                s.finished.signalAll();
                if (round.error != null) {
                    throw round.error;
                }
            }
        } finally {
            s.lock.unlock();
        }
    }

    /** Forces a new file's content to disk. A failure is final: never retried into a false success. Test seam. */
    protected void forceFile(FileChannel channel) throws IOException {
        channel.force(true);
    }

    /** Forces a directory's entries (new names) to disk. Test seam. */
    protected void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Creates missing directories one by one, forcing each new one and its parent so the entry survives a crash. */
    private void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !p.equals(root) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                // another writer created it first; fine as long as it is a real directory
            }
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("not a directory (a symlink or file is in the way): " + p);
            }
            forceDirectory(p.getParent());
            forceDirectory(p);
        }
    }

    /** Refuses a path that would leave the root, segment by segment and through symlinks. */
    private void confineToRoot(Path target) throws IOException {
        if (!target.normalize().startsWith(root)) {
            throw new IOException("path escapes the store root: " + target);
        }
        Path relative = root.relativize(target);
        Path p = root;
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            p = p.resolve(relative.getName(i));
            if (Files.isSymbolicLink(p)) {
                throw new IOException("refusing to write through a symlink: " + p);
            }
        }
    }

    /** Reads one file without following symlinks; every way it can fail to be an event is a {@link ReadResult.Skipped}. */
    public ReadResult read(Path relative) {
        Path file = root.resolve(relative);
        String rel = relative.toString();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new ReadResult.Skipped(FileProblem.Reason.UNREADABLE, "file no longer exists");
        } catch (IOException e) {
            return new ReadResult.Skipped(FileProblem.Reason.UNREADABLE, e.toString());
        }
        Optional<ReadResult> notAFile = classify(relative.getFileName().toString(), attrs);
        if (notAFile.isPresent()) {
            return notAFile.get();
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes((int) Math.min(fileMaxBytes + 1, Integer.MAX_VALUE));
        } catch (IOException e) {
            return new ReadResult.Skipped(FileProblem.Reason.UNREADABLE, e.toString());
        }
        if (bytes.length > fileMaxBytes) {
            return new ReadResult.Skipped(FileProblem.Reason.OVERSIZED, "larger than " + fileMaxBytes + " bytes");
        }
        return codec.fromBytes(bytes, rel, EventFileName.parse(relative.getFileName().toString()));
    }

    private Optional<ReadResult> classify(String name, BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return Optional.of(new ReadResult.Skipped(FileProblem.Reason.SYMLINK, "symlinks are never followed"));
        }
        if (!attrs.isRegularFile()) {
            return Optional.of(new ReadResult.Skipped(FileProblem.Reason.NOT_REGULAR_FILE, "not a regular file"));
        }
        if (name.startsWith(".")) {
            return Optional.of(new ReadResult.Skipped(FileProblem.Reason.TEMP_FILE, "dot-prefixed temporary file"));
        }
        if (attrs.size() > fileMaxBytes) {
            return Optional.of(new ReadResult.Skipped(FileProblem.Reason.OVERSIZED, "larger than " + fileMaxBytes + " bytes"));
        }
        return Optional.empty();
    }

    /** One entry found by {@link #scan}: a candidate event file, or something to report. */
    public sealed interface Entry {
        Path relativePath();

        /** A regular {@code .json} file at the event depth; {@code modified} and {@code size} tell when to re-read it. */
        record Candidate(Path relativePath, long size, Instant modified) implements Entry {
        }

        record Problem(Path relativePath, FileProblem.Reason reason, String detail) implements Entry {
        }
    }

    public interface ScanVisitor {
        void visit(Entry entry);
    }

    /**
     * Walks the layout (never following symlinks) and reports every file at the event depth as a
     * candidate, and every stray entry as a problem. Date directories can be restricted with a filter.
     */
    public void scan(ScanVisitor visitor) throws IOException {
        scan(dateDir -> true, visitor);
    }

    public void scan(java.util.function.Predicate<String> dateFilter, ScanVisitor visitor) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), 3, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                Path rel = root.relativize(dir);
                String name = dir.getFileName().toString();
                if (name.startsWith(".")) {
                    return FileVisitResult.SKIP_SUBTREE; // hidden: caches, archives in progress, editors
                }
                if (rel.getNameCount() == 1) {
                    if (!DATE_DIR.matcher(name).matches()) {
                        visitor.visit(new Entry.Problem(rel, FileProblem.Reason.FOREIGN, "not a yyyy-MM-dd date directory"));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return dateFilter.test(name) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                }
                if (!Names.isValidNode(name)) {
                    visitor.visit(new Entry.Problem(rel, FileProblem.Reason.FOREIGN, "not a valid node directory name"));
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                Path rel = root.relativize(file);
                String name = file.getFileName().toString();
                if (rel.getNameCount() != 3) {
                    if (attrs.isDirectory()) {
                        // a directory below a node folder (max depth reached): not part of the layout
                        if (!name.startsWith(".")) {
                            visitor.visit(new Entry.Problem(rel, FileProblem.Reason.FOREIGN, "unexpected directory"));
                        }
                    } else if (!name.startsWith(".")) {
                        visitor.visit(
                                new Entry.Problem(rel, FileProblem.Reason.FOREIGN, "file outside a <date>/<node> folder"));
                    }
                    return FileVisitResult.CONTINUE;
                }
                Optional<ReadResult> notAFile = classify(name, attrs);
                if (notAFile.isPresent()) {
                    ReadResult.Skipped s = (ReadResult.Skipped) notAFile.get();
                    visitor.visit(new Entry.Problem(rel, s.reason(), s.detail()));
                } else if (!name.endsWith(".json")) {
                    visitor.visit(new Entry.Problem(rel, FileProblem.Reason.FOREIGN, "not a .json file"));
                } else {
                    visitor.visit(new Entry.Candidate(rel, attrs.size(), attrs.lastModifiedTime().toInstant()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                visitor.visit(new Entry.Problem(root.relativize(file), FileProblem.Reason.UNREADABLE, exc.toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
