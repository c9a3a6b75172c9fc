package dev.homelab.events.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.EventDraft;
import dev.homelab.events.InvalidInputException;

/** The documented rules of docs/ingest.md for Alertmanager notifications, without a server. */
class AlertmanagerMappingTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    final AlertmanagerMapping mapping = new AlertmanagerMapping("severity", List.of("critical", "error"),
            List.of("job", "service"), MAPPER);

    static JsonNode notification(String status, String labels, String startsAt, String endsAt) throws Exception {
        return MAPPER.readTree("""
                {"version": "4", "status": "%1$s", "receiver": "homelab", "externalURL": "http://am:9093",
                 "alerts": [{"status": "%1$s", "labels": %2$s, "annotations": {"summary": "down"},
                   "startsAt": "%3$s", "endsAt": "%4$s", "generatorURL": "http://prom/graph", "fingerprint": "a1b2c3"}]}
                """.formatted(status, labels, startsAt, endsAt));
    }

    EventDraft one(String status, String labels) throws Exception {
        return mapping.drafts(notification(status, labels, "2026-11-29T10:00:00.123456789Z",
                status.equals("firing") ? "0001-01-01T00:00:00Z" : "2026-11-29T10:05:00Z")).get(0);
    }

    @ParameterizedTest
    @CsvSource({ "critical, service_unhealthy, critical", "error, service_unhealthy, error",
            "warning, healthcheck_failed, warning", "page, healthcheck_failed, warning" })
    void firingTypeAndSeverityFollowTheSeverityLabel(String label, String type, String severity) throws Exception {
        EventDraft d = one("firing", "{\"job\": \"web\", \"severity\": \"" + label + "\"}");
        assertEquals(type, d.type());
        assertEquals(severity, d.severity());
        assertEquals("2026-11-29T10:00:00.123456Z", d.timestamp());
    }

    @Test
    void firingWithoutTheLabelIsAFailedHealthcheck() throws Exception {
        EventDraft d = one("firing", "{\"alertname\": \"Disk/Full\"}");
        assertEquals("healthcheck_failed", d.type());
        assertEquals("Disk-Full", d.service(), "alertname is the last resort, made path-free");
        assertNull(d.node(), "no instance: the server's own node");
    }

    @Test
    void resolvedIsARecoveryInTheSameChainWithItsOwnId() throws Exception {
        EventDraft firing = one("firing", "{\"service\": \"db\", \"severity\": \"critical\"}");
        EventDraft resolved = one("resolved", "{\"service\": \"db\", \"severity\": \"critical\"}");
        assertEquals("service_recovered", resolved.type());
        assertEquals("info", resolved.severity());
        assertEquals("2026-11-29T10:05:00.000000Z", resolved.timestamp());
        assertEquals("db", resolved.service());
        assertEquals("alert-a1b2c3", firing.correlationId());
        assertEquals(firing.correlationId(), resolved.correlationId());
        assertNotEquals(firing.id(), resolved.id());
        assertEquals(firing.id(), one("firing", "{\"service\": \"db\", \"severity\": \"critical\"}").id(),
                "a re-sent notification maps to the same id");
        assertEquals("alertmanager", firing.source());
        JsonNode p = firing.payload();
        assertEquals("down", p.path("annotations").path("summary").asText());
        assertEquals("http://prom/graph", p.path("generatorURL").asText());
        assertEquals("a1b2c3", p.path("fingerprint").asText());
        assertEquals("0001-01-01T00:00:00Z", p.path("endsAt").asText());
    }

    @Test
    void aLaterFiringOfTheSameAlertIsANewEvent() throws Exception {
        String labels = "{\"job\": \"web\"}";
        EventDraft first = mapping.drafts(notification("firing", labels, "2026-11-29T10:00:00Z", "0001-01-01T00:00:00Z"))
                .get(0);
        EventDraft again = mapping.drafts(notification("firing", labels, "2026-11-29T11:00:00Z", "0001-01-01T00:00:00Z"))
                .get(0);
        assertNotEquals(first.id(), again.id());
    }

    @ParameterizedTest
    @CsvSource({ "Web-01.LAN:9100, web-01.lan", "10.0.0.5:9100, 10.0.0.5", "'[2001:db8::1]:9100', 2001-db8--1",
            "https://nas.lan/metrics, nas.lan", "host_with_underscore, host-with-underscore", "node1, node1" })
    void nodeIsTheHostPartOfInstance(String instance, String node) {
        assertEquals(node, AlertmanagerMapping.node(instance));
    }

    @Test
    void nodeIsNullWhenNothingValidRemains() {
        assertNull(AlertmanagerMapping.node(":9100"));
        assertNull(AlertmanagerMapping.node("___"));
    }

    @Test
    void badNotificationsNameTheField() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> mapping.drafts(MAPPER.readTree("{\"version\": \"4\", \"alerts\": [{\"status\": \"pending\"}]}")));
        List<String> fields = e.errors().stream().map(f -> f.field()).toList();
        assertTrue(fields.containsAll(List.of("alerts[0].status", "alerts[0].fingerprint", "alerts[0].startsAt")),
                fields.toString());
        assertThrows(InvalidInputException.class,
                () -> mapping.drafts(MAPPER.readTree("{\"version\": \"3\", \"alerts\": []}")));
        assertThrows(InvalidInputException.class, () -> mapping.drafts(MAPPER.readTree("[]")));
    }
}
