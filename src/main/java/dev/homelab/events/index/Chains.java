package dev.homelab.events.index;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Correlation chains: the rows of each correlation id, in listing order. An event that is its own chain
 * (correlation id equal to its id, the default; a null in the correlation column) is not held here at all;
 * it joins a chain only when other events use its id as their correlation id.
 *
 * <p>
 * Thread-safety: the map is concurrent and its arrays are replaced, never changed. {@link #merge},
 * {@link #removeRow} and {@link #put} run only under the {@link EventIndex} monitor; readers are lock-free and
 * ignore rows beyond their state's count.
 */
final class Chains {
    /** Rows of each correlation id other than a lone event's own id, in listing order. */
    private final ConcurrentHashMap<String, int[]> rows = new ConcurrentHashMap<>();

    // ---------------------------------------------------------------- writer side

    /** The first row of an indexed chain (whose correlation string a new member reuses), or -1. */
    int firstRow(String cid) {
        int[] chain = rows.get(cid);
        return chain != null && chain.length > 0 ? chain[0] : -1;
    }

    /** Adds rows, already in listing order, to a chain: a new array, the old one merged with them. */
    void merge(String cid, int[] fresh, RowColumns c, String[] nodes) {
        int[] old = rows.getOrDefault(cid, new int[0]);
        int[] out = new int[old.length + fresh.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < old.length || j < fresh.length) {
            out[k++] = j >= fresh.length || (i < old.length && ListingOrder.rows(c, nodes, old[i], fresh[j]) <= 0)
                    ? old[i++]
                    : fresh[j++];
        }
        rows.put(cid, out);
    }

    void removeRow(String cid, int row) {
        rows.computeIfPresent(cid, (k, chain) -> {
            int[] left = Arrays.stream(chain).filter(r -> r != row).toArray();
            return left.length == 0 ? null : left;
        });
    }

    /**
     * Sets a whole chain, in listing order (snapshot loads), of an id that has none yet; false (and nothing
     * changed) when it has one.
     */
    boolean putNew(String cid, int[] chain) {
        return rows.putIfAbsent(cid, chain) == null;
    }

    // ---------------------------------------------------------------- readers

    /** The rows of one correlation id in {@code s}, oldest first; includes a lone event whose id it is. */
    int[] rowsOf(IndexState s, String cid) {
        if (cid == null) {
            return new int[0];
        }
        int[] chain = rows.get(cid);
        int self = -1;
        if (cid.length() == 36) {
            try {
                UUID u = UUID.fromString(cid);
                if (u.toString().equals(cid)) {
                    int r = s.row(u.getMostSignificantBits(), u.getLeastSignificantBits());
                    if (r >= 0 && s.c.corr[r] == null) {
                        self = r;
                    }
                }
            } catch (IllegalArgumentException notAnId) {
                // an ordinary correlation id
            }
        }
        int n = chain == null ? 0 : chain.length;
        int[] out = new int[n + (self >= 0 ? 1 : 0)];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (chain[i] < s.count) {
                out[k++] = chain[i];
            }
        }
        if (self >= 0) {
            // the lone event whose id others used as their correlation id: place it in order
            int at = k;
            while (at > 0 && ListingOrder.rows(s.c, s.nodes, out[at - 1], self) > 0) {
                out[at] = out[at - 1];
                at--;
            }
            out[at] = self;
            k++;
        }
        return k == out.length ? out : Arrays.copyOf(out, k);
    }

    /** Correlation ids as a view of the state current at each call: lone events' own ids included. */
    Set<String> ids(Supplier<IndexState> current) {
        return new AbstractSet<>() {
            @Override
            public boolean contains(Object o) {
                return o instanceof String s && rowsOf(current.get(), s).length > 0;
            }

            @Override
            public Iterator<String> iterator() {
                IndexState s = current.get();
                List<String> ids = new ArrayList<>(rows.keySet());
                for (DaySegment d : s.days) {
                    for (int p = 0; p < d.rows.size; p++) {
                        int r = d.rows.get(p);
                        if (s.c.corr[r] == null && !rows.containsKey(new UUID(s.c.hi[r], s.c.lo[r]).toString())) {
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

    /**
     * Visits every chain with at least one event at or after {@code sinceMicros}, once each, in no particular
     * order, reading the day segments from the day of {@code sinceMicros} on.
     */
    void forEachActiveSince(IndexState s, long sinceMicros, Consumer<EventIndex.ChainView> visitor) {
        long firstDay = sinceMicros == Long.MIN_VALUE ? Long.MIN_VALUE : DaySegment.dayOf(sinceMicros);
        for (DaySegment d : s.days) {
            if (d.key < firstDay) {
                continue;
            }
            int from = sinceMicros == Long.MIN_VALUE ? 0 : DaySegment.lowerBound(s.c, d.rows, null, d.rows.size, sinceMicros);
            for (int i = from; i < d.rows.size; i++) {
                int r = d.rows.get(i);
                String corr = s.c.corr[r];
                if (corr == null) {
                    String own = new UUID(s.c.hi[r], s.c.lo[r]).toString();
                    if (!rows.containsKey(own)) {
                        visitor.accept(new EventIndex.ChainView(s, new int[]{ r }, own));
                        continue;
                    }
                    corr = own; // a lone event whose id other events use as their correlation id
                } else {
                    // a chain is active in the window when its newest row is, so it is visited at that row, once,
                    // with no set of the chains seen: a look at the last row of its array (rows beyond this state's
                    // count are not in it yet) skips the others without copying the chain
                    int[] raw = rows.get(corr);
                    int k = raw == null ? -1 : raw.length - 1;
                    while (k >= 0 && raw[k] >= s.count) {
                        k--;
                    }
                    if (k < 0 || raw[k] != r) {
                        continue;
                    }
                }
                int[] chain = rowsOf(s, corr); // includes a lone event whose id it is, which may be newer still
                if (chain.length > 0 && chain[chain.length - 1] == r) {
                    visitor.accept(new EventIndex.ChainView(s, chain, corr));
                }
            }
        }
    }
}
