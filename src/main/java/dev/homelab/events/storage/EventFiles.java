package dev.homelab.events.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Predicate;

import dev.homelab.events.Event;

/**
 * THE reader of event files: the one place that decides whether a directory entry under the store root is
 * an event file and what it holds. The index scan, the reconciler and its watcher, the service's reads, the
 * sync exporter, the day archiver and restore all go through it, so a rule added here holds everywhere.
 *
 * <p>
 * The rules, in order (docs/format.md): entries are looked at with {@code NOFOLLOW_LINKS}, so a symlink is
 * reported and never followed; only a regular file is ever opened, so a FIFO, socket or device can neither
 * block a reader nor feed it endless bytes; names starting with a dot are temporary or hidden; the name must
 * be an {@linkplain EventFileName#isEventFileName event file name} at the depth {@code <date>/<node>/<name>};
 * at most {@link #maxBytes()} + 1 bytes are read, whatever the file claims its size is; the content must be
 * one UTF-8 JSON object with the fields of the format and their types ({@link EventCodec}), and a timestamp in
 * the supported range.
 *
 * <p>
 * A file is opened only after its attributes said it is a regular file. Java offers no {@code O_NONBLOCK} open,
 * so a FIFO swapped in by someone with write access to the directory between that check and the open could
 * still block one read; it is the only window, and it needs write access to the store.
 *
 * <p>
 * Thread-safety: immutable; any number of threads may read.
 */
public final class EventFiles {

    private final Path root;
    private final EventCodec codec;
    private final long maxBytes;

    public EventFiles(Path root, EventCodec codec, long maxBytes) {
        this.root = root.toAbsolutePath().normalize();
        this.codec = codec;
        this.maxBytes = maxBytes;
    }

    public Path root() {
        return root;
    }

    public EventCodec codec() {
        return codec;
    }

    /** Event files larger than this are skipped as oversized ({@code homelab.events.file-max-bytes}). */
    public long maxBytes() {
        return maxBytes;
    }

    /** What a directory entry under the root is, decided from its place, name and attributes alone. */
    public sealed interface Entry {
        /** Relative to the root. */
        Path relativePath();

        /** A file that may hold an event: read it to know. {@code size} and {@code modified} tell when to read again. */
        record Candidate(Path relativePath, long size, Instant modified) implements Entry {
        }

        /** Something that is not an event file and is reported as such. */
        record Problem(Path relativePath, FileProblem.Reason reason, String detail) implements Entry {
        }

        /** A date or node directory of the layout: its entries are classified in turn. */
        record Directory(Path relativePath) implements Entry {
        }

        /** A dot-named directory (the snapshot, sync state, archives in progress, editors): neither read nor reported. */
        record Hidden(Path relativePath) implements Entry {
        }
    }

    /**
     * Classifies one entry of the layout: {@code <date>} at depth 1, {@code <date>/<node>} at depth 2,
     * {@code <date>/<node>/<name>} at depth 3. {@code attrs} must have been read with {@code NOFOLLOW_LINKS}.
     */
    public Entry classify(Path relative, BasicFileAttributes attrs) {
        String name = relative.getFileName().toString();
        int depth = relative.getNameCount();
        boolean dot = name.startsWith(".");
        if (depth == 1 || depth == 2) {
            if (dot) {
                return new Entry.Hidden(relative);
            }
            if (!attrs.isDirectory()) {
                return foreign(relative, "file outside a <date>/<node> folder");
            }
            if (depth == 1 && !EventFileName.isDateDirectory(name)) {
                return foreign(relative, "not a yyyy-MM-dd date directory");
            }
            if (depth == 2 && !EventFileName.isNodeDirectory(name)) {
                return foreign(relative, "not a valid node directory name");
            }
            return new Entry.Directory(relative);
        }
        if (depth != 3) {
            return foreign(relative, "outside the <date>/<node>/<file> layout");
        }
        if (attrs.isDirectory()) {
            return dot ? new Entry.Hidden(relative) : foreign(relative, "unexpected directory");
        }
        if (attrs.isSymbolicLink()) {
            return new Entry.Problem(relative, FileProblem.Reason.SYMLINK, "symlinks are never followed");
        }
        if (!attrs.isRegularFile()) {
            return new Entry.Problem(relative, FileProblem.Reason.NOT_REGULAR_FILE, "not a regular file");
        }
        if (dot) {
            return new Entry.Problem(relative, FileProblem.Reason.TEMP_FILE, "dot-prefixed temporary file");
        }
        if (!EventFileName.isEventFileName(name)) {
            return foreign(relative, "not a .json file name");
        }
        if (attrs.size() > maxBytes) {
            return new Entry.Problem(relative, FileProblem.Reason.OVERSIZED, "larger than " + maxBytes + " bytes");
        }
        return new Entry.Candidate(relative, attrs.size(), attrs.lastModifiedTime().toInstant());
    }

    private static Entry foreign(Path relative, String detail) {
        return new Entry.Problem(relative, FileProblem.Reason.FOREIGN, detail);
    }

    /** Reads one file at {@code <date>/<node>/<name>}; every way it can fail to be an event is a {@link ReadResult.Skipped}. */
    public ReadResult read(Path relative) {
        return read(relative, true);
    }

    /**
     * As {@link #read(Path)}, every rule checked the same way, without building the payload into a tree (see
     * {@link #readForIndex(Entry.Candidate)}): for readers that need the bytes and the eight fields' identity only.
     */
    public ReadResult readForIndex(Path relative) {
        return read(relative, false);
    }

    private ReadResult read(Path relative, boolean payloadTree) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(root.resolve(relative), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new ReadResult.Skipped(FileProblem.Reason.UNREADABLE, "file no longer exists");
        } catch (IOException e) {
            return new ReadResult.Skipped(FileProblem.Reason.UNREADABLE, e.toString());
        }
        Entry entry = classify(relative, attrs);
        if (entry instanceof Entry.Candidate c) {
            return read(c, payloadTree);
        }
        if (entry instanceof Entry.Problem p) {
            return new ReadResult.Skipped(p.reason(), p.detail());
        }
        return new ReadResult.Skipped(FileProblem.Reason.FOREIGN, "not an event file");
    }

    /**
     * Reads a {@link Entry.Candidate} just classified (no second stat: the first scan of a large store spends
     * most of its time here). Reads at most {@link #maxBytes()} + 1 bytes, whatever the file has grown to.
     */
    public ReadResult read(Entry.Candidate candidate) {
        return read(candidate, true);
    }

    /**
     * As {@link #read(Entry.Candidate)} for the index: every rule is checked the same way, but the payload is
     * not built into a tree and the event's {@code payload} is null ({@link EventCodec#fromBytes(byte[], String,
     * java.util.Optional, boolean)}). The bytes are in the result for whoever needs more.
     */
    public ReadResult readForIndex(Entry.Candidate candidate) {
        return read(candidate, false);
    }

    private ReadResult read(Entry.Candidate candidate, boolean payloadTree) {
        return read(candidate, payloadTree, null);
    }

    /** Reads a candidate by its whole path, or by its name in {@code folder} (its directory, held open) when given. */
    private ReadResult read(Entry.Candidate candidate, boolean payloadTree, SecureDirectoryStream<Path> folder) {
        Path relative = candidate.relativePath();
        byte[] bytes;
        try {
            int cap = (int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 16);
            if (folder == null) {
                bytes = readRegular(root.resolve(relative), cap, candidate.size());
            } else {
                try (SeekableByteChannel ch = folder.newByteChannel(relative.getFileName(), READ_NOFOLLOW)) {
                    bytes = readFrom(ch, cap, candidate.size());
                }
            }
        } catch (NoSuchFileException e) {
            return new ReadResult.Skipped(FileProblem.Reason.UNREADABLE, "file no longer exists");
        } catch (IOException e) {
            return new ReadResult.Skipped(FileProblem.Reason.UNREADABLE, e.toString());
        }
        if (bytes.length > maxBytes) {
            return new ReadResult.Skipped(FileProblem.Reason.OVERSIZED, "larger than " + maxBytes + " bytes");
        }
        String path = relative.toString();
        return codec.fromBytes(bytes, path, EventFileName.parse(relative.getFileName().toString()), payloadTree);
    }

    /**
     * Decodes bytes that did not come from the live layout (a peer's export, an archive entry) with the same
     * rules as a file: size cap, UTF-8, one JSON object, fields and types, timestamp range; the id comes from
     * the name in {@code relativePath} when it follows the grammar.
     */
    public ReadResult decode(byte[] bytes, String relativePath) {
        if (bytes.length > maxBytes) {
            return new ReadResult.Skipped(FileProblem.Reason.OVERSIZED, "larger than " + maxBytes + " bytes");
        }
        int slash = relativePath.lastIndexOf('/');
        String name = slash < 0 ? relativePath : relativePath.substring(slash + 1);
        return codec.fromBytes(bytes, relativePath, EventFileName.parse(name));
    }

    /**
     * Checks bytes offered for a byte-exact copy (sync import, archive restore) under {@code relative}: the path
     * fits the layout ({@link EventFileName#checkLayoutPath}), the bytes are an event by the rules of
     * {@link #decode}, and the event belongs there ({@link #checkPlacement}). Returns the event.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public Event checkCopy(Path relative, byte[] bytes) {
        EventFileName.checkLayoutPath(relative);
        ReadResult decoded = decode(bytes, relative.toString());
        if (decoded instanceof ReadResult.Skipped skipped) {
            throw new IllegalArgumentException(
                    "content is not a readable event (" + skipped.reason() + ": " + skipped.detail() + "): " + relative);
        }
        Event event = ((ReadResult.Ok) decoded).event();
        checkPlacement(relative, event);
        return event;
    }

    /**
     * Checks that {@code event} belongs at {@code relative}: a layout path whose date and node are the event's
     * (the path is its address everywhere: other nodes, archives). Files that fail it are still read where
     * they are, but never copied: a copy would not be found where it belongs.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public static void checkPlacement(Path relative, Event event) {
        EventFileName.checkLayoutPath(relative);
        Path expected = EventFileName.directory(event.timestamp(), event.node());
        if (!expected.equals(relative.getParent())) {
            throw new IllegalArgumentException(
                    "path " + relative + " does not match the event's date and node (" + expected + ")");
        }
    }

    /**
     * Opens a file the way every reader here must: without following a symlink, only if it is a regular file
     * (checked before opening, so a FIFO never blocks), reading at most {@code limit} bytes. For files that
     * are not events too, such as the index snapshot.
     *
     * @throws FileSystemException if {@code file} is not a regular file (a symlink, FIFO, socket, device or directory)
     */
    public static byte[] readAtMost(Path file, long limit) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isRegularFile()) {
            throw new FileSystemException(file.toString(), null,
                    attrs.isSymbolicLink() ? "a symlink, never followed" : "not a regular file");
        }
        return readRegular(file, (int) Math.min(limit, Integer.MAX_VALUE - 16), attrs.size());
    }

    /** Reads at most {@code cap} bytes of a file just found to be regular, {@code size} bytes long. */
    private static byte[] readRegular(Path file, int cap, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return readFrom(ch, cap, size);
        }
    }

    /** Reads at most {@code cap} bytes from a file opened just now, found {@code size} bytes long before. */
    static byte[] readFrom(SeekableByteChannel ch, int cap, long size) throws IOException {
        if (size >= LARGE && size < cap) {
            byte[] whole = readExactly(ch, (int) size);
            if (whole != null) {
                return whole;
            }
            ch.position(0); // it changed while read: once more, the general way
        }
        // one read of the expected size plus one byte tells "complete" from "grew" without a second call: a read of
        // a regular file that returns less than asked for has reached its end (a million files: a million calls)
        byte[] buf = new byte[(int) Math.max(1, Math.min(cap, size + 1))];
        int n = 0;
        while (n < cap) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(cap, (long) buf.length * 2));
            }
            int asked = buf.length - n;
            int r = ch.read(ByteBuffer.wrap(buf, n, asked));
            if (r < 0) {
                break;
            }
            n += r;
            if (r < asked) {
                break;
            }
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    /**
     * From this size on (the index snapshot, not an event) a file is read in chunks into an array of its exact size:
     * the JDK reads into a heap array through a temporary direct buffer as large as the read asked for, so one read
     * of 50 MB would allocate and zero 50 MB more, and the general way's final trim would copy it all once more.
     */
    private static final int LARGE = 1 << 20;

    /** The file's {@code size} bytes, or null when it is not exactly that long now (it shrank or grew). */
    private static byte[] readExactly(SeekableByteChannel ch, int size) throws IOException {
        byte[] buf = new byte[size];
        int n = 0;
        while (n < size) {
            int r = ch.read(ByteBuffer.wrap(buf, n, Math.min(LARGE, size - n)));
            if (r < 0) {
                return null;
            }
            n += r;
        }
        return ch.read(ByteBuffer.allocate(1)) < 0 ? buf : null;
    }

    private static final Set<OpenOption> READ_NOFOLLOW = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

    /**
     * Opens a {@code <date>/<node>} directory (relative to the root) for reading many of its files: each is looked at
     * and opened by its name in the open directory ({@code fstatat} and {@code openat}), where a path is walked
     * from the root for every call otherwise. Where the platform offers no such handle, or the directory cannot be
     * opened (removed since it was listed: each file then says so itself), it reads by path.
     */
    public Folder openFolder(Path relativeDir) {
        try {
            DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve(relativeDir));
            if (ds instanceof SecureDirectoryStream<Path> secure) {
                return new Folder(relativeDir, secure);
            }
            ds.close();
        } catch (IOException e) {
            // read by path
        }
        return byPath(relativeDir);
    }

    /** A {@link Folder} that reads by path: for a file or two, where opening the directory would cost more. */
    public Folder byPath(Path relativeDir) {
        return new Folder(relativeDir, null);
    }

    /**
     * A directory held open by {@link #openFolder}: the same rules as {@link #classify} and {@link #readForIndex(Path)},
     * applied to entries of that directory only. Closing it closes the directory. One thread at a time.
     */
    public final class Folder implements Closeable {
        private final Path dir;
        private final SecureDirectoryStream<Path> handle;

        private Folder(Path dir, SecureDirectoryStream<Path> handle) {
            this.dir = dir;
            this.handle = handle;
        }

        /** {@code relative} (to the root), checked to be an entry of this directory. */
        private Path name(Path relative) {
            if (relative.getNameCount() != dir.getNameCount() + 1 || !relative.startsWith(dir)) {
                throw new IllegalArgumentException(relative + " is not in " + dir);
            }
            return relative.getFileName();
        }

        /** The attributes of an entry of this directory ({@code relative} to the root), never following a symlink. */
        public BasicFileAttributes attributes(Path relative) throws IOException {
            if (handle == null) {
                return Files.readAttributes(root.resolve(relative), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            }
            return handle.getFileAttributeView(name(relative), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        }

        /** {@link EventFiles#readForIndex(Entry.Candidate)} of a candidate in this directory. */
        public ReadResult readForIndex(Entry.Candidate candidate) {
            name(candidate.relativePath());
            return read(candidate, false, handle);
        }

        @Override
        public void close() throws IOException {
            if (handle != null) {
                handle.close();
            }
        }
    }

    /** Receives what {@link #scan} finds: candidates and problems, never directories or hidden entries. */
    public interface ScanVisitor {
        void visit(Entry entry);
    }

    /** Walks the whole layout (never following symlinks), reporting every candidate event file and every problem. */
    public void scan(ScanVisitor visitor) throws IOException {
        scan(date -> true, visitor);
    }

    /** As {@link #scan(ScanVisitor)}, restricted to date directories whose name passes {@code dateFilter}. */
    public void scan(Predicate<String> dateFilter, ScanVisitor visitor) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        walk(Path.of(""), dateFilter, visitor);
    }

    private void walk(Path dir, Predicate<String> dateFilter, ScanVisitor visitor) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root.resolve(dir.toString()))) {
            for (Path p : entries) {
                Path rel = dir.toString().isEmpty() ? p.getFileName() : dir.resolve(p.getFileName());
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue; // removed while we looked
                } catch (IOException e) {
                    visitor.visit(new Entry.Problem(rel, FileProblem.Reason.UNREADABLE, e.toString()));
                    continue;
                }
                Entry entry = classify(rel, attrs);
                if (entry instanceof Entry.Directory) {
                    if (rel.getNameCount() > 1 || dateFilter.test(rel.toString())) {
                        walk(rel, dateFilter, visitor);
                    }
                } else if (!(entry instanceof Entry.Hidden)) {
                    visitor.visit(entry);
                }
            }
        } catch (NoSuchFileException gone) {
            // a directory removed while we looked (archived): nothing to report
        }
    }
}
