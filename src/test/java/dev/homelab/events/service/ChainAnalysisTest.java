package dev.homelab.events.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.Severity;
import dev.homelab.events.service.ChainAnalysis.RemediationStep;

/** The outcome, failure and remediation pairing rules of a chain, on hand-built events. */
class ChainAnalysisTest {

    static final ObjectMapper M = new ObjectMapper();
    final List<Event> chain = new ArrayList<>();
    Instant t = Instant.parse("2026-11-25T23:50:00Z");

    Event add(String type, Severity severity, String payload) {
        try {
            t = t.plusSeconds(60);
            Event e = new Event(UUID.randomUUID(), t, "pi4", type, severity, "test.sh", "mosquitto", "c-1",
                    payload == null ? null : (ObjectNode) M.readTree(payload), Map.of());
            chain.add(e);
            return e;
        } catch (java.io.IOException x) {
            throw new AssertionError(x);
        }
    }

    @Test
    void deploy882FlowIsResolvedWithItsFailureAndOpenStep() {
        add("deployment_started", Severity.INFO, null);
        assertEquals("in_progress", ChainAnalysis.outcome(chain));
        add("deployment_failed", Severity.ERROR, "{\"stage\":\"verify\",\"error\":\"port 1883 not bound\"}");
        assertEquals("failed", ChainAnalysis.outcome(chain));
        add("remediation_started", Severity.WARNING, "{\"action\":\"restart_service\",\"step\":\"restart-mosquitto\"}");
        assertEquals("remediating", ChainAnalysis.outcome(chain));
        add("service_recovered", Severity.INFO, null);
        assertEquals("resolved", ChainAnalysis.outcome(chain));
        assertEquals("verify", ChainAnalysis.failure(chain).stage());
        assertEquals("port 1883 not bound", ChainAnalysis.failure(chain).error());
        assertEquals("open", ChainAnalysis.remediations(chain).get(0).status());
    }

    @Test
    void completionClosesTheStartWithTheSameStepKeyNotTheLatest() {
        add("healthcheck_failed", Severity.ERROR, null);
        Event a = add("remediation_started", Severity.WARNING, "{\"action\":\"restart\",\"step\":\"a\"}");
        add("remediation_started", Severity.WARNING, "{\"action\":\"flush\",\"step\":\"b\"}");
        add("remediation_completed", Severity.INFO, "{\"step\":\"a\",\"result\":\"succeeded\"}");
        List<RemediationStep> steps = ChainAnalysis.remediations(chain);
        assertEquals("completed", steps.get(0).status());
        assertEquals(a.id().toString(), steps.get(0).startedEventId());
        assertEquals(120L, steps.get(0).elapsedSeconds(), "a started two minutes before its completion");
        assertEquals("open", steps.get(1).status());
        assertEquals("remediating", ChainAnalysis.outcome(chain), "step b is still open");
        add("remediation_completed", Severity.INFO, "{\"step\":\"b\"}");
        assertEquals("resolved", ChainAnalysis.outcome(chain));
    }

    @Test
    void failedCompletionFailsTheChainAndStartedEventIdWinsOverStepKey() {
        Event first = add("remediation_started", Severity.WARNING, "{\"step\":\"x\"}");
        add("remediation_started", Severity.WARNING, "{\"step\":\"x2\"}");
        add("remediation_completed", Severity.ERROR,
                "{\"step\":\"x2\",\"started_event_id\":\"" + first.id() + "\",\"result\":\"failed\"}");
        List<RemediationStep> steps = ChainAnalysis.remediations(chain);
        assertEquals("completed", steps.get(0).status());
        assertEquals("failed", steps.get(0).result());
        assertEquals("open", steps.get(1).status());
        assertEquals("failed", ChainAnalysis.outcome(chain));
    }

    @Test
    void completionWithoutStartIsListedOnItsOwn() {
        add("remediation_completed", Severity.INFO, "{\"action\":\"manual_fix\"}");
        RemediationStep s = ChainAnalysis.remediations(chain).get(0);
        assertNull(s.startedAt());
        assertEquals("manual_fix", s.step());
        assertNull(ChainAnalysis.failure(chain));
    }

    @Test
    void customTypeOnlyFailsTheChainAtErrorSeverity() {
        add("backup_started", Severity.INFO, null);
        assertEquals("in_progress", ChainAnalysis.outcome(chain));
        add("backup_failed", Severity.ERROR, null);
        assertEquals("failed", ChainAnalysis.outcome(chain));
    }
}
