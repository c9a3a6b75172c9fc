package dev.homelab.events.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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
 * The date is the event's UTC date; the file holds one compact JSON object and a newline. The path grammar
 * lives in {@link EventFileName}, the rules of reading in {@link EventFiles}.
 *
 * <p>
 * Writes are append-only with one commit point, shared by new events ({@link #append}) and byte-exact copies
 * ({@link #importFile}): a dot-prefixed temp file in the target directory is written and forced, then
 * hard-linked to the final name (a link never replaces an existing name), then the temp is removed and the
 * directory forced ({@link DurableFiles}). A crash at any point leaves either no final file or a complete
 * one; a leftover temp file is harmless and is reported, never read as an event. Nothing here updates the
 * index: {@code index.EventWriter} is the one caller that writes and then indexes.
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

    /** Mode 0755, as the bash and Python writers ask for (the process umask may remove more bits). */
    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_MODE = PosixFilePermissions
            .asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));

    private final Path root;
    private final EventCodec codec;
    private final EventFiles files;

    public EventStore(Path root, EventCodec codec, long fileMaxBytes) {
        this.root = root.toAbsolutePath().normalize();
        this.codec = codec;
        this.files = new EventFiles(this.root, codec, fileMaxBytes);
    }

    public Path root() {
        return root;
    }

    public EventCodec codec() {
        return codec;
    }

    /** The one reader of this store's files. */
    public EventFiles files() {
        return files;
    }

    /** Event files larger than this are skipped as oversized (homelab.events.file-max-bytes). */
    public long fileMaxBytes() {
        return files.maxBytes();
    }

    /** Relative path of a new event in the layout; checks the values that become path segments. */
    public Path relativePathOf(Event e) {
        if (!Names.isValidNode(e.node())) {
            throw new IllegalArgumentException("node is not a valid hostname: " + e.node());
        }
        if (!Names.isValidType(e.type())) {
            throw new IllegalArgumentException("type does not match " + Names.TYPE.pattern() + ": " + e.type());
        }
        if (!Timestamps.isSupported(e.timestamp())) {
            throw new IllegalArgumentException("timestamp is outside " + Timestamps.EARLIEST + " to " + Timestamps.LATEST
                    + ": " + e.timestamp());
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
        return write(event).relativePath();
    }

    /** A new event's path relative to the root and the exact bytes written there. */
    public record Written(Path relativePath, byte[] bytes) {
    }

    /**
     * {@link #append}, also returning the bytes it wrote, so the write path hands them on (to the audit sealer)
     * instead of reading the file back.
     */
    public Written write(Event event) throws IOException {
        Path relative = relativePathOf(event);
        byte[] bytes = codec.toBytes(event);
        writeNew(relative, bytes);
        return new Written(relative, bytes);
    }

    /**
     * How well concurrent writers shared directory fsyncs since this store was made: links made, and directory
     * fsyncs that covered them (links / fsyncs is the mean batch of the group commit; 1.0 means no sharing).
     */
    public record GroupCommitStats(long links, long directorySyncs) {
    }

    public GroupCommitStats groupCommitStats() {
        long links = 0;
        long syncs = 0;
        for (DirectorySync s : directorySyncs.values()) {
            s.lock.lock();
            try {
                links += s.linked;
                syncs += s.rounds;
            } finally {
                s.lock.unlock();
            }
        }
        return new GroupCommitStats(links, syncs);
    }

    /** What {@link #importFile} did with one file. */
    public enum ImportOutcome {
        /** The file was missing and is now durably written. */
        WRITTEN,
        /** A file with exactly these bytes is already at that path; nothing changed. */
        IDENTICAL,
        /** A different file (or something that is not a regular file) is already at that path; it was left untouched. */
        CONFLICT
    }

    /**
     * A file copied from another store, checked by {@link #checkImport}: a path of the layout and content that
     * is a readable event belonging at that path. Only this class creates one, so {@link #importFile(Checked)}
     * never writes an unchecked file.
     */
    public static final class Checked {
        private final Path relativePath;
        private final byte[] bytes;
        private final Event event;

        private Checked(Path relativePath, byte[] bytes, Event event) {
            this.relativePath = relativePath;
            this.bytes = bytes;
            this.event = event;
        }

        public Path relativePath() {
            return relativePath;
        }

        /** The event the bytes hold, read with the rules of {@link EventFiles}. */
        public Event event() {
            return event;
        }
    }

    /**
     * Checks a byte-exact copy (sync, restore) before it is written, with the reader's rules for copies
     * ({@link EventFiles#checkCopy}): a layout path, an event, and the event's date and node are the path's.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public Checked checkImport(Path relative, byte[] bytes) {
        return new Checked(relative, bytes.clone(), files.checkCopy(relative, bytes));
    }

    /** {@link #checkImport} then {@link #importFile(Checked)}. */
    public ImportOutcome importFile(Path relative, byte[] bytes) throws IOException {
        return importFile(checkImport(relative, bytes));
    }

    /**
     * Durably writes a checked copy under exactly its original relative path, with the same commit point as
     * {@link #append}. Never replaces an existing file: identical bytes are {@link ImportOutcome#IDENTICAL},
     * anything else a {@link ImportOutcome#CONFLICT}.
     */
    public ImportOutcome importFile(Checked file) throws IOException {
        try {
            writeNew(file.relativePath, file.bytes);
            return ImportOutcome.WRITTEN;
        } catch (FileAlreadyExistsException e) {
            byte[] existing;
            try {
                existing = EventFiles.readAtMost(root.resolve(file.relativePath), files.maxBytes() + 1);
            } catch (FileSystemException notAFile) {
                return ImportOutcome.CONFLICT; // removed meanwhile, or a symlink or FIFO in the way: never touched
            }
            return Arrays.equals(existing, file.bytes) ? ImportOutcome.IDENTICAL : ImportOutcome.CONFLICT;
        }
    }

    /** The durable write shared by every writer of new files: temp, force, link (commit point), force directory. */
    private void writeNew(Path relative, byte[] bytes) throws IOException {
        Path dir = root.resolve(relative.getParent());
        Path target = root.resolve(relative);
        confineToRoot(target);
        createDirectories(dir);
        DirectorySync s = directorySyncs.computeIfAbsent(dir, d -> new DirectorySync());
        s.writing.incrementAndGet(); // seen by a writer about to force the directory: it may wait for this link
        boolean linked = false;
        try {
            Path temp = DurableFiles.writeTemp(target, bytes, this::forceFile);
            // COMMIT POINT: the link publishes the complete, forced file under its final name, or fails
            // because the name exists. Files.move(ATOMIC_MOVE) would silently replace an existing file.
            DurableFiles.linkNew(temp, target);
            linked = true;
        } finally {
            if (!linked) {
                s.notWriting();
            }
        }
        try {
            syncDirectory(s, dir);
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
        /** Signalled when a writer counted in {@code writing} linked or failed. */
        final Condition linkedOrFailed = lock.newCondition();
        /** Writers between the start of their temp file and their link (or failure). */
        final AtomicInteger writing = new AtomicInteger();
        /** How long the last directory fsync took: the longest a round waits for writers still writing. */
        long lastForceNanos;
        /** Links registered so far in this directory (each writer takes the next number after its link). */
        long linked;
        /** Every link numbered up to this is covered by a directory fsync that completed. */
        long synced;
        /** The fsync in progress, if any. */
        Round current;
        /** Directory fsyncs started here (for {@link #groupCommitStats}). */
        long rounds;

        /** A writer counted in {@code writing} failed before its link: a gathering round stops waiting for it. */
        void notWriting() {
            writing.decrementAndGet();
            lock.lock();
            try {
                linkedOrFailed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** One directory fsync, covering the links numbered up to {@code target} (all made before it started). */
    private static final class Round {
        /** Set when the round stops gathering and forces the directory. */
        long target;
        boolean done;
        IOException error;
    }

    /**
     * Group commit. Returns once a directory fsync that started after this thread's link has completed, so
     * the link is durable. Concurrent writers in one directory share the work: a writer that finds no fsync
     * running starts a round covering every link registered so far; writers linked while it runs wait for it
     * to end and then start (or join) the next. A round started while other writers are still writing their
     * temp files first waits for their links, at most as long as the last fsync took, so one fsync covers
     * them too (a lone writer never waits). A failed fsync fails every writer it was to cover; none of them
     * is acknowledged.
     */
    private void syncDirectory(DirectorySync s, Path dir) throws IOException {
        s.lock.lock();
        try {
            long mine = ++s.linked; // our link is complete: it happened before this number was taken
            s.writing.decrementAndGet();
            s.linkedOrFailed.signalAll();
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
                Round round = new Round();
                s.current = round; // writers linking from now on wait for this round, which covers them
                gather(s);
                round.target = s.linked;
                s.rounds++;
                s.lock.unlock();
                long started = System.nanoTime();
                try {
                    forceDirectory(dir);
                } catch (IOException e) {
                    round.error = e;
                } catch (RuntimeException | Error e) {
                    round.error = new IOException(e.toString(), e);
                } finally {
                    s.lock.lock();
                }
                s.lastForceNanos = System.nanoTime() - started;
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

    /**
     * With the lock held: waits while other writers are between their temp file and their link, at most
     * {@link #gatherNanos} of the last fsync's duration, so the round about to start covers their links too.
     */
    private void gather(DirectorySync s) {
        long left = gatherNanos(s.lastForceNanos);
        boolean interrupted = false;
        while (s.writing.get() > 0 && left > 0) {
            long before = System.nanoTime();
            try {
                left = s.linkedOrFailed.awaitNanos(left);
            } catch (InterruptedException e) {
                // uninterruptible like the other waits here (the wait is short): the flag is set again below
                interrupted = true;
                left -= System.nanoTime() - before;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How long a round waits for writers still writing, given the last directory fsync's duration: as long as
     * another fsync would take (then starting one more round costs no more than waiting), at most 2 ms. Test seam.
     */
    protected long gatherNanos(long lastForceNanos) {
        return Math.min(lastForceNanos, 2_000_000L);
    }

    /** Forces a new file's content to disk. A failure is final: never retried into a false success. Test seam. */
    protected void forceFile(FileChannel channel) throws IOException {
        channel.force(true);
    }

    /** Forces a directory's entries (new names) to disk. Test seam. */
    protected void forceDirectory(Path dir) throws IOException {
        DurableFiles.forceDirectory(dir);
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
                Files.createDirectory(p, DIRECTORY_MODE);
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

    /** Reads one file of the layout with {@link EventFiles#read(Path)}. */
    public ReadResult read(Path relative) {
        return files.read(relative);
    }

    /** Walks the layout with {@link EventFiles#scan(EventFiles.ScanVisitor)}. */
    public void scan(EventFiles.ScanVisitor visitor) throws IOException {
        files.scan(visitor);
    }
}
