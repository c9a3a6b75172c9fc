package dev.homelab.events.rest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.homelab.events.Event;
import dev.homelab.events.service.EventService;

@Path("/api/chains")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "events")
public class ChainResource {

    public record Chain(@JsonProperty("correlation_id") String correlationId, int count, List<Event> events) {
    }

    @Inject
    EventService service;

    @GET
    @Path("{correlation_id}")
    @Operation(summary = "Causal chain", description = "Every event of one correlation id, oldest first, across nodes and dates.")
    public Chain chain(@PathParam("correlation_id") String correlationId,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "Also search archived days") @jakarta.ws.rs.QueryParam("include_archived") String includeArchived) {
        List<Event> events = service.chain(correlationId, EventResource.includeArchived(includeArchived));
        return new Chain(correlationId, events.size(), events);
    }
}
