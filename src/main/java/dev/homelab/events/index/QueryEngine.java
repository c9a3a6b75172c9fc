package dev.homelab.events.index;

/**
 * Answers an {@link EventQuery} from one published state: a correlation query walks its chain; any other
 * query visits the day segments within the time bounds, each driven by its smallest matching posting list,
 * with time bounds and cursors as binary searches and exact totals counted without building entries.
 * Lock-free; holds no state of its own beyond the shared dictionaries and chains.
 */
final class QueryEngine {
    private final NameDictionary nodeDict;
    private final NameDictionary typeDict;
    private final NameDictionary sourceDict;
    private final NameDictionary serviceDict;
    private final Chains chains;

    QueryEngine(NameDictionary nodeDict, NameDictionary typeDict, NameDictionary sourceDict, NameDictionary serviceDict,
            Chains chains) {
        this.nodeDict = nodeDict;
        this.typeDict = typeDict;
        this.sourceDict = sourceDict;
        this.serviceDict = serviceDict;
        this.chains = chains;
    }

    IndexPage query(IndexState s, EventQuery q) {
        QueryFilter f = QueryFilter.resolve(q, s, nodeDict, typeDict, sourceDict, serviceDict);
        QueryPage page = new QueryPage(q, s);
        if (f.empty) {
            return page.result();
        }
        if (q.correlationId() != null) {
            int[] rows = chains.rowsOf(s, q.correlationId());
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
        long firstDay = f.since == Long.MIN_VALUE ? Long.MIN_VALUE : DaySegment.dayOf(f.since);
        long lastDay = f.until == Long.MAX_VALUE ? Long.MAX_VALUE : DaySegment.dayOf(f.until - 1);
        int n = s.days.length;
        for (int k = 0; k < n; k++) {
            DaySegment d = s.days[q.newestFirst() ? n - 1 - k : k];
            if (d.key < firstDay || d.key > lastDay) {
                continue;
            }
            scanDay(s, d, f, page);
        }
        return page.result();
    }

    /** Counts and collects one day's matches, driven by its smallest posting list. */
    private static void scanDay(IndexState s, DaySegment d, QueryFilter f, QueryPage page) {
        Postings best = null;
        int[] bestIds = null;
        long bestSize = d.rows.size;
        long size;
        if (f.nodeIds != null && (size = d.node.size(f.nodeIds)) <= bestSize) {
            best = d.node;
            bestIds = f.nodeIds;
            bestSize = size;
        }
        if (f.typeIds != null && (size = d.type.size(f.typeIds)) <= bestSize) {
            best = d.type;
            bestIds = f.typeIds;
            bestSize = size;
        }
        if (f.sevIds != null && (size = d.sev.size(f.sevIds)) <= bestSize) {
            best = d.sev;
            bestIds = f.sevIds;
            bestSize = size;
        }
        if (f.source >= 0 && (size = d.source.size(new int[]{ f.source })) <= bestSize) {
            best = d.source;
            bestIds = new int[]{ f.source };
            bestSize = size;
        }
        if (f.service >= 0 && (size = d.service.size(new int[]{ f.service })) <= bestSize) {
            best = d.service;
            bestIds = new int[]{ f.service };
            bestSize = size;
        }
        if (bestSize == 0) {
            return;
        }
        IntBlocks positions = best == null ? null : best.union(bestIds);
        int len = positions == null ? d.rows.size : positions.size;
        // time bounds: binary searches over positions, which are in time order
        int lo = f.since == Long.MIN_VALUE ? 0 : DaySegment.lowerBound(s.c, d.rows, positions, len, f.since);
        int hi = f.until == Long.MAX_VALUE ? len : DaySegment.lowerBound(s.c, d.rows, positions, len, f.until);
        if (lo >= hi) {
            return;
        }
        boolean residual = f.residual(best, d) > 0;
        if (!residual) {
            page.offerRange(d.rows, positions, lo, hi);
            return;
        }
        if (page.q.newestFirst()) {
            for (int i = hi - 1; i >= lo; i--) {
                page.offerChecked(f, d.rows.get(positions == null ? i : positions.get(i)));
            }
        } else {
            for (int i = lo; i < hi; i++) {
                page.offerChecked(f, d.rows.get(positions == null ? i : positions.get(i)));
            }
        }
    }
}
