package dev.homelab.events.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.UUID;

/**
 * Small durable-write helpers for the sync and archive state files. Unlike event files, these are meant
 * to be replaced: a temp file in the same directory is forced, then renamed over the target (atomic on
 * POSIX), then the directory is forced. A crash leaves the old or the new content, never a mix.
 */
public final class DurableFiles {

    private DurableFiles() {
    }

    /** Atomically replaces (or creates) {@code target} with {@code bytes}, durably. */
    public static void replace(Path target, byte[] bytes) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = writeTemp(dir, target.getFileName().toString(), bytes);
        try {
            // COMMIT POINT: the rename publishes the complete, forced content
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(dir);
    }

    /** Writes {@code bytes} to a new dot-prefixed temp file in {@code dir} and forces it to disk. */
    public static Path writeTemp(Path dir, String forName, byte[] bytes) throws IOException {
        Path temp = dir.resolve("." + forName + "." + UUID.randomUUID() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
