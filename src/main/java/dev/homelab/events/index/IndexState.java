package dev.homelab.events.index;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.UUID;

import dev.homelab.events.Severity;

/**
 * Everything a reader needs, published as one immutable unit: the row columns up to {@link #count}, the name
 * arrays of the dictionaries, the day segments and the id table as they were when the writer published.
 * {@link EventIndex} holds the current one in a volatile field; a reader reads it once per call and sees a
 * consistent view. Also the writer's own view of its unpublished rows ({@link RowWriter#state()}).
 */
final class IndexState {
    private static final Severity[] SEVERITIES = Severity.values();

    final RowColumns c;
    final int count;
    final int live;
    final String[] nodes;
    final String[] types;
    final String[] sources;
    final String[] services;
    final DaySegment[] days;
    /** The slots of the {@link IdTable}. */
    final int[] ids;
    /** Shared and concurrent (not a snapshot): entries of rows beyond {@link #count} are never asked for. */
    final RowPaths paths;

    IndexState(RowColumns c, int count, int live, String[] nodes, String[] types, String[] sources, String[] services,
            DaySegment[] days, int[] ids, RowPaths paths) {
        this.c = c;
        this.count = count;
        this.live = live;
        this.nodes = nodes;
        this.types = types;
        this.sources = sources;
        this.services = services;
        this.days = days;
        this.ids = ids;
        this.paths = paths;
    }

    /** The row of an id, or -1. */
    int row(long hi, long lo) {
        return IdTable.lookup(ids, c, count, hi, lo);
    }

    static Severity severity(byte ordinal) {
        return SEVERITIES[ordinal];
    }

    /** The full entry of a row (the only place that builds one). */
    IndexEntry entry(int r) {
        UUID id = new UUID(c.hi[r], c.lo[r]);
        String corr = c.corr[r];
        return new IndexEntry(id, c.ts[r], nodes[c.node[r]], types[c.type[r]], SEVERITIES[c.sev[r]],
                sources[c.source[r]], services[c.service[r]], corr == null ? id.toString() : corr, paths.path(this, r));
    }

    /** Every live entry of this state, oldest first (day by day, each in listing order). */
    Iterator<IndexEntry> entries() {
        return new Iterator<>() {
            int day = 0;
            int pos = 0;

            @Override
            public boolean hasNext() {
                while (day < days.length && pos >= days[day].rows.size) {
                    day++;
                    pos = 0;
                }
                return day < days.length;
            }

            @Override
            public IndexEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return entry(days[day].rows.get(pos++));
            }
        };
    }
}
