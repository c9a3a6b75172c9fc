package dev.homelab.events.audit;

import java.util.List;

/**
 * The answer of a verification: {@code ok} when no problem was found; {@code checked} event files compared
 * with their seals; {@code problems}, each a sign that the record is not the one that was written;
 * {@code notices}, findings that are not tampering (late arrivals, torn lines, open days); {@code days} node-days
 * and {@code digests} signed digests examined.
 */
public record AuditReport(boolean ok, long checked, List<Finding> problems, List<Finding> notices, int days, int digests) {
}
