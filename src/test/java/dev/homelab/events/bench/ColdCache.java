package dev.homelab.events.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/**
 * Makes reads cold for the benchmark's {@code --cold} measures. Dropping the whole page cache
 * ({@code echo 3 > /proc/sys/vm/drop_caches}) needs a privilege containers rarely have, so the store's own files
 * are evicted one by one: {@code posix_fadvise(POSIX_FADV_DONTNEED)} on every file under the root (after a
 * {@code sync}, since dirty pages cannot be dropped). That drops the files' data pages; directory entries and
 * inodes stay cached, as they would on a server that lists its directories every few seconds.
 */
final class ColdCache {

    private static final String EVICT = String.join("\n",
            "import os, sys",
            "os.sync()",
            "n = 0",
            "for d, dirs, files in os.walk(sys.argv[1]):",
            "    for f in files:",
            "        try:",
            "            fd = os.open(os.path.join(d, f), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)",
            "        except OSError:",
            "            continue",
            "        try:",
            "            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)",
            "            n += 1",
            "        finally:",
            "            os.close(fd)",
            "print(n)");

    private ColdCache() {
    }

    /** Evicts every file under {@code root} from the page cache; returns how many. Needs python3. */
    static int evict(Path root) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", EVICT, root.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IOException("evicting the page cache failed: " + out);
        }
        return Integer.parseInt(out);
    }

    /**
     * A filtered listing's first page ending at a random point of the generated 90 days, so that every call reads
     * other files than the calls before it (the same query twice would find its files cached the second time).
     */
    static String distinctPageQuery(Random rnd) {
        long span = StoreGenerator.SPAN.toSeconds() - 86_400L * 10;
        Instant until = StoreGenerator.END.minusSeconds((long) (rnd.nextDouble() * span));
        String node = StoreGenerator.NODES[rnd.nextInt(StoreGenerator.NODES.length)];
        String service = StoreGenerator.SERVICES[rnd.nextInt(StoreGenerator.SERVICES.length)];
        String filter = switch (rnd.nextInt(4)) {
            case 0 -> "";
            case 1 -> "service=" + service + "&";
            case 2 -> "node=" + node + "&min_severity=warning&";
            default -> "node=" + node + "&";
        };
        return filter + "until=" + until + "&limit=50";
    }
}
