package dev.homelab.events.index;

/**
 * The events of one UTC day in listing order, with posting lists per node, type, severity, source and service
 * over positions in that order. Immutable: a change to a day builds a new segment ({@link RowWriter}).
 * Segments are kept in an array sorted by day, oldest first.
 */
final class DaySegment {
    static final long DAY_MICROS = 86_400_000_000L;

    /** Days since the epoch. */
    final long key;
    /** The day's rows, in listing order. */
    final int[] rows;
    final Postings node;
    final Postings type;
    final Postings sev;
    final Postings source;
    final Postings service;

    DaySegment(long key, int[] rows, RowColumns c, int nodes, int types, int sources, int services) {
        this.key = key;
        this.rows = rows;
        this.node = Postings.build(rows, c.node, nodes);
        this.type = Postings.build(rows, c.type, types);
        this.sev = Postings.buildSeverity(rows, c.sev);
        this.source = Postings.build(rows, c.source, sources);
        this.service = Postings.build(rows, c.service, services);
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
    static int lowerBound(RowColumns c, int[] rows, int[] positions, int len, long t) {
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
}
