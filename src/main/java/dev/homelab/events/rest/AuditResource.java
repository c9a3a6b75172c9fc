package dev.homelab.events.rest;

import java.util.Locale;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.homelab.events.audit.AuditReport;
import dev.homelab.events.audit.AuditService;
import dev.homelab.events.audit.Proof;
import dev.homelab.events.audit.ProofResult;
import dev.homelab.events.audit.PublicKeyInfo;

/** The audit trail over REST (docs/audit.md): verification and the public key. Inclusion proofs: {@link Proofs}. */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "audit")
public class AuditResource {

    @Inject
    AuditService audit;

    @GET
    @Path("verify")
    @Operation(summary = "Verify the audit trail", description = "Checks every sealed event file against its seal, every "
            + "digest's Ed25519 signature and chain, and looks for files added to closed days. ok is false when any "
            + "problem is found; notices (late arrivals, torn lines after a crash, open days) are not tampering.")
    public AuditReport verify(@QueryParam("since") String since, @QueryParam("until") String until,
            @QueryParam("node") String node) {
        return audit.verify(since, until, node);
    }

    @GET
    @Path("public-key")
    @Operation(summary = "This node's Ed25519 public key", description = "PEM; verify digests with it, ideally from a copy "
            + "kept outside the store (tools/verify --public-key).")
    public PublicKeyInfo publicKey() {
        return audit.publicKey();
    }

    /**
     * {@code GET /api/events/{id}/proof}: its own root path, so it is matched before {@link EventResource}'s
     * {@code /api/events}.
     */
    @Path("/api/events/{id}/proof")
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = "audit")
    public static class Proofs {

        @Inject
        AuditService audit;

        @GET
        @Operation(summary = "Inclusion proof of an event", description = "The Merkle audit path from the event's leaf to "
                + "its day's signed root, with the digest and its signature. 409 while the day is open (or for a late "
                + "arrival, which no signed root includes).")
        public Proof proof(@PathParam("id") String id) {
            ProofResult r = audit.proof(id);
            if (r instanceof ProofResult.Available a) {
                return a.proof();
            }
            ProofResult.Unavailable u = (ProofResult.Unavailable) r;
            // problem+json 409 through ProblemMappers.web, the detail saying why and when
            throw new WebApplicationException(u.reason().name().toLowerCase(Locale.ROOT) + ": " + u.detail(), 409);
        }
    }
}
