package dev.homelab.events.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.homelab.events.Event;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.Timestamps;
import dev.homelab.events.index.Cursor;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.IndexPage;

/**
 * The state of one event stream ({@code GET /api/events/stream}): which events of a filtered listing its client
 * has been sent, and which to send next. Polled by one stream at a time; not thread-safe.
 *
 * <p>
 * Order and resumption: events are sent in listing order (timestamp, node, id), each with its position as the
 * SSE id (the same opaque cursor as {@code next_cursor}), so a client that reconnects with {@code Last-Event-ID}
 * gets exactly the events after the last one it saw.
 *
 * <p>
 * Late arrivals: a file can reach the index after an event with a later timestamp was already sent (a bash
 * script's file seen by the watcher a moment after a REST write, a copy from a peer). While connected, events
 * that arrive up to {@link #LATE_WINDOW} behind the stream's position are still sent, out of order and without
 * an SSE id, so a resume position never moves backwards. Older late arrivals, and late arrivals while a client
 * is disconnected, appear in listings but not in the stream: it is a live view, and the sync cursor (arrival
 * order) is the tool for copying everything.
 */
public final class EventFeed {

    /** How far behind the stream's position a late arrival is still sent. */
    static final Duration LATE_WINDOW = Duration.ofMinutes(2);
    /** Events sent per poll at most; a backlog continues at the next poll. */
    public static final int BATCH = 500;
    /** Index entries examined per late-arrival sweep at most, so a burst cannot make one poll expensive. */
    static final int SWEEP_MAX = 20_000;

    /** One item of the stream: an event, and its position when it is sent in order (null when late). */
    public record Item(Event event, String id) {
    }

    private final EventService service;
    private final EventQuery filter;
    private final long lateWindowMicros;
    /** Position of the newest event sent in order; events after it come next. */
    private Cursor position;
    /** Ids sent (or known to the client) within the late window behind {@link #position}, with their times. */
    private final Map<UUID, Long> recent = new HashMap<>();

    /**
     * A stream over the listing {@code criteria} (ordered oldest first, {@link #BATCH} per poll), starting at
     * {@code now}. Validates the criteria at once, so a bad filter fails before a stream opens.
     */
    public static EventFeed open(EventService service, ListCriteria criteria, Instant now) {
        return new EventFeed(service, service.toQuery(criteria, BATCH, BATCH, now), now);
    }

    /**
     * @param filter the validated listing filters; {@code filter.after()} (from {@code Last-Event-ID} or
     *               {@code cursor}) resumes after that position, else {@code filter.since()} replays from that
     *               time, else the stream starts with the events that arrive from now on
     */
    private EventFeed(EventService service, EventQuery filter, Instant now) {
        this.service = service;
        this.filter = filter;
        this.lateWindowMicros = LATE_WINDOW.toNanos() / 1000;
        if (filter.after() != null) {
            position = filter.after();
        } else if (filter.since() == null) {
            // live only: start just before now
            position = new Cursor(Timestamps.toMicros(now) - 1, "", new UUID(0, 0));
        }
        // what lies before the start position the client has seen, or does not want: never send it as late
        remember(sweep());
    }

    /** The events to send now: those after the position in listing order, then late arrivals behind it. */
    public List<Item> poll(Instant now) {
        List<Item> out = new ArrayList<>();
        List<IndexEntry> late = new ArrayList<>();
        for (IndexEntry e : sweep()) {
            if (!recent.containsKey(e.id())) {
                late.add(e);
            }
        }
        Collections.reverse(late); // the sweep is nearest first; send oldest first
        remember(late);
        for (Event e : load(late)) {
            out.add(new Item(e, null));
        }
        List<IndexEntry> fresh = page(position, BATCH, now).entries();
        Map<UUID, Event> loaded = new HashMap<>();
        load(fresh).forEach(e -> loaded.put(e.id(), e));
        for (IndexEntry entry : fresh) {
            Event e = loaded.get(entry.id());
            if (e != null) { // its file vanished since it was indexed: the files win
                out.add(new Item(e, Cursor.of(entry).encode()));
            }
        }
        if (!fresh.isEmpty()) {
            position = Cursor.of(fresh.get(fresh.size() - 1));
            remember(fresh);
        }
        forgetBehindWindow();
        return out;
    }

    /** True once the listing has an upper bound that lies behind the late window: nothing more can come. */
    public boolean finished(Instant now) {
        return filter.until() != null
                && Timestamps.toMicros(now) - lateWindowMicros > Timestamps.toMicros(filter.until());
    }

    /**
     * The next events in listing order, up to now: an event stamped in the future (another node's clock, a given
     * timestamp) is sent when its time comes, so it cannot carry the position past events that are still to come.
     */
    private IndexPage page(Cursor after, int limit, Instant now) {
        Instant until = now.plusNanos(1000);
        if (filter.until() != null && filter.until().isBefore(until)) {
            until = filter.until();
        }
        if (filter.since() != null && !filter.since().isBefore(until)) {
            return new IndexPage(List.of(), 0, false);
        }
        return service.entries(new EventQuery(filter.since(), until, filter.nodes(), filter.types(),
                filter.minSeverity(), filter.service(), filter.source(), filter.correlationId(), false, after, limit));
    }

    /**
     * Index entries within the late window at or before the position, nearest first (entries only: no file is
     * read).
     */
    private List<IndexEntry> sweep() {
        if (position == null) {
            return List.of();
        }
        Instant from = Timestamps.fromMicros(position.timestampMicros() - lateWindowMicros);
        if (filter.since() != null && filter.since().isAfter(from)) {
            from = filter.since();
        }
        Instant to = Timestamps.fromMicros(position.timestampMicros() + 1);
        if (filter.until() != null && filter.until().isBefore(to)) {
            to = filter.until();
        }
        if (!from.isBefore(to)) {
            return List.of();
        }
        List<IndexEntry> entries = service.entries(new EventQuery(from, to, filter.nodes(), filter.types(),
                filter.minSeverity(), filter.service(), filter.source(), filter.correlationId(), true, null, SWEEP_MAX))
                .entries();
        List<IndexEntry> behind = new ArrayList<>(entries.size());
        for (IndexEntry e : entries) {
            if (IndexEntry.BY_TIME.compare(e, position.asProbe()) <= 0) {
                behind.add(e);
            }
        }
        return behind;
    }

    private void remember(List<IndexEntry> entries) {
        entries.forEach(e -> recent.put(e.id(), e.timestampMicros()));
    }

    private void forgetBehindWindow() {
        if (position == null) {
            return;
        }
        long floor = position.timestampMicros() - lateWindowMicros;
        for (Iterator<Long> it = recent.values().iterator(); it.hasNext();) {
            if (it.next() < floor) {
                it.remove();
            }
        }
    }

    private List<Event> load(List<IndexEntry> entries) {
        return entries.isEmpty() ? List.of() : service.loadAll(entries);
    }
}
