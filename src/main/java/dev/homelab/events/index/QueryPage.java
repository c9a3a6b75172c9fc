package dev.homelab.events.index;

import java.util.ArrayList;
import java.util.List;

/** Collects one page in the query's order and counts every match and every match past the cursor. */
final class QueryPage {
    final EventQuery q;
    private final IndexState s;
    private final List<IndexEntry> entries;
    private final long cursorTs;
    private final String cursorNode;
    private final long cursorHi;
    private final long cursorLo;
    private long total;
    private long eligible;

    QueryPage(EventQuery q, IndexState s) {
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
    private int compareToCursor(int r) {
        return ListingOrder.rowVersus(s.c, s.nodes, r, cursorTs, cursorNode, cursorHi, cursorLo);
    }

    private boolean pastCursor(int r) {
        if (q.after() == null) {
            return true;
        }
        int c = compareToCursor(r);
        return q.newestFirst() ? c < 0 : c > 0;
    }

    /** A candidate that still has to pass every filter. */
    void offerChecked(QueryFilter f, int r) {
        if (!f.matches(s.c, r)) {
            return;
        }
        total++;
        if (pastCursor(r)) {
            eligible++;
            if (entries.size() < q.limit()) {
                entries.add(s.entry(r));
            }
        }
    }

    /** Positions lo..hi all match: count them at once, collect only the page. */
    void offerRange(IntBlocks rows, IntBlocks positions, int lo, int hi) {
        total += hi - lo;
        // the cut: first index (ascending) that lies past the cursor in ascending order
        int from = lo;
        int to = hi;
        if (q.after() != null) {
            int a = lo;
            int b = hi;
            while (a < b) {
                int mid = (a + b) >>> 1;
                int cmp = compareToCursor(rows.get(positions == null ? mid : positions.get(mid)));
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
                entries.add(s.entry(rows.get(positions == null ? i : positions.get(i))));
            }
        } else {
            for (int i = from; i < to && entries.size() < q.limit(); i++) {
                entries.add(s.entry(rows.get(positions == null ? i : positions.get(i))));
            }
        }
    }

    IndexPage result() {
        return new IndexPage(entries, total, eligible > entries.size());
    }
}
