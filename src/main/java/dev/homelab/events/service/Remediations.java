package dev.homelab.events.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.EventTypes;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.Timestamps;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.service.ChainAnalysis.RemediationStep;

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
     * result of a completion (succeeded, the default, or failed) and an optional note.
     */
    public record Step(String phase, String correlationId, String service, String action, String actor, String step,
            String result, String note) {
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

    /** Records a start or a completion as an event, after checking it against the steps still open. */
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
        List<Event> open = ChainAnalysis.openStarts(existingChain(a.correlationId()), a.service());
        Event started = null;
        for (Event s : open) {
            if (step.equals(ChainAnalysis.stepKey(s))) {
                started = s;
            }
        }
        if (start && started != null) {
            throw new InvalidInputException("step", step, "was already started in " + a.correlationId() + " at "
                    + Timestamps.toJson(started.timestamp()) + " (event " + started.id() + ") and not completed; complete "
                    + "it first (phase=complete) or use another step key");
        }
        if (!start && started == null) {
            throw new InvalidInputException("step", step, "has no open remediation_started for service " + a.service()
                    + " in " + a.correlationId() + "; open steps: "
                    + (open.isEmpty() ? "none" : String.join(", ", open.stream().map(ChainAnalysis::stepKey).toList()))
                    + ". Record phase=start first");
        }
        ObjectNode payload = mapper.createObjectNode().put("action", a.action()).put("step", step).put("actor", a.actor());
        if (!start) {
            payload.put("result", a.result() == null ? "succeeded" : a.result());
            payload.put("started_event_id", started.id().toString());
        }
        if (a.note() != null && !a.note().isBlank()) {
            payload.put("note", a.note());
        }
        String severity = start ? "warning" : "failed".equals(a.result()) ? "error" : "info";
        Emitted e = events.emit(new EventDraft(null, null,
                start ? EventTypes.REMEDIATION_STARTED : EventTypes.REMEDIATION_COMPLETED, severity, a.actor(), a.service(),
                a.correlationId(), payload));
        return new Recorded(e.event().id().toString(), Timestamps.toJson(e.event().timestamp()),
                e.event().correlationId(), e.event().type(), step, e.path(), started == null ? null : started.id().toString());
    }

    private static void required(String field, String value, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, null, "is required"));
        }
    }

    private List<Event> existingChain(String correlationId) {
        try {
            return events.chain(correlationId);
        } catch (NotFoundException e) {
            return List.of();
        }
    }
}
