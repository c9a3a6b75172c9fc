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

import dev.homelab.events.service.EventService;

/**
 * Where each event of a chain is stored: the file that is the source of truth, as the index knows it (a file
 * written by another tool may have any name, so the path is not derived from the naming grammar). For the
 * console's chain view; from index entries only, no file is read.
 */
@Path("/api/chains/{correlation_id}/files")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "events")
public class ChainFilesResource {

    /** Files listed per chain at most; a longer chain lists its most recent ones. */
    static final int MAX_FILES = 1000;

    public record File(String id, String path) {
    }

    public record Files(@JsonProperty("correlation_id") String correlationId, String root, List<File> files,
            @JsonProperty("has_more") boolean hasMore) {
    }

    @Inject
    EventService service;

    @GET
    @Operation(summary = "Files of a causal chain", description = "Each event's file, relative to the store root, "
            + "newest first (at most 1000).")
    public Files files(@PathParam("correlation_id") String correlationId) {
        if (correlationId == null || correlationId.isBlank()) {
            // a blank filter would match every event: a chain has a non-blank id
            return new Files(correlationId, service.root().toString(), List.of(), false);
        }
        EventService.EventFiles page = service.chainFiles(correlationId, MAX_FILES);
        List<File> files = page.files().stream().map(f -> new File(f.id().toString(), f.path())).toList();
        return new Files(correlationId, service.root().toString(), files, page.hasMore());
    }
}
