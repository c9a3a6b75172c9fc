package dev.homelab.events.rest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.homelab.events.Event;
import dev.homelab.events.ingest.CloudEventsJson;
import dev.homelab.events.service.EventService;

@Path("/api/chains")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "events")
public class ChainResource {

    public record Chain(@JsonProperty("correlation_id") String correlationId, int count, List<Event> events) {
    }

    @Inject
    EventService service;
    @Inject
    CloudEventsJson cloudEvents;

    @GET
    @Path("{correlation_id}")
    @Produces({ MediaType.APPLICATION_JSON, CloudEventsJson.BATCH })
    @Operation(summary = "Causal chain", description = "Every event of one correlation id, oldest first, across nodes "
            + "and dates. With Accept: application/cloudevents-batch+json the chain is a CloudEvents 1.0 JSON batch "
            + "(docs/ingest.md), in the same order.")
    @APIResponse(responseCode = "200", description = "The chain", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Chain.class)),
            @Content(mediaType = CloudEventsJson.BATCH, schema = @Schema(type = SchemaType.ARRAY, description = "CloudEvents 1.0 in the JSON format, one per event")) })
    public Response chain(@Context HttpHeaders headers, @PathParam("correlation_id") String correlationId,
            @Parameter(description = "Also search archived days") @QueryParam("include_archived") String includeArchived) {
        List<Event> events = service.chain(correlationId, EventResource.includeArchived(includeArchived));
        return CloudEventsResource.wantsBatch(headers)
                ? CloudEventsResource.batch(cloudEvents, events)
                : Response.ok(new Chain(correlationId, events.size(), events), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
