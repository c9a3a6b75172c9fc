package dev.homelab.events.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The index side of {@link IndexSnapshot}: raw rows out of a published state, and a bulk load of raw rows into
 * an empty index. The file format is the snapshot's business; here are only rows.
 */
final class SnapshotRows {

    private SnapshotRows() {
    }

    /** Visits every live row of {@code s}, in listing order; returns how many. Lock-free. */
    static int export(IndexState s, EventIndex.RowSink sink) throws IOException {
        int n = 0;
        RowColumns c = s.c;
        for (DaySegment d : s.days) {
            for (int p = 0; p < d.rows.size; p++) {
                int r = d.rows.get(p);
                sink.row(c.hi[r], c.lo[r], c.ts[r], s.nodes[c.node[r]], s.types[c.type[r]], c.sev[r], s.sources[c.source[r]],
                        s.services[c.service[r]], c.corr[r], s.paths.override(r));
                n++;
            }
        }
        return n;
    }

    /**
     * Loads rows given in listing order (string-table references, -1 for "own id" or "derived path") into the
     * empty {@code writer}: each day is a range of rows and each chain is already sorted. Returns false, leaving
     * the writer empty, when they are not in order. Runs under the {@link EventIndex} monitor.
     */
    static boolean load(RowWriter writer, String[] table, int n, long[] hi, long[] lo, long[] ts, int[] node, int[] type,
            byte[] sev, int[] source, int[] service, int[] cid, int[] path) {
        writer.requireEmpty();
        for (int i = 1; i < n; i++) {
            if (ListingOrder.compare(ts[i - 1], table[node[i - 1]], hi[i - 1], lo[i - 1],
                    ts[i], table[node[i]], hi[i], lo[i]) >= 0) {
                return false;
            }
        }
        writer.startBulk(n);
        // the id table is about a fifth of the load (a random write per row into 16 MB at a million rows) and needs
        // only the ids: it is filled beside the rest, on the other core when the framework's start leaves it free
        FutureTask<Void> ids = writer.fillIdsBeside(hi, lo, n);
        List<DaySegment> built = new ArrayList<>();
        try {
            RowColumns cols = writer.columns();
            int[] nodeIds = unresolved(table.length);
            int[] typeIds = unresolved(table.length);
            int[] sourceIds = unresolved(table.length);
            int[] serviceIds = unresolved(table.length);
            // chains by string-table reference (each correlation id is one entry of the table): no hashing per row
            int[] chainSizes = new int[table.length];
            for (int i = 0; i < n; i++) {
                if (cid[i] >= 0) {
                    chainSizes[cid[i]]++;
                }
            }
            int[][] chainRows = new int[table.length][];
            int dayStart = 0;
            for (int i = 0; i < n; i++) {
                int row = writer.count();
                cols.hi[row] = hi[i];
                cols.lo[row] = lo[i];
                cols.ts[row] = ts[i];
                cols.node[row] = dictId(nodeIds, writer.nodeDict, table, node[i]);
                cols.type[row] = dictId(typeIds, writer.typeDict, table, type[i]);
                cols.source[row] = dictId(sourceIds, writer.sourceDict, table, source[i]);
                cols.service[row] = dictId(serviceIds, writer.serviceDict, table, service[i]);
                cols.sev[row] = sev[i];
                if (cid[i] >= 0) {
                    cols.corr[row] = table[cid[i]];
                    int[] rows = chainRows[cid[i]];
                    if (rows == null) {
                        rows = new int[chainSizes[cid[i]] + 1]; // [0] is the fill level
                        chainRows[cid[i]] = rows;
                    }
                    rows[++rows[0]] = row;
                }
                writer.appendBulkRow(path[i] >= 0 ? table[path[i]] : null);
                if (i + 1 == n || DaySegment.dayOf(ts[i + 1]) != DaySegment.dayOf(ts[i])) {
                    built.add(writer.bulkDay(DaySegment.dayOf(ts[i]), dayStart));
                    dayStart = i + 1;
                }
            }
            for (int ref = 0; ref < chainRows.length; ref++) {
                int[] rows = chainRows[ref];
                if (rows != null) {
                    int[] chain = Arrays.copyOfRange(rows, 1, rows[0] + 1);
                    if (!writer.chains.putNew(table[ref], chain)) {
                        // the same id twice in the table (never written so, but not trusted blindly): one chain
                        writer.chains.merge(table[ref], chain, cols, writer.nodeDict.names);
                    }
                }
            }
        } finally {
            join(ids); // also when the load fails: nothing may write into the table after it
        }
        writer.finishBulk(built);
        return true;
    }

    /** Waits for the id table and rethrows its failure; an interrupt is kept for the caller once the table is done. */
    private static void join(FutureTask<Void> ids) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    ids.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the id table of a snapshot load failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int[] unresolved(int size) {
        int[] ids = new int[size];
        Arrays.fill(ids, -1);
        return ids;
    }

    /** The dictionary id of string-table entry {@code ref}, resolved once per entry. */
    private static int dictId(int[] cache, NameDictionary dict, String[] table, int ref) {
        int id = cache[ref];
        if (id < 0) {
            id = dict.idOf(table[ref]);
            cache[ref] = id;
        }
        return id;
    }
}
