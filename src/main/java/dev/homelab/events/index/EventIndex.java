package dev.homelab.events.index;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.homelab.events.Severity;
import dev.homelab.events.Timestamps;
import dev.homelab.events.storage.EventFileName;

/**
 * In-memory index over every readable event in the store. Derived from the files and rebuildable at any
 * time; payloads are not held.
 *
 * <p>
 * Layout (about 100 bytes per event, see docs/performance.md): one row per event in append-only primitive
 * columns (id, timestamp, dictionary ids of node, type, source and service, severity, correlation id).
 * Rows are grouped into one immutable segment per UTC day, holding the day's rows in listing order (time,
 * node, id) and posting lists per node, type, severity, source and service; a posting list holds positions
 * in that order, so time bounds and cursors are binary searches and a filter on one dimension is counted
 * without scanning. Correlation chains are small row lists keyed by correlation id; an event that is its
 * own chain (correlation id equal to its id, the default) costs no string at all. The relative path is
 * derived from the fields; only a file whose path differs from the grammar's keeps its path.
 *
 * <p>
 * Thread-safety: any number of readers and writers. Writers are serialized on this object and publish
 * each change as one new immutable {@link State} through a volatile field; readers never lock, they read
 * the state once and see a consistent view (append-only column arrays are only written beyond the count
 * a published state covers). A long build (the first scan) prepares its rows in batches, so readers are
 * never held up by it.
 */
public class EventIndex {

    static final long DAY_MICROS = 86_400_000_000L;
    private static final int TOMB = -1;
    private static final Severity[] SEVERITIES = Severity.values();

    /** A rejected entry: its id is already indexed from another file. */
    public record Duplicate(IndexEntry rejected, IndexEntry original) {
    }

    // ---------------------------------------------------------------- storage

    /** Append-only dictionary: ids are dense, names never change, so a reader may resolve any id it got from a row. */
    private static final class Dict {
        final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
        String[] names = new String[16];
        int size;

        int idOf(String s) {
            Integer id = ids.get(s);
            if (id != null) {
                return id;
            }
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
            }
            names[size] = s;
            ids.put(s, size);
            return size++;
        }

        int find(String s) {
            Integer id = s == null ? null : ids.get(s);
            return id == null ? -1 : id;
        }
    }

    /** Row columns. Rows below a published count are never written again. */
    private static final class Columns {
        final long[] hi;
        final long[] lo;
        final long[] ts;
        final int[] node;
        final int[] type;
        final int[] source;
        final int[] service;
        final byte[] sev;
        /** The correlation id, or null when it equals the event's own id (the common case for lone events). */
        final String[] corr;

        Columns(int capacity) {
            hi = new long[capacity];
            lo = new long[capacity];
            ts = new long[capacity];
            node = new int[capacity];
            type = new int[capacity];
            source = new int[capacity];
            service = new int[capacity];
            sev = new byte[capacity];
            corr = new String[capacity];
        }

        Columns(Columns c, int capacity) {
            hi = Arrays.copyOf(c.hi, capacity);
            lo = Arrays.copyOf(c.lo, capacity);
            ts = Arrays.copyOf(c.ts, capacity);
            node = Arrays.copyOf(c.node, capacity);
            type = Arrays.copyOf(c.type, capacity);
            source = Arrays.copyOf(c.source, capacity);
            service = Arrays.copyOf(c.service, capacity);
            sev = Arrays.copyOf(c.sev, capacity);
            corr = Arrays.copyOf(c.corr, capacity);
        }

        int capacity() {
            return hi.length;
        }
    }

    /** Sorted keys (dictionary ids) with the positions, ascending, of the rows having each key. */
    private static final class Posting {
        final int[] keys;
        final int[][] lists;

        Posting(int[] keys, int[][] lists) {
            this.keys = keys;
            this.lists = lists;
        }

        int[] get(int key) {
            int i = Arrays.binarySearch(keys, key);
            return i < 0 ? null : lists[i];
        }

        static Posting build(int[] rows, int[] column, int dictSize) {
            int[] counts = new int[dictSize];
            for (int r : rows) {
                counts[column[r]]++;
            }
            int distinct = 0;
            for (int c : counts) {
                if (c > 0) {
                    distinct++;
                }
            }
            int[] keys = new int[distinct];
            int[][] lists = new int[distinct][];
            int[] slot = new int[dictSize];
            for (int k = 0, j = 0; k < dictSize; k++) {
                if (counts[k] > 0) {
                    keys[j] = k;
                    lists[j] = new int[counts[k]];
                    slot[k] = j++;
                }
            }
            int[] fill = new int[distinct];
            for (int p = 0; p < rows.length; p++) {
                int j = slot[column[rows[p]]];
                lists[j][fill[j]++] = p;
            }
            return new Posting(keys, lists);
        }

        static Posting buildSeverity(int[] rows, byte[] column) {
            int[] ints = new int[rows.length];
            int[] identity = new int[rows.length];
            for (int p = 0; p < rows.length; p++) {
                ints[p] = column[rows[p]];
                identity[p] = p;
            }
            return build(identity, ints, SEVERITIES.length);
        }
    }

    /** The events of one UTC day in listing order, with posting lists over positions in that order. */
    private static final class Day {
        final long key;
        final int[] rows;
        final Posting node;
        final Posting type;
        final Posting sev;
        final Posting source;
        final Posting service;

        Day(long key, int[] rows, Columns c, int nodes, int types, int sources, int services) {
            this.key = key;
            this.rows = rows;
            this.node = Posting.build(rows, c.node, nodes);
            this.type = Posting.build(rows, c.type, types);
            this.sev = Posting.buildSeverity(rows, c.sev);
            this.source = Posting.build(rows, c.source, sources);
            this.service = Posting.build(rows, c.service, services);
        }
    }

    /** Everything a reader needs, published as one immutable unit. */
    private static final class State {
        final Columns c;
        final int count;
        final int live;
        final String[] nodes;
        final String[] types;
        final String[] sources;
        final String[] services;
        final Day[] days;
        /** Open addressing by id: row + 1, 0 for empty, {@link #TOMB} for a removed row. */
        final int[] table;

        State(Columns c, int count, int live, String[] nodes, String[] types, String[] sources, String[] services,
                Day[] days, int[] table) {
            this.c = c;
            this.count = count;
            this.live = live;
            this.nodes = nodes;
            this.types = types;
            this.sources = sources;
            this.services = services;
            this.days = days;
            this.table = table;
        }
    }

    private final Dict nodeDict = new Dict();
    private final Dict typeDict = new Dict();
    private final Dict sourceDict = new Dict();
    private final Dict serviceDict = new Dict();
    /** Rows of each correlation id other than a lone event's own id, in listing order. Arrays are replaced, never changed. */
    private final ConcurrentHashMap<String, int[]> chains = new ConcurrentHashMap<>();
    /** Paths of the few files whose path is not the one the grammar derives from their fields. */
    private final ConcurrentHashMap<Integer, String> pathOverrides = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> overrideRows = new ConcurrentHashMap<>();

    private volatile State state;
    // writer-side mirrors of the state, guarded by this
    private Columns cols = new Columns(1024);
    private int count;
    private int live;
    private int used; // table slots holding a row or a tombstone
    private int[] table = new int[2048];
    private Day[] days = new Day[0];

    public EventIndex() {
        publish();
    }

    private void publish() {
        state = new State(cols, count, live, nodeDict.names, typeDict.names, sourceDict.names, serviceDict.names, days, table);
    }

    // ---------------------------------------------------------------- writes

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
        Map<Long, List<Integer>> byDay = new HashMap<>();
        Map<String, List<Integer>> chainAdds = new HashMap<>();
        for (IndexEntry e : entries) {
            long hi = e.id().getMostSignificantBits();
            long lo = e.id().getLeastSignificantBits();
            int existing = lookup(table, cols, count, hi, lo);
            if (existing >= 0) {
                String path = e.relativePath() != null
                        ? e.relativePath()
                        : derivePath(e.timestampMicros(), e.node(), e.type(), e.id());
                if (!pathOf(existing).equals(path)) {
                    duplicates.add(new Duplicate(e, entryOf(currentStateForWriter(), existing)));
                }
                continue;
            }
            int row = appendRow(e, hi, lo, chainAdds);
            insertIntoTable(row, hi, lo);
            byDay.computeIfAbsent(dayOf(e.timestampMicros()), k -> new ArrayList<>()).add(row);
            if (cols.corr[row] != null) {
                chainAdds.computeIfAbsent(cols.corr[row], k -> new ArrayList<>()).add(row);
            }
        }
        for (Map.Entry<String, List<Integer>> c : chainAdds.entrySet()) {
            chains.put(c.getKey(), mergeChain(chains.getOrDefault(c.getKey(), new int[0]), c.getValue()));
        }
        if (!byDay.isEmpty()) {
            // the new rows are complete before any structure pointing at them is published
            for (Map.Entry<Long, List<Integer>> d : byDay.entrySet()) {
                rebuildDay(d.getKey(), d.getValue(), Set.of());
            }
            publish();
        }
        return duplicates;
    }

    private int appendRow(IndexEntry e, long hi, long lo, Map<String, List<Integer>> chainAdds) {
        if (count == cols.capacity()) {
            cols = new Columns(cols, Math.max(1024, cols.capacity() + (cols.capacity() >> 1)));
        }
        int row = count;
        cols.hi[row] = hi;
        cols.lo[row] = lo;
        cols.ts[row] = e.timestampMicros();
        cols.node[row] = nodeDict.idOf(e.node());
        cols.type[row] = typeDict.idOf(e.type());
        cols.source[row] = sourceDict.idOf(e.source());
        cols.service[row] = serviceDict.idOf(e.service());
        cols.sev[row] = (byte) e.severity().ordinal();
        String cid = e.correlationId();
        if (cid == null || cid.equals(e.id().toString())) {
            cols.corr[row] = null;
        } else {
            // reuse the string of the chain's first row (indexed or in this batch) so a correlation id is held once
            int[] chain = chains.get(cid);
            List<Integer> pending = chainAdds.get(cid);
            cols.corr[row] = chain != null && chain.length > 0
                    ? cols.corr[chain[0]]
                    : pending != null ? cols.corr[pending.get(0)] : cid;
        }
        count++;
        live++;
        // a null path means "the derived one" (snapshot loads, which know it already)
        if (e.relativePath() != null && !derivePath(e.timestampMicros(), e.node(), e.type(), e.id()).equals(e.relativePath())) {
            pathOverrides.put(row, e.relativePath());
            overrideRows.put(e.relativePath(), row);
        }
        return row;
    }

    /**
     * Gives back the growth slack of the columns (up to a third of their size after a bulk build); called
     * after a full pass. Rows keep their numbers, so every structure stays valid.
     */
    public synchronized void trim() {
        int want = count + Math.max(1024, count / 64);
        if (cols.capacity() > want + want / 10) {
            cols = new Columns(cols, want);
            publish();
        }
    }

    /** Forgets the event stored at a path (its file is gone, for instance archived). */
    public void removePath(String relativePath) {
        removePaths(List.of(relativePath));
    }

    /** Forgets the events stored at these paths, with one rebuild per affected day. */
    public synchronized int removePaths(Collection<String> relativePaths) {
        Map<Long, Set<Integer>> byDay = new HashMap<>();
        int removed = 0;
        for (String path : relativePaths) {
            int row = rowOfPath(state, path);
            if (row < 0) {
                continue;
            }
            long hi = cols.hi[row];
            long lo = cols.lo[row];
            removeFromTable(row, hi, lo);
            String cid = cols.corr[row];
            if (cid != null) {
                chains.computeIfPresent(cid, (k, rows) -> {
                    int[] left = Arrays.stream(rows).filter(r -> r != row).toArray();
                    return left.length == 0 ? null : left;
                });
            }
            String override = pathOverrides.remove(row);
            if (override != null) {
                overrideRows.remove(override);
            }
            byDay.computeIfAbsent(dayOf(cols.ts[row]), k -> new HashSet<>()).add(row);
            live--;
            removed++;
        }
        if (removed > 0) {
            for (Map.Entry<Long, Set<Integer>> d : byDay.entrySet()) {
                rebuildDay(d.getKey(), List.of(), d.getValue());
            }
            publish();
        }
        return removed;
    }

    /** Replaces one day's segment with its rows plus {@code added} minus {@code removed}, in listing order. */
    private void rebuildDay(long key, List<Integer> added, Set<Integer> removed) {
        int at = dayIndex(days, key);
        int[] old = at >= 0 ? days[at].rows : new int[0];
        int[] fresh = sortedRows(added);
        int[] merged = new int[old.length + fresh.length - removed.size()];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < old.length || j < fresh.length) {
            int next;
            if (j >= fresh.length || (i < old.length && compareRows(cols, nodeDict.names, old[i], fresh[j]) <= 0)) {
                next = old[i++];
            } else {
                next = fresh[j++];
            }
            if (!removed.contains(next)) {
                merged[k++] = next;
            }
        }
        Day day = new Day(key, k == merged.length ? merged : Arrays.copyOf(merged, k), cols, nodeDict.size, typeDict.size,
                sourceDict.size, serviceDict.size);
        Day[] next;
        if (at >= 0) {
            next = days.clone();
            if (day.rows.length == 0) {
                next = new Day[days.length - 1];
                System.arraycopy(days, 0, next, 0, at);
                System.arraycopy(days, at + 1, next, at, days.length - at - 1);
            } else {
                next[at] = day;
            }
        } else {
            int ins = -at - 1;
            next = new Day[days.length + 1];
            System.arraycopy(days, 0, next, 0, ins);
            next[ins] = day;
            System.arraycopy(days, ins, next, ins + 1, days.length - ins);
        }
        days = next;
    }

    /** The rows in listing order; rows that come sorted already (snapshot loads, most scans) skip the sort. */
    private int[] sortedRows(List<Integer> rows) {
        int[] out = new int[rows.size()];
        boolean sorted = true;
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i);
            sorted &= i == 0 || compareRows(cols, nodeDict.names, out[i - 1], out[i]) < 0;
        }
        if (!sorted) {
            Integer[] boxed = rows.toArray(new Integer[0]);
            Arrays.sort(boxed, (a, b) -> compareRows(cols, nodeDict.names, a, b));
            for (int i = 0; i < out.length; i++) {
                out[i] = boxed[i];
            }
        }
        return out;
    }

    /** A new sorted chain: the old one (sorted) merged with the added rows. */
    private int[] mergeChain(int[] old, List<Integer> added) {
        int[] fresh = sortedRows(added);
        int[] out = new int[old.length + fresh.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < old.length || j < fresh.length) {
            out[k++] = j >= fresh.length || (i < old.length && compareRows(cols, nodeDict.names, old[i], fresh[j]) <= 0)
                    ? old[i++]
                    : fresh[j++];
        }
        return out;
    }

    private void insertIntoTable(int row, long hi, long lo) {
        if ((used + 1) * 2 > table.length) {
            rehash();
        }
        int mask = table.length - 1;
        int i = hash(hi, lo) & mask;
        while (table[i] > 0) {
            i = (i + 1) & mask;
        }
        if (table[i] == 0) {
            used++;
        }
        table[i] = row + 1;
    }

    private void removeFromTable(int row, long hi, long lo) {
        int mask = table.length - 1;
        for (int i = hash(hi, lo) & mask; table[i] != 0; i = (i + 1) & mask) {
            if (table[i] == row + 1) {
                table[i] = TOMB;
                return;
            }
        }
    }

    /** A new table, so readers of the old one keep a consistent view; tombstones are dropped. */
    private void rehash() {
        int size = Integer.highestOneBit(Math.max(1024, live * 4 - 1)) << 1;
        int[] next = new int[size];
        int mask = size - 1;
        for (int v : table) {
            if (v > 0) {
                int r = v - 1;
                int i = hash(cols.hi[r], cols.lo[r]) & mask;
                while (next[i] != 0) {
                    i = (i + 1) & mask;
                }
                next[i] = v;
            }
        }
        used = 0;
        for (int v : next) {
            if (v != 0) {
                used++;
            }
        }
        table = next;
    }

    private static int hash(long hi, long lo) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    private static int lookup(int[] table, Columns c, int count, long hi, long lo) {
        int mask = table.length - 1;
        for (int i = hash(hi, lo) & mask;; i = (i + 1) & mask) {
            int v = table[i];
            if (v == 0) {
                return -1;
            }
            int r = v - 1;
            // a slot written after this reader's state was published is ignored (r >= count)
            if (v > 0 && r < count && c.hi[r] == hi && c.lo[r] == lo) {
                return r;
            }
        }
    }

    // ---------------------------------------------------------------- reads

    public Optional<IndexEntry> get(UUID id) {
        State s = state;
        int row = lookup(s.table, s.c, s.count, id.getMostSignificantBits(), id.getLeastSignificantBits());
        return row < 0 ? Optional.empty() : Optional.of(entryOf(s, row));
    }

    public boolean containsPath(String relativePath) {
        return rowOfPath(state, relativePath) >= 0;
    }

    private int rowOfPath(State s, String relativePath) {
        Integer o = overrideRows.get(relativePath);
        if (o != null && o < s.count) {
            return o;
        }
        int slash = relativePath.lastIndexOf('/');
        Optional<EventFileName> name = EventFileName.parse(slash < 0 ? relativePath : relativePath.substring(slash + 1));
        if (name.isEmpty()) {
            return -1;
        }
        UUID id = name.get().id();
        int row = lookup(s.table, s.c, s.count, id.getMostSignificantBits(), id.getLeastSignificantBits());
        if (row < 0 || pathOverrides.containsKey(row)) {
            return -1;
        }
        return derivePath(s, row).equals(relativePath) ? row : -1;
    }

    /**
     * Every indexed path, as a view of the current state: iterating builds each path string on the fly
     * (about a second per million events), {@code contains} is a lookup.
     */
    public Set<String> paths() {
        State s = state;
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

    /** The events of one correlation id, oldest first. */
    public List<IndexEntry> chain(String correlationId) {
        State s = state;
        int[] rows = chainRows(s, correlationId);
        List<IndexEntry> out = new ArrayList<>(rows.length);
        for (int r : rows) {
            out.add(entryOf(s, r));
        }
        return out;
    }

    private int[] chainRows(State s, String cid) {
        if (cid == null) {
            return new int[0];
        }
        int[] rows = chains.get(cid);
        int self = -1;
        if (cid.length() == 36) {
            try {
                UUID u = UUID.fromString(cid);
                if (u.toString().equals(cid)) {
                    int r = lookup(s.table, s.c, s.count, u.getMostSignificantBits(), u.getLeastSignificantBits());
                    if (r >= 0 && s.c.corr[r] == null) {
                        self = r;
                    }
                }
            } catch (IllegalArgumentException notAnId) {
                // an ordinary correlation id
            }
        }
        int n = rows == null ? 0 : rows.length;
        int[] out = new int[n + (self >= 0 ? 1 : 0)];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (rows[i] < s.count) {
                out[k++] = rows[i];
            }
        }
        if (self >= 0) {
            // the lone event whose id others used as their correlation id: place it in order
            int at = k;
            while (at > 0 && compareRows(s.c, s.nodes, out[at - 1], self) > 0) {
                out[at] = out[at - 1];
                at--;
            }
            out[at] = self;
            k++;
        }
        return k == out.length ? out : Arrays.copyOf(out, k);
    }

    /** Correlation ids, for completion and incident listings (a view: lone events' own ids included). */
    public Set<String> correlationIds() {
        return new AbstractSet<>() {
            @Override
            public boolean contains(Object o) {
                return o instanceof String s && chainRows(state, s).length > 0;
            }

            @Override
            public Iterator<String> iterator() {
                State s = state;
                List<String> ids = new ArrayList<>(chains.keySet());
                for (Day d : s.days) {
                    for (int r : d.rows) {
                        if (s.c.corr[r] == null && !chains.containsKey(new UUID(s.c.hi[r], s.c.lo[r]).toString())) {
                            ids.add(new UUID(s.c.hi[r], s.c.lo[r]).toString());
                        }
                    }
                }
                return Collections.unmodifiableList(ids).iterator();
            }

            @Override
            public int size() {
                int n = 0;
                for (Iterator<String> it = iterator(); it.hasNext(); it.next()) {
                    n++;
                }
                return n;
            }
        };
    }

    /** Every entry, oldest first (a view of the state at the time of the call). */
    public Collection<IndexEntry> all() {
        State s = state;
        return new AbstractCollection<>() {
            @Override
            public Iterator<IndexEntry> iterator() {
                return new Iterator<>() {
                    int day = 0;
                    int pos = 0;

                    @Override
                    public boolean hasNext() {
                        while (day < s.days.length && pos >= s.days[day].rows.length) {
                            day++;
                            pos = 0;
                        }
                        return day < s.days.length;
                    }

                    @Override
                    public IndexEntry next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        return entryOf(s, s.days[day].rows[pos++]);
                    }
                };
            }

            @Override
            public int size() {
                return s.live;
            }
        };
    }

    /** Entries of the events whose directory is {@code <date>/<node>} by their path, for reconciliation. */
    public Map<String, IndexEntry> entriesIn(String date, String node) {
        State s = state;
        Map<String, IndexEntry> out = new HashMap<>();
        String prefix = date + "/" + node + "/";
        long key;
        try {
            key = java.time.LocalDate.parse(date).toEpochDay();
        } catch (java.time.format.DateTimeParseException e) {
            key = Long.MIN_VALUE;
        }
        int at = dayIndex(s.days, key);
        int nodeId = nodeDict.find(node);
        if (at >= 0 && nodeId >= 0) {
            int[] positions = s.days[at].node.get(nodeId);
            if (positions != null) {
                for (int p : positions) {
                    int r = s.days[at].rows[p];
                    String path = path(s, r);
                    if (path.startsWith(prefix)) {
                        out.put(path.substring(prefix.length()), entryOf(s, r));
                    }
                }
            }
        }
        for (Map.Entry<String, Integer> o : overrideRows.entrySet()) {
            if (o.getKey().startsWith(prefix) && o.getValue() < s.count && o.getKey().indexOf('/', prefix.length()) < 0) {
                out.put(o.getKey().substring(prefix.length()), entryOf(s, o.getValue()));
            }
        }
        return out;
    }

    /** Raw rows for the snapshot writer: {@code correlationId} is null for a lone event, {@code path} null when derived. */
    interface RowSink {
        void row(long hi, long lo, long micros, String node, String type, int severity, String source, String service,
                String correlationId, String path) throws java.io.IOException;
    }

    /** Visits every live row of the current state, in listing order; returns how many. */
    int exportRows(RowSink sink) throws java.io.IOException {
        State s = state;
        int n = 0;
        for (Day d : s.days) {
            for (int r : d.rows) {
                Columns c = s.c;
                sink.row(c.hi[r], c.lo[r], c.ts[r], s.nodes[c.node[r]], s.types[c.type[r]], c.sev[r], s.sources[c.source[r]],
                        s.services[c.service[r]], c.corr[r], pathOverrides.get(r));
                n++;
            }
        }
        return n;
    }

    /**
     * Bulk load of a snapshot into an empty index: the rows (string-table references, -1 for "own id" or
     * "derived path") come in listing order, as {@link #exportRows} writes them, so each day is a range of
     * rows and each chain is already sorted. Returns false, leaving the index empty, when they are not
     * in order (a damaged snapshot): the caller then reads the files instead.
     */
    synchronized boolean loadSorted(String[] table, int n, long[] hi, long[] lo, long[] ts, int[] node, int[] type,
            byte[] sev, int[] source, int[] service, int[] cid, int[] path) {
        if (count != 0) {
            throw new IllegalStateException("a snapshot is loaded into an empty index only");
        }
        for (int i = 1; i < n; i++) {
            int c = Long.compare(ts[i - 1], ts[i]);
            if (c == 0) {
                c = table[node[i - 1]].compareTo(table[node[i]]);
            }
            if (c == 0) {
                c = Long.compare(hi[i - 1], hi[i]);
            }
            if (c == 0) {
                c = Long.compare(lo[i - 1], lo[i]);
            }
            if (c >= 0) {
                return false;
            }
        }
        cols = new Columns(n + Math.max(1024, n / 64));
        table = table.clone();
        int[] nodeIds = new int[table.length];
        int[] typeIds = new int[table.length];
        int[] sourceIds = new int[table.length];
        int[] serviceIds = new int[table.length];
        Arrays.fill(nodeIds, -1);
        Arrays.fill(typeIds, -1);
        Arrays.fill(sourceIds, -1);
        Arrays.fill(serviceIds, -1);
        Map<String, int[]> chainRows = new HashMap<>();
        Map<String, Integer> chainSizes = new HashMap<>();
        for (int i = 0; i < n; i++) {
            if (cid[i] >= 0) {
                chainSizes.merge(table[cid[i]], 1, Integer::sum);
            }
        }
        List<Day> built = new ArrayList<>();
        int dayStart = 0;
        for (int i = 0; i < n; i++) {
            int row = count;
            cols.hi[row] = hi[i];
            cols.lo[row] = lo[i];
            cols.ts[row] = ts[i];
            cols.node[row] = dictId(nodeIds, nodeDict, table, node[i]);
            cols.type[row] = dictId(typeIds, typeDict, table, type[i]);
            cols.source[row] = dictId(sourceIds, sourceDict, table, source[i]);
            cols.service[row] = dictId(serviceIds, serviceDict, table, service[i]);
            cols.sev[row] = sev[i];
            if (cid[i] >= 0) {
                String c = table[cid[i]];
                cols.corr[row] = c;
                int[] rows = chainRows.computeIfAbsent(c, k -> {
                    int[] a = new int[chainSizes.get(k) + 1];
                    a[0] = 0; // fill level
                    return a;
                });
                rows[++rows[0]] = row;
            }
            if (path[i] >= 0) {
                pathOverrides.put(row, table[path[i]]);
                overrideRows.put(table[path[i]], row);
            }
            insertIntoTable(row, hi[i], lo[i]);
            count++;
            live++;
            if (i + 1 == n || dayOf(ts[i + 1]) != dayOf(ts[i])) {
                int[] rows = new int[i + 1 - dayStart];
                for (int k = 0; k < rows.length; k++) {
                    rows[k] = dayStart + k;
                }
                built.add(new Day(dayOf(ts[i]), rows, cols, nodeDict.size, typeDict.size, sourceDict.size, serviceDict.size));
                dayStart = i + 1;
            }
        }
        for (Map.Entry<String, int[]> c : chainRows.entrySet()) {
            chains.put(c.getKey(), Arrays.copyOfRange(c.getValue(), 1, c.getValue()[0] + 1));
        }
        days = built.toArray(new Day[0]);
        publish();
        return true;
    }

    private static int dictId(int[] cache, Dict dict, String[] table, int ref) {
        int id = cache[ref];
        if (id < 0) {
            id = dict.idOf(table[ref]);
            cache[ref] = id;
        }
        return id;
    }

    /** The {@code <date>/<node>} directories that hold indexed events, for noticing directories that vanished. */
    public Set<String> directories() {
        State s = state;
        Set<String> out = new HashSet<>();
        for (Day d : s.days) {
            String date = java.time.LocalDate.ofEpochDay(d.key).toString();
            for (int k : d.node.keys) {
                out.add(date + "/" + s.nodes[k]);
            }
        }
        for (String o : overrideRows.keySet()) {
            int slash = o.lastIndexOf('/');
            if (slash > 0) {
                out.add(o.substring(0, slash));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- derived views

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

    /** The distinct values of a dimension among live events, sorted; read from the day segments' posting keys. */
    public List<String> values(Dimension dim) {
        State s = state;
        String[] names = dim == Dimension.NODE ? s.nodes : s.services;
        boolean[] seen = new boolean[names.length];
        for (Day d : s.days) {
            for (int k : posting(d, dim).keys) {
                seen[k] = true;
            }
        }
        List<String> out = new ArrayList<>();
        for (int k = 0; k < seen.length; k++) {
            if (seen[k] && names[k] != null) {
                out.add(names[k]);
            }
        }
        Collections.sort(out);
        return out;
    }

    /**
     * Per value of a dimension (or only {@code onlyValue}), sorted by value: counts from posting-list sizes,
     * the latest event from the newest day holding the value, and the latest event of each type group by
     * walking that group's posting lists newest day first, stopping once every value has one. Never
     * materializes more than one entry per value and group.
     */
    public List<ValueStatus> statusBy(Dimension dim, String onlyValue, List<Set<String>> typeGroups) {
        State s = state;
        String[] names = dim == Dimension.NODE ? s.nodes : s.services;
        int[] column = dim == Dimension.NODE ? s.c.node : s.c.service;
        int only = -1;
        if (onlyValue != null) {
            only = (dim == Dimension.NODE ? nodeDict : serviceDict).find(onlyValue);
            if (only < 0 || only >= names.length) {
                return List.of();
            }
        }
        long[] counts = new long[names.length];
        int[] lastRow = new int[names.length];
        Arrays.fill(lastRow, -1);
        int present = 0;
        for (Day d : s.days) {
            Posting p = posting(d, dim);
            for (int i = 0; i < p.keys.length; i++) {
                int k = p.keys[i];
                if (only >= 0 && k != only) {
                    continue;
                }
                if (counts[k] == 0) {
                    present++;
                }
                counts[k] += p.lists[i].length;
                // days are oldest first and positions in listing order: the last day seen wins
                lastRow[k] = d.rows[p.lists[i][p.lists[i].length - 1]];
            }
        }
        int[][] latest = new int[typeGroups.size()][];
        for (int g = 0; g < typeGroups.size(); g++) {
            latest[g] = new int[names.length];
            Arrays.fill(latest[g], -1);
            int[] typeIds = ids(typeDict, typeGroups.get(g));
            int found = 0;
            for (int di = s.days.length - 1; di >= 0 && found < present && typeIds.length > 0; di--) {
                Day d = s.days[di];
                int[] positions = union(d.type, typeIds);
                for (int i = positions.length - 1; i >= 0 && found < present; i--) {
                    int r = d.rows[positions[i]];
                    int k = column[r];
                    if ((only < 0 || k == only) && latest[g][k] < 0) {
                        latest[g][k] = r;
                        found++;
                    }
                }
            }
        }
        List<ValueStatus> out = new ArrayList<>(present);
        for (int k = 0; k < names.length; k++) {
            if (counts[k] == 0) {
                continue;
            }
            List<IndexEntry> groups = new ArrayList<>(typeGroups.size());
            for (int[] l : latest) {
                groups.add(l[k] < 0 ? null : entryOf(s, l[k]));
            }
            out.add(new ValueStatus(names[k], counts[k], entryOf(s, lastRow[k]), Collections.unmodifiableList(groups)));
        }
        out.sort(java.util.Comparator.comparing(ValueStatus::value));
        return out;
    }

    private static Posting posting(Day d, Dimension dim) {
        return dim == Dimension.NODE ? d.node : d.service;
    }

    /**
     * The rows of one correlation chain, oldest first, read straight from the columns of one published
     * state: filters and outcomes need no path string, so only {@link #entry} builds a full entry.
     */
    public final class ChainView {
        private final State s;
        private final int[] rows;
        private final String correlationId;

        ChainView(State s, int[] rows, String correlationId) {
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
            return SEVERITIES[s.c.sev[rows[i]]];
        }

        public String service(int i) {
            return s.services[s.c.service[rows[i]]];
        }

        public IndexEntry entry(int i) {
            return entryOf(s, rows[i]);
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
    public void forEachChainActiveSince(long sinceMicros, java.util.function.Consumer<ChainView> visitor) {
        State s = state;
        Set<String> seen = new HashSet<>();
        long firstDay = sinceMicros == Long.MIN_VALUE ? Long.MIN_VALUE : dayOf(sinceMicros);
        for (Day d : s.days) {
            if (d.key < firstDay) {
                continue;
            }
            int from = sinceMicros == Long.MIN_VALUE ? 0 : lowerBound(s.c, d.rows, null, d.rows.length, sinceMicros);
            for (int i = from; i < d.rows.length; i++) {
                int r = d.rows[i];
                String corr = s.c.corr[r];
                if (corr == null) {
                    String own = new UUID(s.c.hi[r], s.c.lo[r]).toString();
                    if (!chains.containsKey(own)) {
                        visitor.accept(new ChainView(s, new int[]{ r }, own));
                        continue;
                    }
                    corr = own; // a lone event whose id other events use as their correlation id
                }
                if (seen.add(corr)) {
                    int[] rows = chainRows(s, corr);
                    if (rows.length > 0) {
                        visitor.accept(new ChainView(s, rows, corr));
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- queries

    /** Resolved filters of one query against one state. */
    private static final class Filter {
        boolean[] nodes;
        boolean[] types;
        boolean[] sevs;
        int source = -1;
        int service = -1;
        int[] nodeIds;
        int[] typeIds;
        int[] sevIds;
        long since = Long.MIN_VALUE;
        long until = Long.MAX_VALUE;
        boolean empty;

        boolean matches(Columns c, int r) {
            long t = c.ts[r];
            return t >= since && t < until
                    && (nodes == null || nodes[c.node[r]])
                    && (types == null || types[c.type[r]])
                    && (sevs == null || sevs[c.sev[r]])
                    && (source < 0 || c.source[r] == source)
                    && (service < 0 || c.service[r] == service);
        }
    }

    private Filter resolve(EventQuery q, State s) {
        Filter f = new Filter();
        if (q.since() != null) {
            f.since = Timestamps.toMicros(q.since());
        }
        if (q.until() != null) {
            f.until = Timestamps.toMicros(q.until());
        }
        if (q.nodes() != null && !q.nodes().isEmpty()) {
            f.nodeIds = ids(nodeDict, q.nodes());
            f.nodes = mask(f.nodeIds, s.nodes.length);
            f.empty |= f.nodeIds.length == 0;
        }
        if (q.types() != null && !q.types().isEmpty()) {
            f.typeIds = ids(typeDict, q.types());
            f.types = mask(f.typeIds, s.types.length);
            f.empty |= f.typeIds.length == 0;
        }
        if (q.minSeverity() != null && q.minSeverity() != Severity.INFO) {
            f.sevIds = new int[SEVERITIES.length - q.minSeverity().ordinal()];
            for (int i = 0; i < f.sevIds.length; i++) {
                f.sevIds[i] = q.minSeverity().ordinal() + i;
            }
            f.sevs = mask(f.sevIds, SEVERITIES.length);
        }
        if (q.source() != null) {
            f.source = sourceDict.find(q.source());
            f.empty |= f.source < 0;
        }
        if (q.service() != null) {
            f.service = serviceDict.find(q.service());
            f.empty |= f.service < 0;
        }
        f.empty |= f.since >= f.until;
        return f;
    }

    private static int[] ids(Dict d, Set<String> names) {
        return names.stream().mapToInt(d::find).filter(i -> i >= 0).distinct().sorted().toArray();
    }

    private static boolean[] mask(int[] ids, int size) {
        int max = size;
        for (int i : ids) {
            max = Math.max(max, i + 1);
        }
        boolean[] m = new boolean[max];
        for (int i : ids) {
            m[i] = true;
        }
        return m;
    }

    public IndexPage query(EventQuery q) {
        State s = state;
        Filter f = resolve(q, s);
        Page page = new Page(q, s);
        if (f.empty) {
            return page.result();
        }
        if (q.correlationId() != null) {
            int[] rows = chainRows(s, q.correlationId());
            if (q.newestFirst()) {
                for (int i = rows.length - 1; i >= 0; i--) {
                    page.offerChecked(f, rows[i]);
                }
            } else {
                for (int r : rows) {
                    page.offerChecked(f, r);
                }
            }
            return page.result();
        }
        long firstDay = f.since == Long.MIN_VALUE ? Long.MIN_VALUE : dayOf(f.since);
        long lastDay = f.until == Long.MAX_VALUE ? Long.MAX_VALUE : dayOf(f.until - 1);
        int n = s.days.length;
        for (int k = 0; k < n; k++) {
            Day d = s.days[q.newestFirst() ? n - 1 - k : k];
            if (d.key < firstDay || d.key > lastDay) {
                continue;
            }
            scanDay(s, d, f, page);
        }
        return page.result();
    }

    /** Counts and collects one day's matches, driven by its smallest posting list. */
    private void scanDay(State s, Day d, Filter f, Page page) {
        Posting best = null;
        int[] bestIds = null;
        long bestSize = d.rows.length;
        long size;
        if (f.nodeIds != null && (size = postingSize(d.node, f.nodeIds)) <= bestSize) {
            best = d.node;
            bestIds = f.nodeIds;
            bestSize = size;
        }
        if (f.typeIds != null && (size = postingSize(d.type, f.typeIds)) <= bestSize) {
            best = d.type;
            bestIds = f.typeIds;
            bestSize = size;
        }
        if (f.sevIds != null && (size = postingSize(d.sev, f.sevIds)) <= bestSize) {
            best = d.sev;
            bestIds = f.sevIds;
            bestSize = size;
        }
        if (f.source >= 0 && (size = postingSize(d.source, new int[]{ f.source })) <= bestSize) {
            best = d.source;
            bestIds = new int[]{ f.source };
            bestSize = size;
        }
        if (f.service >= 0 && (size = postingSize(d.service, new int[]{ f.service })) <= bestSize) {
            best = d.service;
            bestIds = new int[]{ f.service };
            bestSize = size;
        }
        if (bestSize == 0) {
            return;
        }
        int[] positions = best == null ? null : union(best, bestIds);
        int len = positions == null ? d.rows.length : positions.length;
        // time bounds: binary searches over positions, which are in time order
        int lo = f.since == Long.MIN_VALUE ? 0 : lowerBound(s.c, d.rows, positions, len, f.since);
        int hi = f.until == Long.MAX_VALUE ? len : lowerBound(s.c, d.rows, positions, len, f.until);
        if (lo >= hi) {
            return;
        }
        boolean residual = residualFilters(f, best, d) > 0;
        if (!residual) {
            page.offerRange(d.rows, positions, lo, hi);
            return;
        }
        if (page.q.newestFirst()) {
            for (int i = hi - 1; i >= lo; i--) {
                page.offerChecked(f, d.rows[positions == null ? i : positions[i]]);
            }
        } else {
            for (int i = lo; i < hi; i++) {
                page.offerChecked(f, d.rows[positions == null ? i : positions[i]]);
            }
        }
    }

    /** Number of filters that the driving posting list does not already guarantee. */
    private static int residualFilters(Filter f, Posting best, Day d) {
        int n = 0;
        n += f.nodeIds != null && best != d.node ? 1 : 0;
        n += f.typeIds != null && best != d.type ? 1 : 0;
        n += f.sevIds != null && best != d.sev ? 1 : 0;
        n += f.source >= 0 && best != d.source ? 1 : 0;
        n += f.service >= 0 && best != d.service ? 1 : 0;
        return n;
    }

    private static long postingSize(Posting p, int[] ids) {
        long n = 0;
        for (int id : ids) {
            int[] l = p.get(id);
            n += l == null ? 0 : l.length;
        }
        return n;
    }

    /** The sorted union of the posting lists of several keys (disjoint: a row has one value per dimension). */
    private static int[] union(Posting p, int[] ids) {
        int[] single = null;
        int total = 0;
        int lists = 0;
        for (int id : ids) {
            int[] l = p.get(id);
            if (l != null && l.length > 0) {
                single = l;
                total += l.length;
                lists++;
            }
        }
        if (lists <= 1) {
            return single == null ? new int[0] : single;
        }
        int[] out = new int[total];
        int k = 0;
        for (int id : ids) {
            int[] l = p.get(id);
            if (l != null) {
                System.arraycopy(l, 0, out, k, l.length);
                k += l.length;
            }
        }
        Arrays.sort(out);
        return out;
    }

    /** First index whose timestamp is at least {@code t}. */
    private static int lowerBound(Columns c, int[] rows, int[] positions, int len, long t) {
        int lo = 0;
        int hi = len;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long v = c.ts[rows[positions == null ? mid : positions[mid]]];
            if (v < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Collects a page in the query's order and counts every match and every match past the cursor. */
    private final class Page {
        final EventQuery q;
        final State s;
        final List<IndexEntry> entries;
        final long cursorTs;
        final String cursorNode;
        final long cursorHi;
        final long cursorLo;
        long total;
        long eligible;

        Page(EventQuery q, State s) {
            this.q = q;
            this.s = s;
            this.entries = new ArrayList<>(Math.min(q.limit(), 256));
            Cursor c = q.after();
            cursorTs = c == null ? 0 : c.timestampMicros();
            cursorNode = c == null ? null : c.node();
            cursorHi = c == null ? 0 : c.id().getMostSignificantBits();
            cursorLo = c == null ? 0 : c.id().getLeastSignificantBits();
        }

        /** Sign of (row - cursor) in listing order. */
        int compareToCursor(int r) {
            int c = Long.compare(s.c.ts[r], cursorTs);
            if (c != 0) {
                return c;
            }
            c = s.nodes[s.c.node[r]].compareTo(cursorNode);
            if (c != 0) {
                return c;
            }
            c = Long.compare(s.c.hi[r], cursorHi);
            return c != 0 ? c : Long.compare(s.c.lo[r], cursorLo);
        }

        boolean pastCursor(int r) {
            if (q.after() == null) {
                return true;
            }
            int c = compareToCursor(r);
            return q.newestFirst() ? c < 0 : c > 0;
        }

        /** A candidate that still has to pass every filter. */
        void offerChecked(Filter f, int r) {
            if (!f.matches(s.c, r)) {
                return;
            }
            total++;
            if (pastCursor(r)) {
                eligible++;
                if (entries.size() < q.limit()) {
                    entries.add(entryOf(s, r));
                }
            }
        }

        /** Positions lo..hi all match: count them at once, collect only the page. */
        void offerRange(int[] rows, int[] positions, int lo, int hi) {
            total += hi - lo;
            // the cut: first index (ascending) that lies past the cursor in ascending order
            int from = lo;
            int to = hi;
            if (q.after() != null) {
                int a = lo;
                int b = hi;
                while (a < b) {
                    int mid = (a + b) >>> 1;
                    int cmp = compareToCursor(rows[positions == null ? mid : positions[mid]]);
                    if (q.newestFirst() ? cmp < 0 : cmp <= 0) {
                        a = mid + 1;
                    } else {
                        b = mid;
                    }
                }
                if (q.newestFirst()) {
                    to = a; // entries before the cut are older than the cursor
                } else {
                    from = a;
                }
            }
            if (from >= to) {
                return;
            }
            eligible += to - from;
            if (q.newestFirst()) {
                for (int i = to - 1; i >= from && entries.size() < q.limit(); i--) {
                    entries.add(entryOf(s, rows[positions == null ? i : positions[i]]));
                }
            } else {
                for (int i = from; i < to && entries.size() < q.limit(); i++) {
                    entries.add(entryOf(s, rows[positions == null ? i : positions[i]]));
                }
            }
        }

        IndexPage result() {
            return new IndexPage(entries, total, eligible > entries.size());
        }
    }

    // ---------------------------------------------------------------- rows to entries

    private IndexEntry entryOf(State s, int r) {
        Columns c = s.c;
        UUID id = new UUID(c.hi[r], c.lo[r]);
        String corr = c.corr[r];
        return new IndexEntry(id, c.ts[r], s.nodes[c.node[r]], s.types[c.type[r]], SEVERITIES[c.sev[r]],
                s.sources[c.source[r]], s.services[c.service[r]], corr == null ? id.toString() : corr, path(s, r));
    }

    private String path(State s, int r) {
        String o = pathOverrides.get(r);
        return o != null ? o : derivePath(s, r);
    }

    private String pathOf(int r) {
        return path(currentStateForWriter(), r);
    }

    /** The writer's view, including rows not yet published. */
    private State currentStateForWriter() {
        return new State(cols, count, live, nodeDict.names, typeDict.names, sourceDict.names, serviceDict.names, days, table);
    }

    private static String derivePath(State s, int r) {
        Columns c = s.c;
        return derivePath(c.ts[r], s.nodes[c.node[r]], s.types[c.type[r]], new UUID(c.hi[r], c.lo[r]));
    }

    /** {@code <yyyy-MM-dd>/<node>/<yyyyMMdd'T'HHmmss.SSSSSS'Z'>_<type>_<uuid>.json}, built without a formatter. */
    static String derivePath(long micros, String node, String type, UUID id) {
        long secs = Math.floorDiv(micros, 1_000_000L);
        int frac = (int) Math.floorMod(micros, 1_000_000L);
        LocalDateTime t = LocalDateTime.ofEpochSecond(secs, 0, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(node.length() + type.length() + 80);
        pad(b, t.getYear(), 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append('/').append(node).append('/');
        pad(b, t.getYear(), 4);
        pad(b, t.getMonthValue(), 2);
        pad(b, t.getDayOfMonth(), 2).append('T');
        pad(b, t.getHour(), 2);
        pad(b, t.getMinute(), 2);
        pad(b, t.getSecond(), 2).append('.');
        pad(b, frac, 6).append("Z_").append(type).append('_').append(id).append(".json");
        return b.toString();
    }

    private static StringBuilder pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }

    static long dayOf(long micros) {
        return Math.floorDiv(micros, DAY_MICROS);
    }

    private static int dayIndex(Day[] days, long key) {
        int lo = 0;
        int hi = days.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long k = days[mid].key;
            if (k < key) {
                lo = mid + 1;
            } else if (k > key) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** Listing order (time, node, id), the same as {@link IndexEntry#BY_TIME}. */
    private static int compareRows(Columns c, String[] nodes, int a, int b) {
        int x = Long.compare(c.ts[a], c.ts[b]);
        if (x != 0) {
            return x;
        }
        if (c.node[a] != c.node[b]) {
            return nodes[c.node[a]].compareTo(nodes[c.node[b]]);
        }
        x = Long.compare(c.hi[a], c.hi[b]);
        return x != 0 ? x : Long.compare(c.lo[a], c.lo[b]);
    }
}
