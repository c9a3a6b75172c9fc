package dev.homelab.events.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.ConflictException;
import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.EventTypes;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.Timestamps;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.service.ChainAnalysis.RemediationStep;
import dev.homelab.events.storage.StepLocks;

/**
 * Remediation steps: what was already tried, and recording a new step. The pairing of starts and completions
 * is {@link ChainAnalysis#remediations}; recording follows the open rule of {@link ChainAnalysis#openStarts}: a
 * step that is still open is not started again, and a step that was never started is not completed.
 */
@ApplicationScoped
public class Remediations {

    /** Longest note a step may carry. */
    public static final int NOTE_MAX_CHARS = 500;

    /** Steps newest first (by start, else completion), how many matched, whether more than the page did. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(
            List<RemediationStep> steps,
            int total,
            @JsonProperty("has_more") boolean hasMore) {
    }

    /**
     * A step to record, as a caller gives it: {@code phase} start or complete, the incident's chain, the service
     * acted on, the action, who acts (stored as the event's source), the step key (default: the action), the
     * result of a completion (succeeded, the default, or failed), an optional note, and an optional event id
     * chosen by the caller (a UUID) that makes a retried call return the step it recorded instead of failing.
     */
    public record Step(String phase, String correlationId, String service, String action, String actor, String step,
            String result, String note, String id) {

        /** A step without a chosen id. */
        public Step(String phase, String correlationId, String service, String action, String actor, String step,
                String result, String note) {
            this(phase, correlationId, service, action, actor, step, result, note, null);
        }
    }

    /** The recorded event, the step key, and for a completion the start it closes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Recorded(
            String id,
            String timestamp,
            @JsonProperty("correlation_id") String correlationId,
            String type,
            String step,
            String path,
            @JsonProperty("started_event_id") String startedEventId) {
    }

    @Inject
    EventService events;
    @Inject
    ObjectMapper mapper;

    /**
     * The steps of a service and/or a chain, newest first, at most {@code limit}. By service, starts and
     * completions are paired within each chain: a completion only ever closes a start of its own correlation id.
     */
    public History history(String service, String correlationId, int limit) {
        boolean byService = service != null && !service.isBlank();
        boolean byChain = correlationId != null && !correlationId.isBlank();
        if (!byService && !byChain) {
            throw new InvalidInputException("service", null, "give service or correlation_id (or both)");
        }
        List<RemediationStep> steps = new ArrayList<>();
        if (byChain) {
            steps.addAll(ChainAnalysis.remediations(events.chain(correlationId)));
        } else {
            Map<String, List<Event>> byCid = new TreeMap<>();
            for (Event e : events.loadAll(events.entries(new EventQuery(null, null, Set.of(),
                    Set.of(EventTypes.REMEDIATION_STARTED, EventTypes.REMEDIATION_COMPLETED), null, service, null, null, false,
                    null, Integer.MAX_VALUE)).entries())) {
                byCid.computeIfAbsent(e.correlationId(), k -> new ArrayList<>()).add(e);
            }
            byCid.values().forEach(chain -> steps.addAll(ChainAnalysis.remediations(chain)));
        }
        List<RemediationStep> matching = steps.stream()
                .filter(s -> !byService || service.equals(s.service()))
                .sorted(Comparator.comparing(RemediationStep::time).reversed())
                .toList();
        return new History(matching.stream().limit(limit).toList(), matching.size(), matching.size() > limit);
    }

    /**
     * Records a start or a completion as an event, after checking it against the steps still open.
     *
     * <p>
     * A start is refused ({@link ConflictException} on {@code step}) while the step (service and step key in the
     * chain) is open, atomically across processes and languages: the start claims its run with a marker file
     * ({@link StepLocks}) before the event is written, so of two agents racing to start one step exactly one
     * records it. With a chosen {@code id}, a call whose event is already stored returns that event when it is
     * the same step (a retry), whatever happened to the step since; a different step under that id is a conflict.
     */
    public Recorded record(Step a) {
        boolean start = "start".equals(a.phase());
        if (!start && !"complete".equals(a.phase())) {
            throw new InvalidInputException("phase", a.phase(), "allowed: start, complete");
        }
        List<FieldError> missing = new ArrayList<>();
        required("correlation_id", a.correlationId(), missing);
        required("service", a.service(), missing);
        required("action", a.action(), missing);
        required("actor", a.actor(), missing);
        if (!missing.isEmpty()) {
            throw new InvalidInputException(missing);
        }
        String step = a.step() == null || a.step().isBlank() ? a.action() : a.step();
        if (a.note() != null && a.note().length() > NOTE_MAX_CHARS) {
            throw new InvalidInputException("note", a.note(), "is " + a.note().length() + " characters; at most "
                    + NOTE_MAX_CHARS + " allowed");
        }
        if (start && a.result() != null) {
            throw new InvalidInputException("result", a.result(), "is only allowed with phase=complete");
        }
        UUID chosen = EventService.chosenId("id", a.id());
        ObjectNode payload = payload(a, step, start, null);
        String type = start ? EventTypes.REMEDIATION_STARTED : EventTypes.REMEDIATION_COMPLETED;
        String severity = start ? "warning" : "failed".equals(a.result()) ? "error" : "info";
        if (chosen != null) {
            Optional<Event> stored = events.find(chosen);
            if (stored.isPresent()) {
                return retried(stored.get(), type, severity, a, payload, step);
            }
        }
        List<Event> chain = existingChain(a.correlationId());
        List<Event> open = ChainAnalysis.openStarts(chain, a.service());
        Event started = openStep(open, step);
        if (!start && started == null) {
            // the start may be a file another process wrote a moment ago (two servers on one store, an agent's
            // requests spread over both): look at the directories that changed before refusing the completion
            events.catchUp();
            chain = existingChain(a.correlationId());
            open = ChainAnalysis.openStarts(chain, a.service());
            started = openStep(open, step);
        }
        if (start && started != null) {
            throw new ConflictException("step", step, "is already open in " + a.correlationId() + ": it was already "
                    + "started at " + Timestamps.toJson(started.timestamp()) + " (event " + started.id() + ") and not "
                    + "completed; complete it first (phase=complete) or use another step key");
        }
        if (!start && started == null) {
            throw new InvalidInputException("step", step, "has no open remediation_started for service " + a.service()
                    + " in " + a.correlationId() + "; open steps: "
                    + (open.isEmpty() ? "none" : String.join(", ", open.stream().map(ChainAnalysis::stepKey).toList()))
                    + ". Record phase=start first");
        }
        if (!start) {
            payload = payload(a, step, false, started.id().toString());
            Emitted e = events.emit(draft(type, severity, a, payload, chosen));
            return recorded(e.event(), e.path(), step, started.id().toString());
        }
        UUID eventId = chosen != null ? chosen : UUID.randomUUID();
        StepLocks locks = new StepLocks(events.root());
        List<Event> known = chain;
        int run = runs(known, a.service(), step);
        StepLocks.Outcome claim;
        try {
            claim = locks.claim(a.correlationId(), a.service(), step, run, eventId,
                    id -> events.find(id).isPresent() || known.stream().anyMatch(e -> e.id().equals(id)));
        } catch (IOException e) {
            throw EventService.writeFailure(e);
        }
        if (claim instanceof StepLocks.Held held) {
            throw new ConflictException("step", step, "is already open in " + a.correlationId() + ": another agent "
                    + "started it at " + Timestamps.toJson(Timestamps.truncate(held.since()))
                    + (held.eventId() == null ? "" : " (event " + held.eventId() + ")")
                    + "; read the chain again, then complete it (phase=complete) or use another step key");
        }
        StepLocks.Claimed mine = (StepLocks.Claimed) claim;
        if (!mine.mine()) {
            // the marker names this call's id: an earlier try of it (here or a library's fallback) claimed the run
            // and may have written the event already, in a file the index has not seen yet
            Optional<Event> written = events.findAfterRefresh(eventId);
            if (written.isPresent()) {
                return retried(written.get(), type, severity, a, payload, step);
            }
        }
        Emitted e;
        try {
            e = events.emit(draft(type, severity, a, payload, eventId));
        } catch (RuntimeException notStored) {
            locks.release(mine); // nothing was stored: the step may be started again at once
            throw notStored;
        }
        return recorded(e.event(), e.path(), step, null);
    }

    /** The number of remediation_started events of {@code service} and {@code step} in the chain: the run to claim. */
    static int runs(List<Event> chain, String service, String step) {
        int n = 0;
        for (Event e : chain) {
            if (EventTypes.REMEDIATION_STARTED.equals(e.type()) && service.equals(e.service())
                    && step.equals(ChainAnalysis.stepKey(e))) {
                n++;
            }
        }
        return n;
    }

    /** A call whose chosen id is already stored: the same step (a retry) returns it, anything else is a conflict. */
    private Recorded retried(Event stored, String type, String severity, Step a, ObjectNode payload, String step) {
        Event candidate = new Event(stored.id(), stored.timestamp(), stored.node(), type,
                dev.homelab.events.Severity.parse(severity).orElseThrow(), a.actor(), a.service(), a.correlationId(),
                payload, Map.of());
        List<String> differ = EventService.differences(candidate, stored, false, Set.of("started_event_id"));
        if (!differ.isEmpty()) {
            throw new ConflictException("id", stored.id().toString(), "is already stored with different content ("
                    + String.join(", ", differ) + " differ); an id names one event: resend the same step to get it back, "
                    + "or choose a new id");
        }
        String startedId = ChainAnalysis.text(stored, "started_event_id");
        return new Recorded(stored.id().toString(), Timestamps.toJson(stored.timestamp()), stored.correlationId(),
                stored.type(), step, events.pathOf(stored.id()).orElse(null), startedId);
    }

    /**
     * The payload of a step event, its fields in this order (the bash and Python libraries write the same):
     * action, step, actor, then for a completion result and started_event_id, then note when given.
     */
    private ObjectNode payload(Step a, String step, boolean start, String startedEventId) {
        ObjectNode payload = mapper.createObjectNode().put("action", a.action()).put("step", step).put("actor", a.actor());
        if (!start) {
            payload.put("result", a.result() == null ? "succeeded" : a.result());
            if (startedEventId != null) {
                payload.put("started_event_id", startedEventId);
            }
        }
        if (a.note() != null && !a.note().isBlank()) {
            payload.put("note", a.note());
        }
        return payload;
    }

    private static EventDraft draft(String type, String severity, Step a, ObjectNode payload, UUID id) {
        return new EventDraft(null, null, type, severity, a.actor(), a.service(), a.correlationId(), payload, id);
    }

    private static Recorded recorded(Event e, String path, String step, String startedEventId) {
        return new Recorded(e.id().toString(), Timestamps.toJson(e.timestamp()), e.correlationId(), e.type(), step, path,
                startedEventId);
    }

    private static void required(String field, String value, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, null, "is required"));
        }
    }

    private static Event openStep(List<Event> open, String step) {
        Event started = null;
        for (Event s : open) {
            if (step.equals(ChainAnalysis.stepKey(s))) {
                started = s;
            }
        }
        return started;
    }

    private List<Event> existingChain(String correlationId) {
        try {
            return events.chain(correlationId);
        } catch (NotFoundException e) {
            return List.of();
        }
    }
}
