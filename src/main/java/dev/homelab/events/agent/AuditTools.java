package dev.homelab.events.agent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.audit.AuditReport;
import dev.homelab.events.audit.AuditService;

/** The audit tool, on top of {@link AuditService}; reached through {@link ToolCatalog} like every tool. */
@ApplicationScoped
public class AuditTools {

    @Inject
    AuditService audit;

    public AuditReport verifyAuditTrail(ToolArgs.VerifyAuditTrail a) {
        return audit.verify(a.since(), a.until(), a.node());
    }
}
