package dev.homelab.events.index;

import dev.homelab.events.Severity;
import dev.homelab.events.Timestamps;

/** The filters of one {@link EventQuery} resolved against one state: dictionary ids, masks and time bounds. */
final class QueryFilter {
    private static final int SEVERITIES = Severity.values().length;

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
    /** Nothing can match (an unknown name, an empty time range). */
    boolean empty;

    private QueryFilter() {
    }

    static QueryFilter resolve(EventQuery q, IndexState s, NameDictionary nodeDict, NameDictionary typeDict,
            NameDictionary sourceDict, NameDictionary serviceDict) {
        QueryFilter f = new QueryFilter();
        if (q.since() != null) {
            f.since = Timestamps.toMicros(q.since());
        }
        if (q.until() != null) {
            f.until = Timestamps.toMicros(q.until());
        }
        if (q.nodes() != null && !q.nodes().isEmpty()) {
            f.nodeIds = nodeDict.ids(q.nodes());
            f.nodes = mask(f.nodeIds, s.nodes.length);
            f.empty |= f.nodeIds.length == 0;
        }
        if (q.types() != null && !q.types().isEmpty()) {
            f.typeIds = typeDict.ids(q.types());
            f.types = mask(f.typeIds, s.types.length);
            f.empty |= f.typeIds.length == 0;
        }
        if (q.minSeverity() != null && q.minSeverity() != Severity.INFO) {
            f.sevIds = new int[SEVERITIES - q.minSeverity().ordinal()];
            for (int i = 0; i < f.sevIds.length; i++) {
                f.sevIds[i] = q.minSeverity().ordinal() + i;
            }
            f.sevs = mask(f.sevIds, SEVERITIES);
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

    boolean matches(RowColumns c, int r) {
        long t = c.ts[r];
        return t >= since && t < until
                && (nodes == null || nodes[c.node[r]])
                && (types == null || types[c.type[r]])
                && (sevs == null || sevs[c.sev[r]])
                && (source < 0 || c.source[r] == source)
                && (service < 0 || c.service[r] == service);
    }

    /** Number of filters that the driving posting list {@code best} of day {@code d} does not already guarantee. */
    int residual(Postings best, DaySegment d) {
        int n = 0;
        n += nodeIds != null && best != d.node ? 1 : 0;
        n += typeIds != null && best != d.type ? 1 : 0;
        n += sevIds != null && best != d.sev ? 1 : 0;
        n += source >= 0 && best != d.source ? 1 : 0;
        n += service >= 0 && best != d.service ? 1 : 0;
        return n;
    }
}
