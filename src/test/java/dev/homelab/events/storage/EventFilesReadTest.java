package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one read of a file: whole files of every size come back byte for byte, the limit holds, non-files are refused. */
class EventFilesReadTest {

    @TempDir
    Path dir;

    @Test
    void filesOfEverySizeComeBackWhole() throws IOException {
        Random rnd = new Random(7);
        for (int size : new int[]{ 0, 1, 2, 4095, 4096, 4097, 65_536, 1 << 20, (1 << 20) + 1, (3 << 20) + 17 }) {
            byte[] bytes = new byte[size];
            rnd.nextBytes(bytes);
            Path f = dir.resolve("f" + size);
            Files.write(f, bytes);
            assertArrayEquals(bytes, EventFiles.readAtMost(f, 4 << 20), "size " + size);
        }
    }

    @Test
    void noMoreThanTheLimitIsRead() throws IOException {
        byte[] bytes = new byte[10_000];
        Arrays.fill(bytes, (byte) 'x');
        Path f = dir.resolve("big");
        Files.write(f, bytes);
        assertArrayEquals(Arrays.copyOf(bytes, 1000), EventFiles.readAtMost(f, 1000));
    }

    @Test
    void aLargeFileIsCutAtTheLimitToo() throws IOException {
        byte[] bytes = new byte[3 << 20];
        new Random(9).nextBytes(bytes);
        Path f = Files.write(dir.resolve("large"), bytes);
        assertArrayEquals(Arrays.copyOf(bytes, 2 << 20), EventFiles.readAtMost(f, 2 << 20));
    }

    @Test
    void aLargeFileThatGrewOrShrankSinceItsSizeWasTakenComesBackAsItIsNow() throws IOException {
        byte[] bytes = new byte[(2 << 20) + 5];
        new Random(11).nextBytes(bytes);
        Path f = Files.write(dir.resolve("changing"), bytes);
        for (long sizeSeenBefore : new long[]{ 1 << 20, (2 << 20) + 4, (2 << 20) + 6, 3 << 20 }) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                assertArrayEquals(bytes, EventFiles.readFrom(ch, 4 << 20, sizeSeenBefore), "size seen " + sizeSeenBefore);
            }
        }
    }

    @Test
    void aSymlinkOrADirectoryIsNotRead() throws IOException {
        Path target = Files.writeString(dir.resolve("t"), "{}");
        Path link = Files.createSymbolicLink(dir.resolve("l"), target);
        assertThrows(FileSystemException.class, () -> EventFiles.readAtMost(link, 100));
        assertThrows(FileSystemException.class, () -> EventFiles.readAtMost(dir, 100));
    }
}
