package dev.homelab.events.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.EventTypes;
import dev.homelab.events.ExactJson;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Names;
import dev.homelab.events.Severity;
import dev.homelab.events.Text;
import dev.homelab.events.Timestamps;

/**
 * The rules of docs/format.md for new events, identical in the bash and Python writers. Collects every
 * bad field before failing so one answer tells a caller everything to fix.
 */
public class EventValidator {

    /** Longest part of a rejected value echoed back in an error (code points). */
    public static final int VALUE_MAX_CHARS = 80;

    private final Set<String> types;
    private final String defaultNode;
    private final int payloadMaxBytes;
    private final int payloadMaxDepth;
    private final Duration maxFutureSkew;
    private final ObjectMapper mapper;
    private final Clock clock;

    public EventValidator(List<String> customTypes, String defaultNode, int payloadMaxBytes, int payloadMaxDepth,
            Duration maxFutureSkew, ObjectMapper mapper, Clock clock) {
        Set<String> all = new LinkedHashSet<>(EventTypes.NORMALIZED);
        all.addAll(EventTypes.BUILT_IN_CUSTOM);
        for (String t : customTypes) {
            if (!Names.isValidType(t)) {
                throw new IllegalArgumentException("custom event type '" + t + "' does not match " + Names.TYPE.pattern()
                        + " (check HOMELAB_EVENTS_CUSTOM_TYPES)");
            }
            all.add(t);
        }
        this.types = Set.copyOf(all);
        this.typeList = List.copyOf(all);
        // node names are DNS names, case-insensitive: one spelling, lower case, whatever the hostname says
        this.defaultNode = Names.isValidNode(defaultNode) ? defaultNode.toLowerCase(Locale.ROOT) : defaultNode;
        this.payloadMaxBytes = payloadMaxBytes;
        this.payloadMaxDepth = payloadMaxDepth;
        this.maxFutureSkew = maxFutureSkew;
        // the payload's size is counted in the bytes the store writes (ExactJson's rules), whatever mapper is given
        this.mapper = ExactJson.configure(mapper.copy());
        this.clock = clock;
    }

    private final List<String> typeList;

    /** Allowed types in a stable order: the ten normalized ones, then custom ones. */
    public List<String> types() {
        return typeList;
    }

    public String defaultNode() {
        return defaultNode;
    }

    /** Validates a draft and builds the event to store, with the draft's id or else a fresh one. */
    public Event toEvent(EventDraft d) {
        List<FieldError> errors = new ArrayList<>();
        UUID id = d.id() != null ? d.id() : UUID.randomUUID();

        Instant now = Timestamps.truncate(clock.instant());
        Instant timestamp = now;
        if (d.timestamp() != null) {
            try {
                timestamp = Timestamps.parseIso(d.timestamp());
                int digits = Timestamps.fractionDigits(d.timestamp());
                if (digits > Timestamps.MAX_FRACTION_DIGITS) {
                    errors.add(error("timestamp", d.timestamp(), "has " + digits + " fraction digits; at most "
                            + Timestamps.MAX_FRACTION_DIGITS + " fraction digits (microseconds) are allowed: round or cut "
                            + "the value, nothing is cut silently"));
                } else if (timestamp.isAfter(now.plus(maxFutureSkew))) {
                    errors.add(error("timestamp", d.timestamp(), "is more than " + maxFutureSkew.toHours()
                            + "h ahead of this node's clock (" + Timestamps.toJson(now)
                            + "); fix the clock or omit timestamp"));
                } else if (timestamp.isBefore(Instant.parse("1970-01-01T00:00:00Z"))
                        || timestamp.isAfter(Instant.parse("9999-12-31T23:59:59Z"))) {
                    errors.add(error("timestamp", d.timestamp(), "must be between 1970 and 9999"));
                }
            } catch (DateTimeParseException e) {
                errors.add(error("timestamp", d.timestamp(),
                        "must be an ISO 8601 instant with an offset, e.g. 2026-11-26T23:47:51.123456Z or 2026-11-27T00:47:51+01:00"));
            }
        }

        String node = d.node() == null ? defaultNode : d.node();
        if (!Names.isValidNode(node)) {
            errors.add(error("node", node, "must be a hostname: letters, digits, '-' and '.', labels of 1-63 characters "
                    + "not starting or ending with '-', at most " + Names.NODE_MAX_LENGTH + " characters"));
        } else {
            node = node.toLowerCase(Locale.ROOT); // DNS names are case-insensitive: PI4 and pi4 are one node
        }

        if (d.type() == null) {
            errors.add(error("type", null, "is required; allowed: " + String.join(", ", typeList)));
        } else if (!types.contains(d.type())) {
            errors.add(error("type", d.type(), "is not an allowed type; allowed: " + String.join(", ", typeList)
                    + " (a homelab adds its own with HOMELAB_EVENTS_CUSTOM_TYPES)"));
        }

        Optional<Severity> severity = d.severity() == null ? Optional.empty() : Severity.parse(d.severity());
        if (severity.isEmpty()) {
            errors.add(error("severity", d.severity(), (d.severity() == null ? "is required" : "is not allowed")
                    + "; allowed: " + String.join(", ", Severity.NAMES)));
        }

        checkName("source", d.source(), errors);
        checkName("service", d.service(), errors);

        String correlationId = d.correlationId();
        if (correlationId == null || correlationId.isEmpty()) {
            correlationId = id.toString();
        } else if (correlationId.isBlank()) {
            // a blank id would be stored and then be unreachable: get_causal_chain refuses a blank id
            errors.add(error("correlation_id", correlationId, "must not be blank; omit it (or send \"\") to use the "
                    + "event's own id"));
        } else {
            checkText("correlation_id", correlationId, false, errors);
        }

        ObjectNode payload = mapper.createObjectNode();
        if (d.payload() != null && !d.payload().isNull()) {
            if (!d.payload().isObject()) {
                errors.add(error("payload", kindOf(d.payload()), "must be a JSON object, e.g. {\"version\": \"1.0\"}"));
            } else {
                payload = (ObjectNode) d.payload();
                ExactJson.firstLoneSurrogate(payload, "payload").ifPresent(path -> errors.add(error("payload", path,
                        "holds a lone surrogate at " + Text.echo(path, VALUE_MAX_CHARS)
                                + " (an escaped \\uD800-\\uDFFF without its pair): not "
                                + "valid Unicode, so no JSON tool could read it back; send the character itself or a valid pair")));
                ExactJson.firstNonFiniteNumber(payload, "payload").ifPresent(path -> errors.add(error("payload", path,
                        "holds a number that is not finite (Infinity or NaN) at " + Text.echo(path, VALUE_MAX_CHARS)
                                + ": JSON has no such number")));
                int depth = depth(payload);
                if (depth > payloadMaxDepth) {
                    errors.add(error("payload", "depth " + depth, "is nested deeper than " + payloadMaxDepth + " levels"));
                }
                int size = serializedSize(payload);
                if (size > payloadMaxBytes) {
                    errors.add(
                            error("payload", size + " bytes", "is larger than " + payloadMaxBytes + " bytes of compact JSON"));
                }
            }
        }

        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new Event(id, timestamp, node, d.type(), severity.get(), d.source(), d.service(), correlationId, payload,
                Map.of());
    }

    /** Source and service: required free text that must not look like a path. */
    private static void checkName(String field, String value, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(error(field, value, "is required and must not be blank"));
            return;
        }
        if (checkText(field, value, true, errors) && (value.indexOf('/') >= 0 || value.indexOf('\\') >= 0)) {
            errors.add(error(field, value, "must not contain '/' or '\\'"));
        }
    }

    /** Length and character rules shared by source, service and correlation_id; false when it added an error. */
    private static boolean checkText(String field, String value, boolean name, List<FieldError> errors) {
        int length = Names.length(value);
        if (length > Names.TEXT_MAX_LENGTH) {
            errors.add(error(field, value, "is " + length + " characters; at most " + Names.TEXT_MAX_LENGTH + " allowed"));
            return false;
        }
        int bad = Names.firstForbiddenCharacter(value);
        if (bad >= 0) {
            errors.add(error(field, value, "contains " + Names.describeForbidden(bad) + "; control characters, "
                    + "invisible format characters (zero-width, BOM, bidirectional), line and paragraph separators and "
                    + "lone surrogates are not allowed: names that look the same must be the same name"));
            return false;
        }
        int mixed = Names.firstMixedScript(value);
        if (mixed >= 0) {
            errors.add(error(field, value, String.format("mixes look-alike scripts inside a word (U+%04X follows a "
                    + "letter of another script among Latin, Greek and Cyrillic); write each word in one script",
                    value.codePointAt(mixed))));
            return false;
        }
        return true;
    }

    private int serializedSize(JsonNode n) {
        try {
            return mapper.writeValueAsString(n).getBytes(StandardCharsets.UTF_8).length;
        } catch (JsonProcessingException e) {
            return Integer.MAX_VALUE;
        }
    }

    static int depth(JsonNode n) {
        if (!n.isContainerNode()) {
            return 0;
        }
        int max = 0;
        for (Iterator<JsonNode> it = n.elements(); it.hasNext();) {
            max = Math.max(max, depth(it.next()));
        }
        return max + 1;
    }

    private static String kindOf(JsonNode n) {
        if (n.isArray()) {
            return "an array";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    /** Values in messages are shortened and escaped so they can neither flood nor forge a log line. */
    static FieldError error(String field, String value, String message) {
        return new FieldError(field, Text.echo(value, VALUE_MAX_CHARS), message);
    }
}
