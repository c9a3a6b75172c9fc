package dev.homelab.events.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A store root on its own small tmpfs (4 MiB, 2,000 inodes) that a test can fill, exhaust of inodes, remount
 * read-only or make immutable, without touching any real disk. Mounting needs root; otherwise the store is a
 * plain temp directory and {@link #skipReason()} says why the file-system faults cannot be injected.
 */
public class TmpfsStore implements QuarkusTestResourceLifecycleManager {

    private static volatile Path mount;
    private static volatile String skipReason;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("homelab-tmpfs-");
            String uid = run(List.of("id", "-u")).strip();
            if (!uid.equals("0")) {
                skipReason = "not running as root (uid " + uid + "): cannot mount a tmpfs to fill";
            } else {
                String out = runStatus(
                        List.of("mount", "-t", "tmpfs", "-o", "size=4m,nr_inodes=2000,mode=0755", "tmpfs", dir.toString()));
                if (out != null) {
                    skipReason = "mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?): " + out;
                }
            }
            mount = dir;
            Path root = Files.createDirectories(dir.resolve("events"));
            // readiness must notice a full disk before the write does: a threshold the small tmpfs can fall under
            return Map.of("homelab.events.dir", root.toString(), "homelab.events.min-free-bytes", "65536");
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot prepare the tmpfs store", e);
        }
    }

    @Override
    public void stop() {
        if (mount != null && skipReason == null) {
            try {
                run(List.of("chattr", "-R", "-i", mount.toString()));
                runStatus(List.of("umount", "-l", mount.toString()));
            } catch (IOException | InterruptedException e) {
                // best effort: a leftover empty mount point in /tmp is harmless
            }
        }
    }

    /** The mount point; the store root is {@code mount()/events}, fillers go next to it. */
    public static Path mount() {
        return mount;
    }

    /** Why the file-system faults cannot be injected here, or null when they can. */
    public static String skipReason() {
        return skipReason;
    }

    public static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        return out;
    }

    /** Runs a command; null on success, else its exit code and output. */
    public static String runStatus(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out.strip();
    }
}
