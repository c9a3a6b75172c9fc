package dev.homelab.events.rest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import dev.homelab.events.ingest.AlertmanagerIngest;
import dev.homelab.events.ingest.Ingested;

/** Receivers for tools that already watch the homelab (docs/ingest.md). Writes: the bearer token applies. */
@Path("/api/ingest")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "ingest")
public class IngestResource {

    @Inject
    AlertmanagerIngest alertmanager;

    /** What one notification did: each alert's event id and whether this delivery wrote it. */
    public record IngestReport(int received, int written, int repeats, List<Item> events) {
    }

    public record Item(String id, String type, @JsonProperty("correlation_id") String correlationId, boolean written) {
    }

    @POST
    @Path("/alertmanager")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Alertmanager webhook receiver", description = "Accepts Alertmanager's webhook payload "
            + "(version 4); each alert becomes one event, a re-sent notification writes nothing new.")
    public IngestReport alertmanager(JsonNode notification) {
        List<Ingested> done = alertmanager.record(notification);
        List<Item> items = done.stream().map(i -> new Item(i.event().id().toString(), i.event().type(),
                i.event().correlationId(), i.written())).toList();
        int written = (int) done.stream().filter(Ingested::written).count();
        return new IngestReport(done.size(), written, done.size() - written, items);
    }
}
