package dev.homelab.events.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.service.Incidents;

/**
 * Open incidents for people: the list of the {@code list_open_incidents} tool (same definition, order and
 * window) with each incident's nodes and open remediation steps, so the console's landing page renders from one
 * request. The agent tool stays compact (its answer goes into a model's context).
 */
@Path("/api/incidents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "events")
public class IncidentResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    @Inject
    Incidents incidents;

    @GET
    @Operation(summary = "Open incidents", description = "Causal chains with a failure that is not resolved, most "
            + "recently active first, with their nodes and open remediation steps; total counts them all.")
    public Incidents.DetailedList open(
            @Parameter(description = "Only chains active since: ISO 8601, 'now-1h' or '7d'; default 30d") @QueryParam("since") String since,
            @Parameter(description = "Page size, 1-200, default 50") @QueryParam("limit") String limit) {
        return incidents.detailed(since, limit(limit));
    }

    static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException("limit", limit, "must be a whole number between 1 and " + MAX_LIMIT);
    }
}
