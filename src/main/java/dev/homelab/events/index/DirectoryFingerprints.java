package dev.homelab.events.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What each {@code <date>/<node>} directory looked like when it was last listed: its inode and change time,
 * which every added or removed name updates and which rsync or touch cannot set back. A cheap pass lists again
 * only the directories whose fingerprint moved. A fingerprint taken within the racy window of the change time
 * is not trusted, since a name added in the same clock tick would not move it.
 *
 * <p>
 * Thread-safety: a concurrent map.
 */
final class DirectoryFingerprints {

    /** A directory changed this close to its listing may have changed again within the same time stamp. */
    static final long RACY_NANOS = 2_000_000_000L;

    /** What a directory looked like when it was listed; {@code racy} fingerprints are never trusted. */
    record Fingerprint(Object inode, long changeNanos, boolean racy) {

        /** True when a directory with this fingerprint need not be listed again. */
        boolean vouchesFor(Fingerprint now) {
            return !racy && inode.equals(now.inode()) && changeNanos == now.changeNanos();
        }
    }

    private final Map<String, Fingerprint> prints = new ConcurrentHashMap<>();
    private volatile long racyNanos = RACY_NANOS;

    void racyWindow(long nanos) {
        racyNanos = nanos;
    }

    /** The directory's fingerprint now, taken just before it is listed; null if it is gone. */
    Fingerprint take(Path dir) throws IOException {
        return of(dir, System.currentTimeMillis() * 1_000_000L, racyNanos);
    }

    static Fingerprint of(Path dir, long listedAtNanos, long racyNanos) throws IOException {
        try {
            Map<String, Object> a = Files.readAttributes(dir, "unix:ino,ctime", LinkOption.NOFOLLOW_LINKS);
            long ctime = ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS);
            return new Fingerprint(a.get("ino"), ctime, listedAtNanos - ctime < racyNanos);
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            // not a Unix file system: never trust a fingerprint, every pass lists everything
            return new Fingerprint(0L, 0L, true);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    Fingerprint get(String dir) {
        return prints.get(dir);
    }

    void put(String dir, Fingerprint print) {
        prints.put(dir, print);
    }

    void remove(String dir) {
        prints.remove(dir);
    }

    Set<String> directories() {
        return Set.copyOf(prints.keySet());
    }

    /** For the snapshot. */
    Map<String, Fingerprint> copy() {
        return Map.copyOf(prints);
    }

    void restore(Map<String, Fingerprint> known) {
        prints.putAll(known);
    }
}
