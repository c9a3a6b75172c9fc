package dev.homelab.events.agent;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.audit.AuditReport;
import dev.homelab.events.audit.AuditService;
import dev.homelab.events.audit.Finding;

/** The audit tool, on top of {@link AuditService}; reached through {@link ToolCatalog} like every tool. */
@ApplicationScoped
public class AuditTools {

    /** Problems listed in a tool answer at most (about 60 tokens each); the total counts them all. */
    static final int LISTED = 10;

    @Inject
    AuditService audit;

    public ToolResults.AuditVerification verifyAuditTrail(ToolArgs.VerifyAuditTrail a) {
        AuditReport r = audit.verify(a.since(), a.until(), a.node());
        List<Finding> problems = r.problems().size() <= LISTED ? r.problems() : r.problems().subList(0, LISTED);
        return new ToolResults.AuditVerification(r.ok(), r.checked(), problems, r.problems().size());
    }
}
