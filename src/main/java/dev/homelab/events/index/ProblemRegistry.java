package dev.homelab.events.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import dev.homelab.events.storage.FileProblem;

/**
 * The entries under the store root that are not readable events, as the reconciler last saw them
 * ({@code /api/store/problems}, readiness, metrics). A problem file is read again only when its size or
 * modification time changes, so a thousand bad files cost nothing per pass.
 *
 * <p>
 * Thread-safety: a concurrent map; passes, the watcher and readers may use it at once.
 */
final class ProblemRegistry {

    /** A problem file is read again only when its size or modification time changes. */
    record Stamp(long size, long modifiedMillis) {

        /** The stamp of a file now, or null if it cannot be read (gone). */
        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return new Stamp(a.size(), a.lastModifiedTime().toMillis());
            } catch (IOException e) {
                return null;
            }
        }
    }

    /** A problem and the stamp of the file when it was judged (null: judged from its kind alone, never re-read). */
    record KnownProblem(FileProblem problem, Stamp stamp) {
    }

    private final Map<String, KnownProblem> problems = new ConcurrentHashMap<>();

    /**
     * Records a problem found from an entry's kind alone (a symlink, a FIFO, a stray name); one already known
     * for the same reason keeps the time it was first seen.
     */
    void note(String path, FileProblem.Reason reason, String detail) {
        problems.compute(path, (k, known) -> known != null && known.problem().reason() == reason
                ? known
                : new KnownProblem(new FileProblem(path, reason, detail, Instant.now()), null));
    }

    /** Records (or replaces) the problem of a file that was read, with its stamp. */
    void put(String path, FileProblem problem, Stamp stamp) {
        problems.put(path, new KnownProblem(problem, stamp));
    }

    /** True when the file was judged a problem with exactly this stamp: reading it again would change nothing. */
    boolean unchanged(String path, Stamp stamp) {
        KnownProblem known = problems.get(path);
        return known != null && stamp.equals(known.stamp());
    }

    /** True when a problem is recorded for this path. */
    boolean known(String path) {
        return problems.containsKey(path);
    }

    void remove(String path) {
        problems.remove(path);
    }

    void removeIf(Predicate<String> path) {
        problems.keySet().removeIf(path);
    }

    int size() {
        return problems.size();
    }

    List<FileProblem> list() {
        return problems.values().stream().map(KnownProblem::problem).sorted(Comparator.comparing(FileProblem::path))
                .toList();
    }

    /** For the snapshot. */
    Map<String, KnownProblem> copy() {
        return Map.copyOf(problems);
    }

    /** Restores what a snapshot recorded; problems found since win. */
    void restore(Map<String, KnownProblem> known) {
        known.forEach(problems::putIfAbsent);
    }
}
