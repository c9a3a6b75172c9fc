package dev.homelab.events.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.homelab.events.Event;
import dev.homelab.events.Timestamps;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.FileProblem;
import dev.homelab.events.storage.ReadResult;

/**
 * Brings the index in line with the files: adds events that other processes wrote, forgets files that
 * are gone, and keeps the list of entries that are not readable events. The files always win.
 *
 * <p>
 * Thread-safety: {@link #reconcile()} runs one at a time; {@link #indexNew} may be called concurrently by writers.
 */
public class Reconciler {

    /** A problem file is read again only when its size or modification time changes. */
    private record Stamp(long size, Instant modified) {
    }

    private record KnownProblem(FileProblem problem, Stamp stamp) {
    }

    private final EventStore store;
    private final EventIndex index;
    private final Map<String, KnownProblem> problems = new ConcurrentHashMap<>();
    private volatile Instant lastReconciled;
    private volatile Duration lastDuration = Duration.ZERO;

    public Reconciler(EventStore store, EventIndex index) {
        this.store = store;
        this.index = index;
    }

    public static IndexEntry entryOf(Event e, String relativePath) {
        return new IndexEntry(e.id(), Timestamps.toMicros(e.timestamp()), e.node(), e.type(), e.severity(), e.source(),
                e.service(), e.correlationId(), relativePath);
    }

    /** Indexes an event this process has just written. */
    public void indexNew(Event e, Path relativePath) {
        index.add(entryOf(e, relativePath.toString()));
    }

    public synchronized ReconcileReport reconcile() throws IOException {
        Instant started = Instant.now();
        Set<String> seen = new HashSet<>();
        int[] added = { 0 };
        store.scan(entry -> {
            String rel = entry.relativePath().toString();
            seen.add(rel);
            if (entry instanceof EventStore.Entry.Problem p) {
                problems.computeIfAbsent(rel, k -> new KnownProblem(new FileProblem(rel, p.reason(), p.detail(), started), null));
                return;
            }
            EventStore.Entry.Candidate c = (EventStore.Entry.Candidate) entry;
            if (index.containsPath(rel)) {
                return;
            }
            Stamp stamp = new Stamp(c.size(), c.modified());
            KnownProblem known = problems.get(rel);
            if (known != null && stamp.equals(known.stamp())) {
                return;
            }
            ReadResult result = store.read(entry.relativePath());
            if (result instanceof ReadResult.Ok ok) {
                Optional<IndexEntry> original = index.add(entryOf(ok.event(), rel));
                if (original.isPresent()) {
                    problems.put(rel, new KnownProblem(Duplicates.problem(store, rel, original.get().relativePath(),
                            ok.event().id(), started), stamp));
                } else {
                    problems.remove(rel);
                    added[0]++;
                }
            } else {
                ReadResult.Skipped s = (ReadResult.Skipped) result;
                problems.put(rel, new KnownProblem(new FileProblem(rel, s.reason(), s.detail(), started), stamp));
            }
        });
        int removed = 0;
        for (String path : new ArrayList<>(index.paths())) {
            // only forget what is really gone: an event written during this scan is in the index but not in `seen`
            if (!seen.contains(path) && !Files.exists(store.root().resolve(path), LinkOption.NOFOLLOW_LINKS)) {
                index.removePath(path);
                removed++;
            }
        }
        problems.keySet().removeIf(path -> !seen.contains(path)
                && !Files.exists(store.root().resolve(path), LinkOption.NOFOLLOW_LINKS));
        lastReconciled = Instant.now();
        lastDuration = Duration.between(started, lastReconciled);
        return new ReconcileReport(added[0], removed, problems.size(), lastDuration);
    }

    public List<FileProblem> problems() {
        return problems.values().stream().map(KnownProblem::problem)
                .sorted((a, b) -> a.path().compareTo(b.path())).toList();
    }

    public Instant lastReconciled() {
        return lastReconciled;
    }

    public record ReconcileReport(int added, int removed, int problems, Duration took) {
    }
}
