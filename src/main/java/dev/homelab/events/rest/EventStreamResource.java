package dev.homelab.events.rest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.homelab.events.ListCriteria;
import dev.homelab.events.service.EventFeed;
import dev.homelab.events.service.EventService;

/**
 * New events as they arrive, as Server-Sent Events: the filters of {@code GET /api/events}, oldest first, one
 * {@code message} per event whose data is the event as the listing returns it and whose id is its position in the
 * listing order. Reconnecting with {@code Last-Event-ID} (or {@code ?cursor=}) resumes after that event; without
 * it, {@code since} replays from a time, and with neither the stream starts now. See {@link EventFeed} for late
 * arrivals. For the console, scripts and agents alike:
 *
 * <pre>
 * curl -N 'http://127.0.0.1:8080/api/events/stream?service=mosquitto&amp;min_severity=warning'
 * </pre>
 */
@Path("/api/events/stream")
@Tag(name = "events")
public class EventStreamResource {

    /** How often the index is asked for new events; writes of every writer reach it within about a second. */
    static final Duration POLL = Duration.ofMillis(500);
    /** A comment line after this much silence, so proxies keep the connection and a gone client is noticed. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    @Inject
    EventService service;
    @Inject
    ObjectMapper mapper;

    @GET
    @Blocking // the start reads the index; then every poll runs on the worker pool
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Stream events as they arrive (Server-Sent Events)", description = "The filters of GET /api/events; "
            + "events oldest first, each a 'message' whose data is the event JSON and whose id is its listing position. "
            + "Resume with the Last-Event-ID header (or cursor). Without it, since replays from a time; with neither, "
            + "only events that arrive from now on. Events indexed late (up to 2 minutes behind) are sent without an id.")
    public Multi<OutboundSseEvent> stream(@Context Sse sse,
            @Parameter(description = "Replay from this time, inclusive: ISO 8601, 'now-1h' or '24h'") @QueryParam("since") String since,
            @Parameter(description = "Upper time bound, exclusive; the stream ends once it has passed") @QueryParam("until") String until,
            @Parameter(description = "Node name; repeat or comma-separate for several") @QueryParam("node") List<String> nodes,
            @Parameter(description = "Event type; repeat or comma-separate for several") @QueryParam("type") List<String> types,
            @Parameter(description = "Minimum severity: info, warning, error, critical") @QueryParam("min_severity") String minSeverity,
            @QueryParam("service") String service,
            @QueryParam("source") String source,
            @QueryParam("correlation_id") String correlationId,
            @Parameter(description = "Resume after this event (an SSE id of this stream, or a next_cursor)") @QueryParam("cursor") String cursor,
            @Parameter(description = "Set by EventSource on reconnect; wins over cursor") @HeaderParam("Last-Event-ID") String lastEventId) {
        String resume = lastEventId != null && !lastEventId.isBlank() ? lastEventId.strip() : cursor;
        Instant start = Instant.now();
        // validated here, before the stream opens, so a bad filter is a 400 problem and not a broken stream
        EventFeed feed = EventFeed.open(this.service, new ListCriteria(since, until, nodes, types, minSeverity, service,
                source, correlationId, "oldest", EventFeed.BATCH, resume), start);
        long[] lastSent = { System.nanoTime() };
        OutboundSseEvent end = sse.newEventBuilder().comment("end: the until bound has passed").build();
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).onExecutor(Infrastructure.getDefaultWorkerPool())
                .every(POLL)
                .onOverflow().drop()
                .concatMap(tick -> {
                    List<OutboundSseEvent> out = new ArrayList<>();
                    for (EventFeed.Item item : feed.poll(Instant.now())) {
                        out.add(message(sse, item));
                    }
                    long now = System.nanoTime();
                    if (!out.isEmpty()) {
                        lastSent[0] = now;
                    } else if (feed.finished(Instant.now())) {
                        out.add(end);
                    } else if (now - lastSent[0] >= HEARTBEAT.toNanos()) {
                        lastSent[0] = now;
                        out.add(sse.newEventBuilder().comment("heartbeat").build());
                    }
                    return Multi.createFrom().iterable(out);
                })
                // with until: everything up to it has been sent and nothing late can still come, so the stream ends
                .select().first(event -> event != end);
    }

    private OutboundSseEvent message(Sse sse, EventFeed.Item item) {
        String json;
        try {
            json = mapper.writeValueAsString(item.event());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an indexed event could not be serialized: " + item.event().id(), e);
        }
        OutboundSseEvent.Builder b = sse.newEventBuilder().data(String.class, json);
        if (item.id() != null) {
            b.id(item.id());
        }
        return b.build();
    }
}
