package dev.homelab.events.rest;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JacksonException;

import dev.homelab.events.ConflictException;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.security.Problem;

/** Turns the service's few exceptions, and the framework's, into problem+json answers. Never a stack trace. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    static Response respond(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    @ServerExceptionMapper
    public Response invalid(InvalidInputException e) {
        return respond(new Problem("https://homelab.dev/problems/invalid-input", "Invalid input", 400,
                e.getMessage(), e.errors()));
    }

    @ServerExceptionMapper
    public Response notFound(dev.homelab.events.NotFoundException e) {
        return respond(Problem.of(404, "Not found", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return respond(new Problem("https://homelab.dev/problems/conflict", "Conflict", 409, e.getMessage(), e.errors()));
    }

    @ServerExceptionMapper
    public Response unavailable(StoreUnavailableException e) {
        int status = e.insufficientStorage() ? 507 : 503;
        return respond(
                Problem.of(status, e.insufficientStorage() ? "Insufficient storage" : "Store unavailable", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response badJson(JacksonException e) {
        return respond(Problem.of(400, "Malformed JSON", "the request body is not valid JSON: " + e.getOriginalMessage()));
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return respond(Problem.of(415, "Unsupported media type", "send the body as application/json"));
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return respond(Problem.of(405, "Method not allowed", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unknownPath(NotFoundException e) {
        return respond(Problem.of(404, "Not found", "no such resource"));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        for (Throwable c = e.getCause(); c != null && status == 400; c = c.getCause()) {
            if (c instanceof JacksonException j) {
                // the JSON reader wraps parse errors (including read-limit violations) in a bare 400: say what was wrong
                return badJson(j);
            }
        }
        if (status >= 500) {
            LOG.error("Request failed", e);
        }
        String title = e.getResponse().getStatusInfo().getReasonPhrase();
        return respond(Problem.of(status, title, e.getMessage()));
    }
}
