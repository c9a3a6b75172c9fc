package dev.homelab.events.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import dev.homelab.events.Event;
import dev.homelab.events.EventTypes;
import dev.homelab.events.Severity;
import dev.homelab.events.Text;
import dev.homelab.events.Timestamps;
import dev.homelab.events.index.EventIndex;

/**
 * The derived reading of one causal chain (events of one correlation id, oldest first): its outcome, its
 * failure and its remediation steps. Pure functions over events, on the service side so that every tool, face
 * and the ask agent read a chain the same way (the shell and Python libraries follow the same pairing rule).
 *
 * <p>
 * Outcome rules, applied in time order, the last decisive event wins: {@code deployment_started} makes it
 * {@code in_progress}; {@code deployment_completed}, {@code service_recovered}, {@code node_online} make it
 * {@code resolved}; {@code deployment_failed}, {@code service_unhealthy}, {@code healthcheck_failed},
 * {@code node_offline} (and any other event of severity error or worse) make it {@code failed};
 * {@code remediation_started} makes it {@code remediating}; {@code remediation_completed} makes it
 * {@code failed} when its result is failed, else {@code remediating} while other steps are still open, else
 * {@code resolved}. A chain with no decisive event is {@code in_progress}.
 */
public final class ChainAnalysis {

    public static final String RESOLVED = "resolved";
    public static final String FAILED = "failed";
    public static final String IN_PROGRESS = "in_progress";
    public static final String REMEDIATING = "remediating";

    /** Types that signal a problem: a chain holding one of them is an incident. */
    public static final Set<String> FAILURE_TYPES = Set.of(EventTypes.DEPLOYMENT_FAILED, EventTypes.SERVICE_UNHEALTHY,
            EventTypes.HEALTHCHECK_FAILED, EventTypes.NODE_OFFLINE);

    /** Longest payload text (stage, error, action, ...) that reaches a summary. */
    static final int SUMMARY_TEXT_MAX_CHARS = 200;

    /** The most recent failure of a chain: its event, and stage and error from its payload when present. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Failure(
            @JsonProperty("event_id") String eventId,
            String timestamp,
            String type,
            String stage,
            String error) {
    }

    /** One remediation step: its start and, when it happened, its completion ({@code status} open or completed). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RemediationStep(
            @JsonProperty("correlation_id") String correlationId,
            String service,
            String step,
            String action,
            String actor,
            String status,
            @JsonProperty("started_at") String startedAt,
            @JsonProperty("started_event_id") String startedEventId,
            @JsonProperty("completed_at") String completedAt,
            @JsonProperty("completed_event_id") String completedEventId,
            String result,
            @JsonProperty("elapsed_seconds") Long elapsedSeconds) {

        /** When the step began: its start, else (a completion listed on its own) its completion. */
        public String time() {
            return startedAt != null ? startedAt : completedAt;
        }

        public boolean open() {
            return "open".equals(status);
        }
    }

    private ChainAnalysis() {
    }

    public static String outcome(List<Event> chain) {
        String state = IN_PROGRESS;
        List<Event> open = new ArrayList<>();
        for (Event e : chain) {
            switch (e.type()) {
                case EventTypes.DEPLOYMENT_STARTED -> state = IN_PROGRESS;
                case EventTypes.DEPLOYMENT_COMPLETED, EventTypes.SERVICE_RECOVERED, EventTypes.NODE_ONLINE -> state = RESOLVED;
                case EventTypes.REMEDIATION_STARTED -> {
                    open.add(e);
                    state = REMEDIATING;
                }
                case EventTypes.REMEDIATION_COMPLETED -> {
                    Event start = matchStart(open, e);
                    if (start != null) {
                        open.remove(start);
                    }
                    state = failedResult(e) ? FAILED : open.isEmpty() ? RESOLVED : REMEDIATING;
                }
                default -> {
                    if (FAILURE_TYPES.contains(e.type()) || e.severity().atLeast(Severity.ERROR)) {
                        state = FAILED;
                    }
                }
            }
        }
        return state;
    }

    /**
     * The outcome from index entries alone, by the rules of {@link #outcome} read backwards: the last
     * decisive event wins. Null when that event is a remediation_completed of severity below error, whose
     * result and matching start are in payloads; then {@link #outcome} over the chain's remediation events
     * alone decides (nothing after that completion is decisive, and the open steps depend only on them).
     */
    public static String outcomeFromEntries(EventIndex.ChainView chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            String type = chain.type(i);
            switch (type) {
                case EventTypes.DEPLOYMENT_STARTED -> {
                    return IN_PROGRESS;
                }
                case EventTypes.DEPLOYMENT_COMPLETED, EventTypes.SERVICE_RECOVERED, EventTypes.NODE_ONLINE -> {
                    return RESOLVED;
                }
                case EventTypes.REMEDIATION_STARTED -> {
                    return REMEDIATING;
                }
                case EventTypes.REMEDIATION_COMPLETED -> {
                    return chain.severity(i).atLeast(Severity.ERROR) ? FAILED : null;
                }
                default -> {
                    if (FAILURE_TYPES.contains(type) || chain.severity(i).atLeast(Severity.ERROR)) {
                        return FAILED;
                    }
                }
            }
        }
        return IN_PROGRESS;
    }

    /** True when the chain holds a failure type or an error-or-worse severity; from the index alone. */
    public static boolean isIncident(EventIndex.ChainView chain) {
        for (int i = 0; i < chain.size(); i++) {
            if (FAILURE_TYPES.contains(chain.type(i)) || chain.severity(i).atLeast(Severity.ERROR)) {
                return true;
            }
        }
        return false;
    }

    /** The most recent failure of the chain, with stage and error from its payload when present. */
    public static Failure failure(List<Event> chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            Event e = chain.get(i);
            if (FAILURE_TYPES.contains(e.type())) {
                return new Failure(e.id().toString(), Timestamps.toJson(e.timestamp()), e.type(), text(e, "stage"),
                        text(e, "error"));
            }
        }
        return null;
    }

    /**
     * Pairs each remediation_started with the remediation_completed that followed it, oldest first. A
     * completion links to its start by {@code started_event_id}, else by step key ({@code step}, else
     * {@code action}), else to the latest open start; a completion with no start is listed on its own.
     */
    public static List<RemediationStep> remediations(List<Event> chain) {
        List<Event> open = new ArrayList<>();
        List<Event[]> pairs = new ArrayList<>();
        for (Event e : chain) {
            if (EventTypes.REMEDIATION_STARTED.equals(e.type())) {
                open.add(e);
                pairs.add(new Event[]{ e, null });
            } else if (EventTypes.REMEDIATION_COMPLETED.equals(e.type())) {
                Event start = matchStart(open, e);
                if (start == null) {
                    pairs.add(new Event[]{ null, e });
                } else {
                    open.remove(start);
                    for (Event[] p : pairs) {
                        if (p[0] == start) {
                            p[1] = e;
                        }
                    }
                }
            }
        }
        List<RemediationStep> out = new ArrayList<>(pairs.size());
        for (Event[] p : pairs) {
            out.add(step(p[0], p[1]));
        }
        return out;
    }

    /**
     * The open rule: the remediation_started events of {@code service} in the chain that no completion has
     * closed yet, oldest first. A step may only be started when it is not open, and only completed when it is.
     */
    public static List<Event> openStarts(List<Event> chain, String service) {
        List<Event> open = new ArrayList<>();
        for (Event e : chain) {
            if (EventTypes.REMEDIATION_STARTED.equals(e.type()) && service.equals(e.service())) {
                open.add(e);
            } else if (EventTypes.REMEDIATION_COMPLETED.equals(e.type())) {
                Event s = matchStart(open, e);
                if (s != null) {
                    open.remove(s);
                }
            }
        }
        return open;
    }

    /** The open start a completion closes, or null. */
    static Event matchStart(List<Event> open, Event completion) {
        if (open.isEmpty()) {
            return null;
        }
        String startedId = text(completion, "started_event_id");
        if (startedId != null) {
            for (Event s : open) {
                if (s.id().toString().equals(startedId)) {
                    return s;
                }
            }
            return null;
        }
        String key = stepKey(completion);
        if (key == null) {
            return open.get(open.size() - 1);
        }
        for (Event s : open) {
            if (key.equals(stepKey(s))) {
                return s;
            }
        }
        return null;
    }

    /** The key that links a completion to its start: payload {@code step}, else {@code action}. */
    public static String stepKey(Event e) {
        String step = text(e, "step");
        return step != null ? step : text(e, "action");
    }

    static boolean failedResult(Event completion) {
        for (String field : List.of("result", "status", "outcome")) {
            String v = text(completion, field);
            if (v != null && Set.of("failed", "failure", "error").contains(v.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return completion.severity().atLeast(Severity.ERROR);
    }

    private static RemediationStep step(Event start, Event done) {
        Event any = start != null ? start : done;
        String result = null;
        if (done != null) {
            result = failedResult(done) ? "failed" : "succeeded";
        }
        Long elapsed = start != null && done != null
                ? Duration.between(start.timestamp(), done.timestamp()).toSeconds()
                : null;
        return new RemediationStep(any.correlationId(), any.service(), stepKey(any),
                text(any, "action"), actor(any), done != null ? "completed" : "open",
                start == null ? null : Timestamps.toJson(start.timestamp()), start == null ? null : start.id().toString(),
                done == null ? null : Timestamps.toJson(done.timestamp()), done == null ? null : done.id().toString(),
                result, elapsed);
    }

    private static String actor(Event e) {
        String a = text(e, "actor");
        return a != null ? a : e.source();
    }

    /** A short text field of the payload, or null. Never more than 200 characters reach a summary. */
    static String text(Event e, String field) {
        if (e.payload() == null) {
            return null;
        }
        JsonNode n = e.payload().get(field);
        if (n == null || n.isNull() || n.isContainerNode()) {
            return null;
        }
        return Text.shorten(n.asText(), SUMMARY_TEXT_MAX_CHARS);
    }
}
