package dev.homelab.events.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.FutureTask;

/**
 * The writer side of the index: appends and removes rows in the columns, the id table, the chains, the path
 * overrides and the day segments, then hands {@link EventIndex} a new {@link IndexState} to publish.
 *
 * <p>
 * Not thread-safe on purpose: every method runs under the {@link EventIndex} monitor, which serializes writers.
 * The fields here are the writer's mirrors of the published state (rows beyond the published count, the
 * current table and day array); readers never see them except through a published state.
 */
final class RowWriter {
    final NameDictionary nodeDict;
    final NameDictionary typeDict;
    final NameDictionary sourceDict;
    final NameDictionary serviceDict;
    final Chains chains;
    final RowPaths paths;

    private RowColumns cols = new RowColumns(1024);
    private int count;
    private int live;
    private final IdTable table = new IdTable();
    private DaySegment[] days = new DaySegment[0];
    /**
     * Rows of held days (the first scan, {@link EventIndex#holdingDay}) waiting for their day's one rebuild: in the
     * columns, the id table and the chains, not yet in a segment. Any other change to such a day takes them along.
     */
    private final Map<Long, List<Integer>> pending = new HashMap<>();

    RowWriter(NameDictionary nodeDict, NameDictionary typeDict, NameDictionary sourceDict, NameDictionary serviceDict,
            Chains chains, RowPaths paths) {
        this.nodeDict = nodeDict;
        this.typeDict = typeDict;
        this.sourceDict = sourceDict;
        this.serviceDict = serviceDict;
        this.chains = chains;
        this.paths = paths;
    }

    /** The writer's view, including rows not yet published; what {@link EventIndex} publishes. */
    IndexState state() {
        return new IndexState(cols, count, live, nodeDict.names, typeDict.names, sourceDict.names, serviceDict.names, days,
                table.slots(), paths);
    }

    int count() {
        return count;
    }

    /**
     * Adds entries (a null path means the derived one); entries already indexed at the same path are ignored,
     * entries whose id is indexed from another file go to {@code duplicates}. Returns whether rows were added
     * (then the state must be published). Rows of {@code heldDay} (days since the epoch; {@code Long.MIN_VALUE}:
     * none) wait in {@link #pending} for {@link #releaseDay}: a scan adding a day directory by directory then rebuilds
     * that day once instead of once per directory.
     */
    boolean addAll(Collection<IndexEntry> entries, List<EventIndex.Duplicate> duplicates, long heldDay) {
        Map<Long, List<Integer>> byDay = new HashMap<>();
        Map<String, List<Integer>> chainAdds = new HashMap<>();
        boolean added = false;
        for (IndexEntry e : entries) {
            long hi = e.id().getMostSignificantBits();
            long lo = e.id().getLeastSignificantBits();
            int existing = IdTable.lookup(table.slots(), cols, count, hi, lo);
            if (existing >= 0) {
                String path = e.relativePath() != null
                        ? e.relativePath()
                        : RowPaths.derive(e.timestampMicros(), e.node(), e.type(), e.id());
                IndexState mine = state();
                if (!paths.path(mine, existing).equals(path)) {
                    duplicates.add(new EventIndex.Duplicate(e, mine.entry(existing)));
                }
                continue;
            }
            int row = appendRow(e, hi, lo, chainAdds);
            table.insert(cols, live, row, hi, lo);
            long day = DaySegment.dayOf(e.timestampMicros());
            (day == heldDay ? pending : byDay).computeIfAbsent(day, k -> new ArrayList<>()).add(row);
            added = true;
            if (cols.corr[row] != null) {
                chainAdds.computeIfAbsent(cols.corr[row], k -> new ArrayList<>()).add(row);
            }
        }
        for (Map.Entry<String, List<Integer>> c : chainAdds.entrySet()) {
            chains.merge(c.getKey(), ListingOrder.sortRows(cols, nodeDict.names, c.getValue()), cols, nodeDict.names);
        }
        // the new rows are complete before any structure pointing at them is published
        for (Map.Entry<Long, List<Integer>> d : byDay.entrySet()) {
            rebuildDay(d.getKey(), withPending(d.getKey(), d.getValue()), Set.of());
        }
        return added;
    }

    /** Builds the segment of a held day with its pending rows; returns whether there were any (then publish). */
    boolean releaseDay(long day) {
        List<Integer> rows = pending.remove(day);
        if (rows == null) {
            return false;
        }
        rebuildDay(day, rows, Set.of());
        return true;
    }

    /** {@code rows} plus the day's pending rows, which no longer wait. */
    private List<Integer> withPending(long day, List<Integer> rows) {
        List<Integer> waiting = pending.remove(day);
        if (waiting == null) {
            return rows;
        }
        waiting.addAll(rows);
        return waiting;
    }

    private int appendRow(IndexEntry e, long hi, long lo, Map<String, List<Integer>> chainAdds) {
        growIfFull();
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
            int first = chains.firstRow(cid);
            List<Integer> pending = chainAdds.get(cid);
            cols.corr[row] = first >= 0
                    ? cols.corr[first]
                    : pending != null ? cols.corr[pending.get(0)] : cid;
        }
        count++;
        live++;
        // a null path means "the derived one" (snapshot loads, which know it already)
        if (e.relativePath() != null
                && !RowPaths.derive(e.timestampMicros(), e.node(), e.type(), e.id()).equals(e.relativePath())) {
            paths.record(row, e.relativePath());
        }
        return row;
    }

    private void growIfFull() {
        if (count == cols.capacity()) {
            cols = new RowColumns(cols, Math.max(1024, cols.capacity() + (cols.capacity() >> 1)));
        }
    }

    /** Gives back the growth slack of the columns; returns whether the state must be published. */
    boolean trim() {
        int want = count + Math.max(1024, count / 64);
        if (cols.capacity() > want + want / 10) {
            cols = new RowColumns(cols, want);
            return true;
        }
        return false;
    }

    /** Removes the rows stored at these paths (looked up in {@code s}); returns how many. */
    int removePaths(IndexState s, Collection<String> relativePaths) {
        Map<Long, Set<Integer>> byDay = new HashMap<>();
        int removed = 0;
        for (String path : relativePaths) {
            int row = paths.rowOf(s, path);
            if (row < 0) {
                continue;
            }
            table.remove(row, cols.hi[row], cols.lo[row]);
            String cid = cols.corr[row];
            if (cid != null) {
                chains.removeRow(cid, row);
            }
            paths.forget(row);
            byDay.computeIfAbsent(DaySegment.dayOf(cols.ts[row]), k -> new HashSet<>()).add(row);
            live--;
            removed++;
        }
        for (Map.Entry<Long, Set<Integer>> d : byDay.entrySet()) {
            // a removed row may be a pending one: the day is built with them, without it
            rebuildDay(d.getKey(), withPending(d.getKey(), List.of()), d.getValue());
        }
        return removed;
    }

    /**
     * Replaces one day's segment with its rows plus {@code added} minus {@code removed}, in listing order. Rows
     * added near the end of their day (events arriving as they happen: every write of this server, a little out of
     * order when writers run concurrently) keep the positions before them, so only the suffix from the first new
     * row on is written and only the postings from there on are built ({@link DaySegment#extend}): this runs under
     * the index's lock for every event written, and must not cost the size of the day.
     */
    private void rebuildDay(long key, List<Integer> added, Set<Integer> removed) {
        int at = DaySegment.indexOf(days, key);
        IntBlocks old = at >= 0 ? days[at].rows : IntBlocks.EMPTY;
        int[] fresh = ListingOrder.sortRows(cols, nodeDict.names, added);
        // the rows before the first new one keep their positions (a removal moves everything after it)
        int keep = removed.isEmpty() && fresh.length > 0 ? firstAfter(old, fresh[0]) : 0;
        int[] suffix = new int[old.size - keep + fresh.length];
        int i = keep;
        int j = 0;
        int k = 0;
        while (i < old.size || j < fresh.length) {
            int next;
            if (j >= fresh.length || (i < old.size && ListingOrder.rows(cols, nodeDict.names, old.get(i), fresh[j]) <= 0)) {
                next = old.get(i++);
            } else {
                next = fresh[j++];
            }
            if (!removed.contains(next)) {
                suffix[k++] = next;
            }
        }
        if (at >= 0 && keep > 0 && k <= keep) {
            replaceDay(at, DaySegment.extend(days[at], old.withSuffix(keep, suffix, k), keep, cols));
            return;
        }
        int size = keep + k;
        if (size == 0) {
            if (at >= 0) {
                DaySegment[] next = new DaySegment[days.length - 1];
                System.arraycopy(days, 0, next, 0, at);
                System.arraycopy(days, at + 1, next, at, days.length - at - 1);
                days = next;
            }
            return;
        }
        int[] all = new int[size];
        for (int p = 0; p < keep; p++) {
            all[p] = old.get(p);
        }
        System.arraycopy(suffix, 0, all, keep, k);
        DaySegment day = segment(key, all);
        if (at >= 0) {
            replaceDay(at, day);
            return;
        }
        int ins = -at - 1;
        DaySegment[] next = new DaySegment[days.length + 1];
        System.arraycopy(days, 0, next, 0, ins);
        next[ins] = day;
        System.arraycopy(days, ins, next, ins + 1, days.length - ins);
        days = next;
    }

    /** The first position in {@code rows} (listing order) of a row that comes after {@code row}. */
    private int firstAfter(IntBlocks rows, int row) {
        int lo = 0;
        int hi = rows.size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ListingOrder.rows(cols, nodeDict.names, rows.get(mid), row) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void replaceDay(int at, DaySegment day) {
        DaySegment[] next = days.clone();
        next[at] = day;
        days = next;
    }

    private DaySegment segment(long key, int[] rows) {
        return new DaySegment(key, rows, cols, nodeDict.size, typeDict.size, sourceDict.size, serviceDict.size);
    }

    // ---------------------------------------------------------------- bulk load (SnapshotRows)

    void requireEmpty() {
        if (count != 0) {
            throw new IllegalStateException("a snapshot is loaded into an empty index only");
        }
    }

    /** Starts a bulk load of {@code n} rows into this empty writer. */
    void startBulk(int n) {
        requireEmpty();
        cols = new RowColumns(n + Math.max(1024, n / 64));
        table.reserve(n); // one table of the final size instead of a rehash at every doubling
    }

    /** The columns a bulk load fills at row {@link #count()} before calling {@link #appendBulkRow}. */
    RowColumns columns() {
        return cols;
    }

    /**
     * Fills the id table of a bulk load of {@code n} rows, row {@code r} with the id ({@code hi[r]}, {@code lo[r]}),
     * on a thread of its own; the returned task is awaited before {@link #finishBulk}.
     */
    FutureTask<Void> fillIdsBeside(long[] hi, long[] lo, int n) {
        FutureTask<Void> task = new FutureTask<>(() -> table.fillReserved(hi, lo, n), null);
        Thread t = new Thread(task, "event-index-ids");
        t.setDaemon(true);
        t.start();
        return task;
    }

    /** Completes the row a bulk load filled in at {@link #count()} (its id is {@link #fillIdsBeside}'s); returns its number. */
    int appendBulkRow(String path) {
        int row = count;
        if (path != null) {
            paths.record(row, path);
        }
        count++;
        live++;
        return row;
    }

    /** Builds the segment of rows {@code from} (inclusive) to {@link #count()}, one whole day. */
    DaySegment bulkDay(long key, int from) {
        int[] rows = new int[count - from];
        for (int k = 0; k < rows.length; k++) {
            rows[k] = from + k;
        }
        return segment(key, rows);
    }

    /** Ends a bulk load: the day segments, oldest first. */
    void finishBulk(List<DaySegment> built) {
        days = built.toArray(new DaySegment[0]);
    }
}
