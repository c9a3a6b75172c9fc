package dev.homelab.events.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.EventDraft;
import dev.homelab.events.EventTypes;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Names;
import dev.homelab.events.Severity;
import dev.homelab.events.Text;
import dev.homelab.events.Timestamps;

/**
 * Alertmanager's webhook payload (version 4) to event drafts, one per alert. The rules, documented in
 * docs/ingest.md:
 * <ul>
 * <li>firing: {@code service_unhealthy} when the type label (default {@code severity}) has one of the unhealthy
 * values (default critical, error), else {@code healthcheck_failed}; severity is the label's value when it is one
 * of ours, else error (unhealthy) or warning; timestamp {@code startsAt}.</li>
 * <li>resolved: {@code service_recovered}, severity info, timestamp {@code endsAt}.</li>
 * <li>service: the first present of the service labels (default job, service), else {@code alertname}; node: the
 * host part of {@code instance}, lower-cased and made a hostname, else the server's node; source
 * {@code alertmanager}; correlation id {@code alert-<fingerprint>}.</li>
 * <li>id: a name-based UUID of fingerprint, status and startsAt, so a re-sent notification maps to the same
 * id.</li>
 * </ul>
 */
public final class AlertmanagerMapping {

    public static final String SOURCE = "alertmanager";
    /** Alertmanager's "no end time" of a firing alert. */
    private static final String ZERO_TIME_PREFIX = "0001-01-01";

    private final String typeLabel;
    private final Set<String> unhealthyValues;
    private final List<String> serviceLabels;
    private final ObjectMapper mapper;

    public AlertmanagerMapping(String typeLabel, List<String> unhealthyValues, List<String> serviceLabels,
            ObjectMapper mapper) {
        this.typeLabel = typeLabel;
        this.unhealthyValues = unhealthyValues.stream().map(v -> v.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        this.serviceLabels = List.copyOf(serviceLabels);
        this.mapper = mapper;
    }

    /** Every alert of a notification as a draft with its derived id; throws naming each bad field. */
    public List<EventDraft> drafts(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new InvalidInputException("body", null, "must be an Alertmanager webhook notification (a JSON object)");
        }
        JsonNode version = body.get("version");
        if (version != null && !"4".equals(version.asText())) {
            throw new InvalidInputException("version", version.asText(), "is not supported; Alertmanager sends version 4");
        }
        JsonNode alerts = body.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new InvalidInputException("alerts", null, "is required: the array of alerts of the notification");
        }
        List<EventDraft> drafts = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            EventDraft d = draft(alerts.get(i), "alerts[" + i + "].", body, errors);
            if (d != null) {
                drafts.add(d);
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return drafts;
    }

    private EventDraft draft(JsonNode alert, String at, JsonNode notification, List<FieldError> errors) {
        if (!alert.isObject()) {
            errors.add(new FieldError(at.substring(0, at.length() - 1), null, "must be an alert object"));
            return null;
        }
        int before = errors.size();
        String status = text(alert, "status");
        boolean firing = "firing".equals(status);
        if (!firing && !"resolved".equals(status)) {
            errors.add(error(at + "status", status, "must be firing or resolved"));
        }
        String fingerprint = text(alert, "fingerprint");
        if (fingerprint == null || fingerprint.isBlank()) {
            errors.add(error(at + "fingerprint", fingerprint, "is required: it ties an alert's firing and resolution"));
        }
        Instant startsAt = instant(alert, "startsAt", at, errors, true);
        Instant endsAt = instant(alert, "endsAt", at, errors, !firing);
        JsonNode labels = alert.path("labels");
        if (!labels.isObject()) {
            errors.add(error(at + "labels", null, "must be an object of label names to values"));
        }
        if (errors.size() > before) {
            return null;
        }

        String typeValue = label(labels, typeLabel);
        String type;
        String severity;
        if (firing) {
            boolean unhealthy = typeValue != null && unhealthyValues.contains(typeValue.toLowerCase(Locale.ROOT));
            type = unhealthy ? EventTypes.SERVICE_UNHEALTHY : EventTypes.HEALTHCHECK_FAILED;
            severity = typeValue != null && Severity.parse(typeValue.toLowerCase(Locale.ROOT)).isPresent()
                    ? typeValue.toLowerCase(Locale.ROOT)
                    : unhealthy ? "error" : "warning";
        } else {
            type = EventTypes.SERVICE_RECOVERED;
            severity = "info";
        }

        ObjectNode payload = mapper.createObjectNode();
        payload.put("status", status);
        payload.set("labels", labels);
        payload.set("annotations", alert.path("annotations").isObject() ? alert.get("annotations") : mapper.createObjectNode());
        payload.put("startsAt", text(alert, "startsAt"));
        payload.put("endsAt", text(alert, "endsAt"));
        payload.put("generatorURL", text(alert, "generatorURL"));
        payload.put("fingerprint", fingerprint);
        payload.put("receiver", text(notification, "receiver"));
        payload.put("externalURL", text(notification, "externalURL"));

        Instant when = firing ? startsAt : endsAt;
        UUID id = UUID.nameUUIDFromBytes((SOURCE + "\n" + fingerprint + "\n" + status + "\n" + startsAt)
                .getBytes(StandardCharsets.UTF_8));
        return new EventDraft(when == null ? null : Timestamps.toJson(when), node(label(labels, "instance")), type,
                severity, SOURCE, service(labels), "alert-" + fingerprint, payload, id);
    }

    private String service(JsonNode labels) {
        for (String name : serviceLabels) {
            String v = label(labels, name.trim());
            if (v != null && !v.isBlank()) {
                return asName(v);
            }
        }
        String alertname = label(labels, "alertname");
        return alertname == null || alertname.isBlank() ? "unknown" : asName(alertname);
    }

    /** Our service and source must not look like a path. */
    private static String asName(String v) {
        return v.replace('/', '-').replace('\\', '-');
    }

    /**
     * The host part of an {@code instance} label ({@code host:9100}, {@code [2001:db8::1]:9100},
     * {@code https://host/path}) as a hostname; null (the server's node) when nothing valid is left.
     */
    static String node(String instance) {
        if (instance == null || instance.isBlank()) {
            return null;
        }
        String h = instance.trim();
        int scheme = h.indexOf("://");
        if (scheme >= 0) {
            h = h.substring(scheme + 3);
        }
        int slash = h.indexOf('/');
        if (slash >= 0) {
            h = h.substring(0, slash);
        }
        int userinfo = h.lastIndexOf('@');
        if (userinfo >= 0) {
            h = h.substring(userinfo + 1);
        }
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            h = close > 0 ? h.substring(1, close) : h.substring(1);
        } else if (h.indexOf(':') == h.lastIndexOf(':') && h.indexOf(':') >= 0) {
            h = h.substring(0, h.indexOf(':')); // host:port; more than one ':' is a bare IPv6 address
        }
        StringBuilder b = new StringBuilder();
        for (char c : h.toLowerCase(Locale.ROOT).toCharArray()) {
            b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ? c : '-');
        }
        List<String> labels = new ArrayList<>();
        for (String label : b.toString().split("\\.")) {
            String l = label.replaceAll("^-+|-+$", "");
            if (l.length() > 63) {
                l = l.substring(0, 63).replaceAll("-+$", "");
            }
            if (!l.isEmpty()) {
                labels.add(l);
            }
        }
        String node = String.join(".", labels);
        if (node.length() > Names.NODE_MAX_LENGTH) {
            node = node.substring(0, Names.NODE_MAX_LENGTH).replaceAll("[.-]+$", "");
        }
        return Names.isValidNode(node) ? node : null;
    }

    private static Instant instant(JsonNode alert, String field, String at, List<FieldError> errors, boolean required) {
        String v = text(alert, field);
        if (v == null || v.startsWith(ZERO_TIME_PREFIX)) {
            if (required) {
                errors.add(error(at + field, v, "is required: an RFC 3339 time"));
            }
            return null;
        }
        try {
            return Timestamps.parseIso(v);
        } catch (DateTimeParseException e) {
            errors.add(error(at + field, v, "must be an RFC 3339 time such as 2026-11-29T22:00:00.123Z"));
            return null;
        }
    }

    private static String label(JsonNode labels, String name) {
        JsonNode v = labels.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static FieldError error(String field, String value, String message) {
        return new FieldError(field, Text.echo(value, 80), message);
    }
}
