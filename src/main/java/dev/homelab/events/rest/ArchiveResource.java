package dev.homelab.events.rest;

import java.time.LocalDate;
import java.time.ZoneOffset;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.homelab.events.archive.ArchiveService;
import dev.homelab.events.archive.DayArchiver;
import dev.homelab.events.archive.Manifest;

@Path("/api/archive")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "archive")
public class ArchiveResource {

    @Inject
    ArchiveService archives;

    @GET
    @Operation(summary = "Archived days and the retention policy")
    public ArchiveService.ArchiveList list() {
        return archives.list();
    }

    @GET
    @Path("{date}")
    @Operation(summary = "Verify one archive", description = "Reads the archive back, checks every file against its manifest "
            + "checksum and returns the manifest; 503 when it fails verification.")
    public Manifest verify(@PathParam("date") String date) {
        return archives.verify(date);
    }

    @POST
    @Path("{date}")
    @Operation(summary = "Archive one day now", description = "Writes <archive>/<date>.zip, verifies it, then removes the "
            + "day's live files. Idempotent. Only days before today (UTC).")
    public DayArchiver.Result archive(@PathParam("date") String date) {
        return archives.archiveDay(date, true);
    }

    @POST
    @Path("run")
    @Operation(summary = "Apply the retention policy now", description = "Archives live days older than keep-days and deletes "
            + "archives older than delete-archives-after-days when set.")
    public ArchiveService.RetentionRun run() {
        return archives.runRetention(LocalDate.now(ZoneOffset.UTC));
    }

    @POST
    @Path("restore/{date}")
    @Operation(summary = "Restore an archived day", description = "Writes every archived file back into the live layout with "
            + "the durable write, then removes the archive; the day is then held live (retention skips it until it is "
            + "archived again by hand).")
    public ArchiveService.RestoreResult restore(@PathParam("date") String date) {
        return archives.restore(date);
    }

    /** The include_archived flag of listings and chains: true or false, anything else is named as bad input. */
    static boolean flag(String includeArchived) {
        if (includeArchived == null || includeArchived.isBlank() || includeArchived.equals("false")) {
            return false;
        }
        if (includeArchived.equals("true")) {
            return true;
        }
        throw new dev.homelab.events.InvalidInputException("include_archived", includeArchived, "allowed: true, false");
    }
}
