package dev.homelab.events.index;

import java.io.IOException;
import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.homelab.events.Severity;

/**
 * In-memory index over every readable event in the store. Derived from the files and rebuildable at any
 * time; payloads are not held. This class is the entry point; the machinery lives beside it in this package.
 *
 * <p>
 * Layout (about 100 bytes per event, see docs/performance.md): one row per event in append-only primitive
 * columns ({@link RowColumns}: id, timestamp, dictionary ids ({@link NameDictionary}) of node, type, source and
 * service, severity, correlation id), found by id through an open-addressing {@link IdTable}. Rows are grouped
 * into one immutable {@link DaySegment} per UTC day, holding the day's rows in listing order
 * ({@link ListingOrder}: time, node, id) and {@link Postings} per node, type, severity, source and service; a
 * posting list holds positions in that order, so time bounds and cursors are binary searches and a filter on
 * one dimension is counted without scanning ({@link QueryEngine}, {@link StatusViews}). Correlation chains
 * ({@link Chains}) are small row lists keyed by correlation id; an event that is its own chain (correlation id
 * equal to its id, the default) costs no string at all. The relative path is derived from the fields
 * ({@link RowPaths}); only a file whose path differs from the grammar's keeps its path.
 *
 * <p>
 * Thread-safety: any number of readers and writers. What guards what:
 * <ul>
 * <li><b>This object's monitor</b> serializes writers: every change runs under it ({@link #addAll},
 * {@link #removePaths}, {@link #trim} and {@link #loadSorted} are {@code synchronized}; {@link #add} and
 * {@link #removePath} go through them). It guards the whole writer side, {@link RowWriter} (the columns beyond the published
 * count, the count, the {@link IdTable}, the day segment array), the appends to the {@link NameDictionary
 * dictionaries}, and the writes to the {@link Chains} and {@link RowPaths} maps. Only methods holding it assign
 * {@link #state}.</li>
 * <li><b>The volatile {@link #state}</b> publishes each change as one new immutable {@link IndexState}. Readers
 * never lock: they read the state once per call and see a consistent view (column arrays are only written
 * beyond the count a published state covers; a table rehash or a day rebuild makes new arrays).</li>
 * <li><b>Concurrent maps</b> (dictionary ids, chains, path overrides) are read lock-free; they may run ahead of
 * the published state, so readers ignore any row at or beyond their state's count.</li>
 * </ul>
 * The helper classes take no lock of their own: {@link RowWriter} (and {@link SnapshotRows#load}) run only under
 * this monitor; {@link QueryEngine}, {@link StatusViews}, {@link Chains} readers, {@link RowPaths} readers and a
 * {@link ChainView} work on one published state.
 * A long build (the first scan) prepares its rows in batches, so readers are never held up by it; it holds each
 * day's segment ({@link #holdingDay}) until the day's last directory is read, so a day is rebuilt once.
 */
public class EventIndex {

    /** A rejected entry: its id is already indexed from another file. */
    public record Duplicate(IndexEntry rejected, IndexEntry original) {
    }

    /** A column whose distinct values the derived views group by. */
    public enum Dimension {
        NODE,
        SERVICE
    }

    /**
     * One value of a dimension: how many live events carry it, its latest event, and for each requested
     * group of types its latest event of one of those types (null when none).
     */
    public record ValueStatus(String value, long count, IndexEntry last, List<IndexEntry> latestOfGroup) {
    }

    private final NameDictionary nodeDict = new NameDictionary();
    private final NameDictionary typeDict = new NameDictionary();
    private final NameDictionary sourceDict = new NameDictionary();
    private final NameDictionary serviceDict = new NameDictionary();
    private final Chains chains = new Chains();
    private final RowPaths paths = new RowPaths();
    /** Guarded by this object's monitor. */
    private final RowWriter writer = new RowWriter(nodeDict, typeDict, sourceDict, serviceDict, chains, paths);
    private final QueryEngine queries = new QueryEngine(nodeDict, typeDict, sourceDict, serviceDict, chains);
    private final StatusViews statusViews = new StatusViews(nodeDict, typeDict, serviceDict);

    private final List<Consumer<Set<String>>> chainListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Consumer<Set<String>>> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** What readers see; assigned only under this object's monitor. */
    private volatile IndexState state;
    /** Counts {@link #removePaths} calls that removed rows; written under this object's monitor. */
    private volatile long removals;

    public EventIndex() {
        state = writer.state();
    }

    // ---------------------------------------------------------------- writes (under this object's monitor)

    /**
     * Adds an entry. Returns the entry already indexed under the same id from another file, if any; the
     * index keeps the first one seen, so a duplicate never replaces an original.
     */
    public Optional<IndexEntry> add(IndexEntry e) {
        List<Duplicate> d = addAll(List.of(e));
        return d.isEmpty() ? Optional.empty() : Optional.of(d.get(0).original());
    }

    /**
     * Adds many entries and publishes them at once (an entry with a null path is stored at the path its
     * fields derive); the bulk path of scans and snapshot loads (one
     * rebuild per affected day instead of one per event). Entries already indexed at the same path are
     * ignored; entries whose id is indexed from another file are returned as duplicates.
     */
    public synchronized List<Duplicate> addAll(Collection<IndexEntry> entries) {
        List<Duplicate> duplicates = new ArrayList<>(0);
        int before = writer.count();
        Long held = heldDay.get();
        if (writer.addAll(entries, duplicates, held == null ? Long.MIN_VALUE : held)) {
            state = writer.state();
        }
        if (writer.count() > before && !(chainListeners.isEmpty() && changeListeners.isEmpty())) {
            Set<String> grown = new RowChains(state, before, writer.count());
            chainListeners.forEach(l -> l.accept(grown));
            changeListeners.forEach(l -> l.accept(grown));
        }
        return duplicates;
    }

    /**
     * The day whose segment this thread's adds leave for one rebuild at {@link #releaseDay} (the first scan adds a
     * day directory by directory; rebuilding it once per directory put a third of the scan's CPU there). Meanwhile
     * those rows are found by id and in their chains, and listings show the day as it was; any other change to the
     * day (a write, the watcher, a removal) builds it with them.
     */
    private final ThreadLocal<Long> heldDay = new ThreadLocal<>();

    /** Runs {@code task} with the adds of this thread to {@code day} held until {@link #releaseDay}. */
    void holdingDay(java.time.LocalDate day, Runnable task) {
        heldDay.set(day.toEpochDay());
        try {
            task.run();
        } finally {
            heldDay.remove();
        }
    }

    /** Builds the segment of a held day with the rows waiting for it and publishes it; nothing when none wait. */
    synchronized void releaseDay(java.time.LocalDate day) {
        if (writer.releaseDay(day.toEpochDay())) {
            state = writer.state();
        }
    }

    /**
     * Tells {@code listener} the correlation ids of the chains that gained events, after each change is
     * published, whoever wrote the files (this server, another process through the watcher, sync). Called under
     * this object's monitor: a listener must only hand the work off (the MCP subscriptions do).
     */
    public void onChainsGrown(Consumer<Set<String>> listener) {
        chainListeners.add(listener);
    }

    /**
     * Tells {@code listener} the correlation ids of the chains that gained or lost events, after each change is
     * published (adds, removals such as archiving); null when every chain may have changed (a snapshot load).
     * Called under this object's monitor: a listener must only note the ids.
     */
    public void onChainsChanged(Consumer<Set<String>> listener) {
        changeListeners.add(listener);
    }

    /**
     * Gives back the growth slack of the columns (up to a third of their size after a bulk build); called
     * after a full pass. Rows keep their numbers, so every structure stays valid.
     */
    public synchronized void trim() {
        if (writer.trim()) {
            state = writer.state();
        }
    }

    /** Forgets the event stored at a path (its file is gone, for instance archived). */
    public void removePath(String relativePath) {
        removePaths(List.of(relativePath));
    }

    /** Forgets the events stored at these paths, with one rebuild per affected day. */
    public synchronized int removePaths(Collection<String> relativePaths) {
        Set<String> shrunk = changeListeners.isEmpty() ? Set.of() : chainsAt(relativePaths);
        int removed = writer.removePaths(state, relativePaths);
        if (removed > 0) {
            state = writer.state();
            removals++;
            changeListeners.forEach(l -> l.accept(shrunk));
        }
        return removed;
    }

    /**
     * Bulk load of a snapshot into an empty index: the rows (string-table references, -1 for "own id" or
     * "derived path") come in listing order, as {@link #exportRows} writes them, so each day is a range of
     * rows and each chain is already sorted. Returns false, leaving the index empty, when they are not
     * in order (a damaged snapshot): the caller then reads the files instead.
     */
    synchronized boolean loadSorted(String[] table, int n, long[] hi, long[] lo, long[] ts, int[] node, int[] type,
            byte[] sev, int[] source, int[] service, int[] cid, int[] path) {
        if (!SnapshotRows.load(writer, table, n, hi, lo, ts, node, type, sev, source, service, cid, path)) {
            return false;
        }
        state = writer.state();
        changeListeners.forEach(l -> l.accept(null));
        return true;
    }

    /** The correlation ids of the events indexed at these paths. */
    private Set<String> chainsAt(Collection<String> relativePaths) {
        IndexState s = state;
        Set<String> out = new java.util.HashSet<>();
        for (String path : relativePaths) {
            int r = paths.rowOf(s, path);
            if (r >= 0) {
                out.add(s.c.corr[r] != null ? s.c.corr[r] : new UUID(s.c.hi[r], s.c.lo[r]).toString());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- reads (lock-free, one state per call)

    public Optional<IndexEntry> get(UUID id) {
        IndexState s = state;
        int row = s.row(id.getMostSignificantBits(), id.getLeastSignificantBits());
        return row < 0 ? Optional.empty() : Optional.of(s.entry(row));
    }

    /**
     * Paths this process's {@link EventWriter} is writing right now: it indexes each one itself once the file is
     * durable, so the watcher, which sees the link a moment before, does not read and parse the file a second
     * time (under load it often came first, and then read and parsed the file the writer was about to index). A
     * write that fails is withdrawn by the store; a file left behind anyway, or another process's file of the same
     * name written meanwhile, is found by the next reconciliation pass.
     */
    private final Set<String> ownWrites = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Marks a path as being written by this process ({@link #ownWrites}); {@code false} ends the mark. */
    void writing(String relativePath, boolean inProgress) {
        if (inProgress) {
            ownWrites.add(relativePath);
        } else {
            ownWrites.remove(relativePath);
        }
    }

    /** Whether this process is writing that path right now and will index it itself. */
    boolean beingWritten(String relativePath) {
        return ownWrites.contains(relativePath);
    }

    public boolean containsPath(String relativePath) {
        return paths.rowOf(state, relativePath) >= 0;
    }

    /**
     * Every indexed path, as a view of the current state: iterating builds each path string on the fly
     * (about a second per million events), {@code contains} is a lookup.
     */
    public Set<String> paths() {
        IndexState s = state;
        return new AbstractSet<>() {
            @Override
            public boolean contains(Object o) {
                return o instanceof String p && containsPath(p);
            }

            @Override
            public Iterator<String> iterator() {
                Iterator<IndexEntry> rows = all().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return rows.hasNext();
                    }

                    @Override
                    public String next() {
                        return rows.next().relativePath();
                    }
                };
            }

            @Override
            public int size() {
                return s.live;
            }
        };
    }

    public int size() {
        return state.live;
    }

    /** Every entry, oldest first (a view of the state at the time of the call). */
    public Collection<IndexEntry> all() {
        IndexState s = state;
        return new AbstractCollection<>() {
            @Override
            public Iterator<IndexEntry> iterator() {
                return s.entries();
            }

            @Override
            public int size() {
                return s.live;
            }
        };
    }

    /** Entries of the events whose directory is {@code <date>/<node>} by their path, for reconciliation. */
    public Map<String, IndexEntry> entriesIn(String date, String node) {
        return paths.entriesIn(state, nodeDict, date, node);
    }

    /** The file names of {@link #entriesIn}, as a new mutable set (cheaper: no entry or path per row). */
    Set<String> namesIn(String date, String node) {
        return paths.namesIn(state, nodeDict, date, node);
    }

    /** The {@code <date>/<node>} directories that hold indexed events, for noticing directories that vanished. */
    public Set<String> directories() {
        return paths.directories(state);
    }

    public IndexPage query(EventQuery q) {
        return queries.query(state, q);
    }

    /** {@link #query} against the state published now, held while the index goes on changing: answers never change. */
    Function<EventQuery, IndexPage> heldQueries() {
        IndexState s = state;
        return q -> queries.query(s, q);
    }

    // ---------------------------------------------------------------- chains

    /** The events of one correlation id, oldest first. */
    public List<IndexEntry> chain(String correlationId) {
        IndexState s = state;
        int[] rows = chains.rowsOf(s, correlationId);
        List<IndexEntry> out = new ArrayList<>(rows.length);
        for (int r : rows) {
            out.add(s.entry(r));
        }
        return out;
    }

    /** Correlation ids, for completion and incident listings (a view: lone events' own ids included). */
    public Set<String> correlationIds() {
        return chains.ids(() -> state);
    }

    /**
     * The rows of one correlation chain, oldest first, read straight from the columns of one published
     * state: filters and outcomes need no path string, so only {@link #entry} builds a full entry.
     */
    public static final class ChainView {
        private final IndexState s;
        private final int[] rows;
        private final String correlationId;

        ChainView(IndexState s, int[] rows, String correlationId) {
            this.s = s;
            this.rows = rows;
            this.correlationId = correlationId;
        }

        public String correlationId() {
            return correlationId;
        }

        public int size() {
            return rows.length;
        }

        public long timestampMicros(int i) {
            return s.c.ts[rows[i]];
        }

        public String type(int i) {
            return s.types[s.c.type[rows[i]]];
        }

        public Severity severity(int i) {
            return IndexState.severity(s.c.sev[rows[i]]);
        }

        public String service(int i) {
            return s.services[s.c.service[rows[i]]];
        }

        public IndexEntry entry(int i) {
            return s.entry(rows[i]);
        }

        /** The row of event {@code i}: stable while that event is indexed, never reused (see {@link #chainEndingAt}). */
        public int row(int i) {
            return rows[i];
        }

        /**
         * A 64-bit digest of which events the chain holds: rows are never reused, so it changes whenever an
         * event joins or leaves the chain; lets a caller cache what it read from the chain's files.
         */
        public long fingerprint() {
            long h = rows.length;
            for (int r : rows) {
                long z = (h ^ r) + 0x9E3779B97F4A7C15L;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                h = z ^ (z >>> 31);
            }
            return h;
        }
    }

    /**
     * Visits every correlation chain with at least one event at or after {@code sinceMicros} (its last
     * event, then, is too), once each, in no particular order. Reads the day segments from the day of
     * {@code sinceMicros} on, so a recent window costs only its own events.
     */
    public void forEachChainActiveSince(long sinceMicros, Consumer<ChainView> visitor) {
        chains.forEachActiveSince(state, sinceMicros, visitor);
    }

    /** Whether the event of this {@link ChainView#row row} is still indexed (not removed, e.g. archived). */
    public boolean indexes(int row) {
        return indexes(state, row);
    }

    private static boolean indexes(IndexState s, int row) {
        return row >= 0 && row < s.count && s.row(s.c.hi[row], s.c.lo[row]) == row;
    }

    /** How many times events were removed: lets a holder of rows know when to look for removed ones. */
    public long removals() {
        return removals;
    }

    /** One correlation chain, oldest first, in the current state (empty when no event has that id). */
    public ChainView chainView(String correlationId) {
        IndexState s = state;
        return new ChainView(s, chains.rowsOf(s, correlationId), correlationId);
    }

    /**
     * The chain whose newest event is at {@link ChainView#lastRow row}, or null when that event is no longer
     * indexed or no longer its chain's newest: lets a caller keep rows instead of correlation id strings.
     */
    public ChainView chainEndingAt(int row) {
        IndexState s = state;
        if (!indexes(s, row)) {
            return null;
        }
        String cid = s.c.corr[row] != null ? s.c.corr[row] : new UUID(s.c.hi[row], s.c.lo[row]).toString();
        int[] rows = chains.rowsOf(s, cid);
        return rows.length > 0 && rows[rows.length - 1] == row ? new ChainView(s, rows, cid) : null;
    }

    // ---------------------------------------------------------------- derived views

    /** The distinct values of a dimension among live events, sorted; read from the day segments' posting keys. */
    public List<String> values(Dimension dim) {
        return statusViews.values(state, dim);
    }

    /**
     * Per value of a dimension (or only {@code onlyValue}), sorted by value: counts from posting-list sizes,
     * the latest event from the newest day holding the value, and the latest event of each type group by
     * walking that group's posting lists newest day first, stopping once every value has one. Never
     * materializes more than one entry per value and group.
     */
    public List<ValueStatus> statusBy(Dimension dim, String onlyValue, List<Set<String>> typeGroups) {
        return statusViews.statusBy(state, dim, onlyValue, typeGroups);
    }

    // ---------------------------------------------------------------- snapshot rows

    /** Raw rows for the snapshot writer: {@code correlationId} is null for a lone event, {@code path} null when derived. */
    interface RowSink {
        void row(long hi, long lo, long micros, String node, String type, int severity, String source, String service,
                String correlationId, String path) throws IOException;
    }

    /** Visits every live row of the current state, in listing order; returns how many. */
    int exportRows(RowSink sink) throws IOException {
        return SnapshotRows.export(state, sink);
    }
}
