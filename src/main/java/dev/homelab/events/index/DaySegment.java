package dev.homelab.events.index;

/**
 * The events of one UTC day in listing order, with posting lists per node, type, severity, source and service
 * over positions in that order. Immutable: a change to a day builds a new segment ({@link RowWriter}), which shares
 * the blocks of the old one's rows and lists that the change leaves alone ({@link IntBlocks}).
 * Segments are kept in an array sorted by day, oldest first.
 */
final class DaySegment {
    static final long DAY_MICROS = 86_400_000_000L;

    /** Days since the epoch. */
    final long key;
    /** The day's rows, in listing order. */
    final IntBlocks rows;
    final Postings node;
    final Postings type;
    final Postings sev;
    final Postings source;
    final Postings service;

    DaySegment(long key, int[] rows, RowColumns c, int nodes, int types, int sources, int services) {
        this.key = key;
        this.rows = IntBlocks.of(rows);
        this.node = Postings.build(rows, c.node, nodes);
        this.type = Postings.build(rows, c.type, types);
        this.sev = Postings.buildSeverity(rows, c.sev);
        this.source = Postings.build(rows, c.source, sources);
        this.service = Postings.build(rows, c.service, services);
    }

    private DaySegment(long key, IntBlocks rows, Postings node, Postings type, Postings sev, Postings source,
            Postings service) {
        this.key = key;
        this.rows = rows;
        this.node = node;
        this.type = type;
        this.sev = sev;
        this.source = source;
        this.service = service;
    }

    /**
     * The segment of the same day holding {@code rows}, whose first {@code from} rows are those of {@code old}, in
     * the same positions: only the postings from {@code from} on are built ({@link Postings#extend}).
     */
    static DaySegment extend(DaySegment old, IntBlocks rows, int from, RowColumns c) {
        return new DaySegment(old.key, rows, Postings.extend(old.node, rows, from, r -> c.node[r]),
                Postings.extend(old.type, rows, from, r -> c.type[r]), Postings.extend(old.sev, rows, from, r -> c.sev[r]),
                Postings.extend(old.source, rows, from, r -> c.source[r]),
                Postings.extend(old.service, rows, from, r -> c.service[r]));
    }

    /** The day (since the epoch, UTC) of a timestamp in micros. */
    static long dayOf(long micros) {
        return Math.floorDiv(micros, DAY_MICROS);
    }

    /** The index of the segment of day {@code key} in {@code days}, or -(insertion point + 1). */
    static int indexOf(DaySegment[] days, long key) {
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

    /**
     * First index among the first {@code len} positions (or rows, when {@code positions} is null) whose
     * timestamp is at least {@code t}.
     */
    static int lowerBound(RowColumns c, IntBlocks rows, IntBlocks positions, int len, long t) {
        int lo = 0;
        int hi = len;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long v = c.ts[rows.get(positions == null ? mid : positions.get(mid))];
            if (v < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
