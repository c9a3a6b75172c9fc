package dev.homelab.events.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * In-memory index over every readable event in the store. Derived from the files and rebuildable at
 * any time; payloads are not held.
 *
 * <p>
 * Thread-safety: backed by concurrent maps and skip lists, so readers never block and writers never wait
 * for readers. A reader racing a writer may or may not see the event being added, never a broken one.
 */
public class EventIndex {

    private final ConcurrentMap<UUID, IndexEntry> byId = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, IndexEntry> byPath = new ConcurrentHashMap<>();
    private final NavigableSet<IndexEntry> byTime = new ConcurrentSkipListSet<>(IndexEntry.BY_TIME);
    private final ConcurrentMap<String, NavigableSet<IndexEntry>> byCorrelation = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> names = new ConcurrentHashMap<>();

    /**
     * Adds an entry. Returns the entry already indexed under the same id from another file, if any; the
     * index keeps the first one seen, so a duplicate never replaces an original.
     */
    public Optional<IndexEntry> add(IndexEntry e) {
        IndexEntry entry = dedupe(e);
        IndexEntry existing = byId.putIfAbsent(entry.id(), entry);
        if (existing != null) {
            return existing.relativePath().equals(entry.relativePath()) ? Optional.empty() : Optional.of(existing);
        }
        byPath.put(entry.relativePath(), entry);
        byCorrelation.computeIfAbsent(entry.correlationId(), k -> new ConcurrentSkipListSet<>(IndexEntry.BY_TIME)).add(entry);
        byTime.add(entry);
        return Optional.empty();
    }

    /** Forgets the event stored at a path (its file is gone, for instance archived). */
    public void removePath(String relativePath) {
        IndexEntry e = byPath.remove(relativePath);
        if (e == null) {
            return;
        }
        byTime.remove(e);
        byId.remove(e.id(), e);
        byCorrelation.computeIfPresent(e.correlationId(), (k, set) -> {
            set.remove(e);
            return set.isEmpty() ? null : set;
        });
    }

    public Optional<IndexEntry> get(UUID id) {
        return Optional.ofNullable(byId.get(id));
    }

    public boolean containsPath(String relativePath) {
        return byPath.containsKey(relativePath);
    }

    public Set<String> paths() {
        return byPath.keySet();
    }

    public int size() {
        return byId.size();
    }

    /** The events of one correlation id, oldest first. */
    public List<IndexEntry> chain(String correlationId) {
        NavigableSet<IndexEntry> set = byCorrelation.get(correlationId);
        return set == null ? List.of() : List.copyOf(set);
    }

    /** Correlation ids, for completion and incident listings. */
    public Set<String> correlationIds() {
        return byCorrelation.keySet();
    }

    /** Every entry, oldest first (a weakly consistent view). */
    public Collection<IndexEntry> all() {
        return byTime;
    }

    public IndexPage query(EventQuery q) {
        NavigableSet<IndexEntry> source = q.correlationId() != null
                ? byCorrelation.getOrDefault(q.correlationId(), new ConcurrentSkipListSet<>(IndexEntry.BY_TIME))
                : byTime;
        NavigableSet<IndexEntry> ordered = q.newestFirst() ? source.descendingSet() : source;
        List<IndexEntry> page = new ArrayList<>(Math.min(q.limit(), 256));
        long total = 0;
        boolean hasMore = false;
        IndexEntry probe = q.after() == null ? null : q.after().asProbe();
        for (IndexEntry e : ordered) {
            if (!q.matches(e)) {
                continue;
            }
            total++;
            boolean pastCursor = probe == null
                    || (q.newestFirst() ? IndexEntry.BY_TIME.compare(e, probe) < 0 : IndexEntry.BY_TIME.compare(e, probe) > 0);
            if (!pastCursor) {
                continue;
            }
            if (page.size() < q.limit()) {
                page.add(e);
            } else {
                hasMore = true;
            }
        }
        return new IndexPage(page, total, hasMore);
    }

    private IndexEntry dedupe(IndexEntry e) {
        return new IndexEntry(e.id(), e.timestampMicros(), intern(e.node()), intern(e.type()), e.severity(),
                intern(e.source()), intern(e.service()), intern(e.correlationId()), e.relativePath());
    }

    private String intern(String s) {
        if (s == null) {
            return null;
        }
        String prior = names.putIfAbsent(s, s);
        return prior == null ? s : prior;
    }
}
