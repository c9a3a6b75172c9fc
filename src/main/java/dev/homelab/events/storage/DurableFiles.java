package dev.homelab.events.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one durable-file utility. Every file this server writes goes through one of its two commit points:
 *
 * <ul>
 * <li>{@link #linkNew}: for files that must never replace another (event files, new archives). A forced
 * dot-prefixed temp file in the target directory is hard-linked to the final name; a link fails when the name
 * exists, where a rename would silently replace it.</li>
 * <li>{@link #replace}: for small state files that are meant to be replaced (sync cursors, the arrival log
 * header, markers): a forced temp file is renamed over the target (atomic on POSIX).</li>
 * </ul>
 * Either way the directory is forced afterwards, so the new name survives a crash; a crash before leaves the
 * old state and at most a dot-prefixed temp file, which every reader skips.
 *
 * <p>
 * Thread-safety: stateless; temp names are unique, so any number of threads and processes may write.
 */
public final class DurableFiles {

    /** Temp files end so, after a dot prefix: {@code .<final name>.<process tag>-<counter>.tmp}. */
    public static final String TEMP_SUFFIX = ".tmp";

    /**
     * A temp name needs to be unique, not unguessable: it is created with CREATE_NEW (which also refuses a symlink in
     * its place), so a random tag per process and a counter do (a {@code SecureRandom} UUID per write showed in the
     * write profiles, docs/performance.md). At most 33 characters, like the 36 of a UUID.
     */
    private static final String PROCESS_TAG = Long.toHexString(UUID.randomUUID().getMostSignificantBits());
    private static final AtomicLong TEMPS = new AtomicLong();

    private DurableFiles() {
    }

    /** Forces a file's content to disk (a test seam of the store wraps it). */
    public interface Forcer {
        void force(FileChannel channel) throws IOException;
    }

    /** Forces content and metadata with {@code fsync}. */
    public static final Forcer FSYNC = ch -> ch.force(true);

    /**
     * A temp file name next to {@code target}: dot-prefixed, so scanners never read it as an event. The final name
     * in it is cut at 200 characters: a name near the 255-byte limit (a 253-character node name with a suffix)
     * would not leave room for the unique part.
     */
    public static Path tempFor(Path target) {
        String name = target.getFileName().toString();
        return target.resolveSibling("." + name.substring(0, Math.min(name.length(), 200)) + "." + PROCESS_TAG + "-"
                + Long.toHexString(TEMPS.incrementAndGet()) + TEMP_SUFFIX);
    }

    /**
     * Writes {@code bytes} to a new temp file next to {@code target} (mode 0644) and forces it. The caller
     * commits it (link or rename) and removes it; on failure here it is already removed.
     */
    public static Path writeTemp(Path target, byte[] bytes, Forcer forcer) throws IOException {
        Path temp = tempFor(target);
        try (FileChannel ch = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")))) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            forcer.force(ch);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    /**
     * COMMIT POINT of files that never replace another: links the complete, forced {@code temp} to
     * {@code target}, then removes the temp. The directory is not forced here (callers batch that, see the
     * store's group commit).
     *
     * @throws FileAlreadyExistsException if {@code target} exists; it is left untouched
     */
    public static void linkNew(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Atomically replaces (or creates) {@code target} with {@code bytes}, durably; creates missing parents. */
    public static void replace(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        renameOver(writeTemp(target, bytes, FSYNC), target);
        forceDirectory(dir);
    }

    /**
     * COMMIT POINT of replaceable files: renames the complete, forced {@code temp} over {@code target}
     * (atomic on POSIX: readers see the old or the new file, never a mix), or removes the temp on failure.
     * The directory is not forced here.
     */
    public static void renameOver(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Forces a directory's entries (names added or removed) to disk. */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
