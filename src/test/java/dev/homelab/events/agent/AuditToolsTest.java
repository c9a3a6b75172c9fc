package dev.homelab.events.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.homelab.events.audit.AuditReport;
import dev.homelab.events.audit.AuditService;
import dev.homelab.events.audit.Finding;

/** verify_audit_trail keeps its answer small: the first ten problems, the total of all; the arguments go through. */
class AuditToolsTest {

    private static AuditTools toolsAnswering(AuditReport report, List<String> asked) {
        AuditTools tools = new AuditTools();
        tools.audit = new AuditService() {
            @Override
            public AuditReport verify(String since, String until, String node) {
                asked.add(since + "|" + until + "|" + node);
                return report;
            }
        };
        return tools;
    }

    @Test
    void aLongListOfProblemsIsCutAtTenAndCounted() {
        List<Finding> problems = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            problems.add(new Finding(String.format("2026-01-01/pi4/f%02d.json", i), "content differs from its seal",
                    Finding.Kind.MODIFIED));
        }
        List<String> asked = new ArrayList<>();
        ToolResults.AuditVerification v = toolsAnswering(
                new AuditReport(false, 40, problems, List.of(new Finding("x", "open", Finding.Kind.OPEN_DAY)), 3, 2), asked)
                .verifyAuditTrail(new ToolArgs.VerifyAuditTrail("2026-01-01", "2026-01-02", "pi4"));
        assertEquals(List.of("2026-01-01|2026-01-02|pi4"), asked);
        assertFalse(v.ok());
        assertEquals(40, v.checked());
        assertEquals(25, v.problemsTotal());
        assertEquals(problems.subList(0, 10), v.problems());
    }

    @Test
    void aShortListIsPassedWhole() {
        List<Finding> problems = List.of(new Finding("a", "gone", Finding.Kind.DELETED));
        ToolResults.AuditVerification v = toolsAnswering(new AuditReport(false, 1, problems, List.of(), 1, 1),
                new ArrayList<>()).verifyAuditTrail(new ToolArgs.VerifyAuditTrail(null, null, null));
        assertSame(problems, v.problems());
        assertEquals(1, v.problemsTotal());
        ToolResults.AuditVerification clean = toolsAnswering(new AuditReport(true, 5, List.of(), List.of(), 1, 1),
                new ArrayList<>()).verifyAuditTrail(new ToolArgs.VerifyAuditTrail(null, null, null));
        assertTrue(clean.ok());
        assertEquals(0, clean.problemsTotal());
    }
}
