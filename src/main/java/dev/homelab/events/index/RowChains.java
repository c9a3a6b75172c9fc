package dev.homelab.events.index;

import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;

/**
 * The correlation ids of rows [from, to) of a published state, worked out on first use: what {@link EventIndex}
 * tells its listeners after an add. During a first scan the listeners (no subscriptions yet, an incident table not
 * built yet) never look, and a million ids cost the scan time. Safe to read from any thread: the state's rows below
 * its count never change.
 */
final class RowChains extends AbstractSet<String> {
    private final IndexState s;
    private final int from;
    private final int to;
    private Set<String> ids;

    RowChains(IndexState s, int from, int to) {
        this.s = s;
        this.from = from;
        this.to = to;
    }

    private synchronized Set<String> ids() {
        if (ids == null) {
            ids = new HashSet<>();
            for (int r = from; r < to; r++) {
                ids.add(s.c.corr[r] != null ? s.c.corr[r] : new UUID(s.c.hi[r], s.c.lo[r]).toString());
            }
        }
        return ids;
    }

    @Override
    public boolean isEmpty() {
        return from >= to;
    }

    @Override
    public boolean contains(Object o) {
        return ids().contains(o);
    }

    @Override
    public Iterator<String> iterator() {
        return Collections.unmodifiableSet(ids()).iterator();
    }

    @Override
    public int size() {
        return ids().size();
    }
}
