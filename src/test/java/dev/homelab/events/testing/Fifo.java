package dev.homelab.events.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * Named pipes for hostile-file tests: opening one for reading blocks until a writer comes, which none will. Tests
 * using one put {@code @Timeout(threadMode = SEPARATE_THREAD)} on themselves: a thread blocked in open(2) ignores
 * interrupts, so only a separate thread can fail such a test instead of hanging the build.
 */
public final class Fifo {
    private Fifo() {
    }

    /** Creates a FIFO at {@code path} with {@code mkfifo}, replacing nothing. */
    public static Path make(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("mkfifo " + path + " failed: " + new String(p.getInputStream().readAllBytes()));
        }
        if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
            throw new IOException("mkfifo made something else than a FIFO at " + path);
        }
        return path;
    }
}
