package dev.homelab.events.agent;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.EventDraft;
import dev.homelab.events.Timestamps;
import dev.homelab.events.service.EventService;

/**
 * The shared test fixture of the agent tools: several interleaved chains over nodes pi4, pi5 and nas and
 * two UTC days (the day before yesterday, late, and yesterday, early), including the specification's
 * deploy-882 flow. Seeded through the service (or, from a subprocess test, through emit_event) with explicit
 * timestamps and nodes.
 *
 * <pre>
 * deploy-882  mosquitto     pi4/pi5  started, failed at verify, remediation started, recovered  -> resolved
 * deploy-883  grafana       nas      started, failed at pull, remediation rollback open       -> remediating
 * hc-zigbee   zigbee2mqtt   pi5      healthcheck failed, restart started, completed failed   -> failed
 * pi5-outage  (node)        pi5      node_offline, node_online                                -> resolved
 * nas-outage  (node)        nas      node_offline                                             -> failed
 * deploy-884  homeassistant pi4      started, completed                                       -> resolved
 * </pre>
 */
public final class SeedChains {

    public static final String DEPLOY_882 = "deploy-882";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SeedChains() {
    }

    /** The first day of the fixture, 23:00 UTC two days ago: every event lies in the past, across two dates. */
    public static ZonedDateTime base() {
        return LocalDate.now(ZoneOffset.UTC).minusDays(2).atTime(23, 0).atZone(ZoneOffset.UTC);
    }

    /** The fixture's events in time order (interleaved across chains). */
    public static List<EventDraft> drafts() {
        ZonedDateTime d = base();
        List<EventDraft> out = new ArrayList<>();
        out.add(draft(d.plusMinutes(50), "pi4", "deployment_started", "info", "deploy.sh", "mosquitto", DEPLOY_882,
                "{\"version\":\"2.0.18\"}"));
        out.add(draft(d.plusMinutes(51).plusSeconds(35), "pi4", "deployment_failed", "error", "deploy.sh", "mosquitto",
                DEPLOY_882, "{\"stage\":\"verify\",\"error\":\"port 1883 not bound\"}"));
        out.add(draft(d.plusMinutes(52).plusSeconds(20), "pi4", "remediation_started", "warning", "diagnostics.sh",
                "mosquitto", DEPLOY_882, "{\"action\":\"restart_service\",\"step\":\"restart-mosquitto\"}"));
        out.add(draft(d.plusMinutes(55), "nas", "deployment_started", "info", "deploy.sh", "grafana", "deploy-883",
                "{\"version\":\"11.3.0\"}"));
        out.add(draft(d.plusMinutes(58), "pi5", "node_offline", "critical", "watchdog.sh", "system", "pi5-outage",
                "{\"reason\":\"power\"}"));
        // crosses midnight UTC: the rest of the fixture is on the next date
        out.add(draft(d.plusHours(1).plusMinutes(2), "pi5", "node_online", "info", "watchdog.sh", "system", "pi5-outage",
                null));
        out.add(draft(d.plusHours(1).plusMinutes(5), "pi5", "service_recovered", "info", "healthcheck.sh", "mosquitto",
                DEPLOY_882, "{\"port\":1883}"));
        out.add(draft(d.plusHours(1).plusMinutes(10), "nas", "deployment_failed", "error", "deploy.sh", "grafana", "deploy-883",
                "{\"stage\":\"pull\",\"error\":\"image not found\",\"log\":\"" + "x".repeat(3000) + "\"}"));
        out.add(draft(d.plusHours(1).plusMinutes(12), "nas", "remediation_started", "warning", "agent-ops", "grafana",
                "deploy-883", "{\"action\":\"rollback\",\"step\":\"rollback-11.2\"}"));
        out.add(draft(d.plusHours(2), "pi5", "healthcheck_failed", "error", "healthcheck.sh", "zigbee2mqtt", "hc-zigbee",
                "{\"check\":\"http\",\"error\":\"connection refused\"}"));
        out.add(draft(d.plusHours(2).plusMinutes(5), "pi5", "remediation_started", "warning", "agent-ops", "zigbee2mqtt",
                "hc-zigbee", "{\"action\":\"restart_service\",\"step\":\"restart-z2m\"}"));
        out.add(draft(d.plusHours(2).plusMinutes(7), "pi5", "remediation_completed", "error", "agent-ops", "zigbee2mqtt",
                "hc-zigbee", "{\"action\":\"restart_service\",\"step\":\"restart-z2m\",\"result\":\"failed\"}"));
        out.add(draft(d.plusHours(2).plusMinutes(30), "pi4", "deployment_started", "info", "deploy.sh", "homeassistant",
                "deploy-884", "{\"version\":\"2026.11.1\"}"));
        out.add(draft(d.plusHours(2).plusMinutes(35), "pi4", "deployment_completed", "info", "deploy.sh", "homeassistant",
                "deploy-884", null));
        out.add(draft(d.plusHours(3), "nas", "node_offline", "critical", "watchdog.sh", "system", "nas-outage", null));
        return out;
    }

    /** Seeds the fixture once per store (several test classes share one application and its temp store). */
    public static synchronized void ensureSeeded(EventService service) {
        if (!service.correlationIds().contains(DEPLOY_882)) {
            drafts().forEach(service::emit);
        }
    }

    /** The fixture as emit_event arguments, for tests that seed a separate process through its tools. */
    public static List<Map<String, Object>> asToolArguments() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (EventDraft d : drafts()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("timestamp", d.timestamp());
            m.put("node", d.node());
            m.put("type", d.type());
            m.put("severity", d.severity());
            m.put("source", d.source());
            m.put("service", d.service());
            m.put("correlation_id", d.correlationId());
            if (d.payload() != null) {
                m.put("payload", MAPPER.convertValue(d.payload(), Map.class));
            }
            out.add(m);
        }
        return out;
    }

    private static EventDraft draft(ZonedDateTime at, String node, String type, String severity, String source,
            String service, String cid, String payload) {
        try {
            ObjectNode p = payload == null ? null : (ObjectNode) MAPPER.readTree(payload);
            return new EventDraft(Timestamps.toJson(at.toInstant()), node, type, severity, source, service, cid, p);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
