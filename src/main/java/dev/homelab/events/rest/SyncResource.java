package dev.homelab.events.rest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.service.Replication;
import dev.homelab.events.sync.ExportPage;
import dev.homelab.events.sync.SyncService;

@Path("/api/sync")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "sync")
public class SyncResource {

    @Inject
    SyncService sync;
    @Inject
    Replication replication;

    @GET
    @Path("export")
    @Operation(summary = "Export files for a peer", description = "This node's event files in arrival order after a cursor, "
            + "each with its id, path and exact bytes (base64). Arrival order, not timestamps, so late events never slip "
            + "behind a cursor. Pass next_cursor back until has_more is false.")
    public ExportPage export(
            @Parameter(description = "next_cursor of the previous page; empty to start") @QueryParam("after") String after,
            @Parameter(description = "Files per page, 1-1000, default 200") @QueryParam("limit") String limit) {
        return sync.export(after, parseLimit(limit));
    }

    @POST
    @Path("run")
    @Operation(summary = "Sync now", description = "Pulls every configured peer (or only ?peer=name) now, ignoring backoff; "
            + "returns per peer what was written, skipped as identical, and reported as conflicts.")
    public List<Replication.PeerRun> run(
            @Parameter(description = "Only this peer (its configured name)") @QueryParam("peer") String peer) {
        return replication.runNow(peer);
    }

    @GET
    @Path("status")
    @Operation(summary = "Sync status per peer and of NATS", description = "Per peer: last success, last error, events "
            + "pulled, lag, state (online, failing, offline, never_synced). nats: {\"enabled\": false} when off, else "
            + "connection state, servers, stream, outbox backlog, consumer lag, counters, last error.")
    public Replication.Status status() {
        return replication.status(null);
    }

    private static Integer parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(limit.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("limit", limit,
                    "must be a whole number between 1 and " + SyncService.EXPORT_MAX_LIMIT);
        }
    }
}
