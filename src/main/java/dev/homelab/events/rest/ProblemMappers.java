package dev.homelab.events.rest;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.vertx.core.http.HttpServerRequest;

import dev.homelab.events.ConflictException;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.Text;
import dev.homelab.events.security.Problem;
import dev.homelab.events.security.UnexpectedErrors;

/**
 * Turns the service's few exceptions, and the framework's, into problem+json answers; anything else becomes a
 * generic 500 problem with an incident id ({@link UnexpectedErrors}). Never a stack trace, never an empty body.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    /** Longest echo of a rejected value, and of one field's message, in a problem body. */
    static final int ECHO_MAX = 120;
    static final int MESSAGE_MAX = 400;

    static Response respond(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    @ServerExceptionMapper
    public Response invalid(InvalidInputException e) {
        // a rejected value may be as long as the request allows: echo only its start, so an error is never an amplifier
        List<FieldError> errors = e.errors().stream().map(f -> new FieldError(f.field(), Text.shorten(f.value(), ECHO_MAX),
                Text.shorten(f.message(), MESSAGE_MAX))).toList();
        String detail = errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
        return respond(new Problem("https://homelab.dev/problems/invalid-input", "Invalid input", 400, detail, errors));
    }

    @ServerExceptionMapper
    public Response notFound(dev.homelab.events.NotFoundException e) {
        return respond(Problem.of(404, "Not found", Text.shorten(e.getMessage(), MESSAGE_MAX)));
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
        return respond(Problem.of(400, "Malformed JSON",
                "the request body is not valid JSON: " + Text.shorten(Text.escape(e.getOriginalMessage()), MESSAGE_MAX)));
    }

    /**
     * Jackson's "mismatched input" covers a second document after the first ({@code {...} {...}}) and an empty body
     * where JSON is required; Quarkus's built-in mapper answers it with an empty 400 in production.
     */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return badJson(e);
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return respond(Problem.of(415, "Unsupported media type", "send the body as application/json"));
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        Set<String> allowed = e.getResponse().getAllowedMethods();
        Problem p = Problem.of(405, "Method not allowed", "this resource does not accept that method"
                + (allowed.isEmpty() ? "" : "; allowed: " + String.join(", ", new TreeSet<>(allowed))));
        Response.ResponseBuilder r = Response.status(405).type(Problem.MEDIA_TYPE).entity(p);
        return (allowed.isEmpty() ? r : r.allow(allowed)).build();
    }

    @ServerExceptionMapper
    public Response unknownPath(NotFoundException e) {
        return respond(Problem.of(404, "Not found", "no such resource"));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        for (Throwable c = e.getCause(); c != null && status == 400; c = c.getCause()) {
            if (c instanceof JacksonException j) {
                // the JSON reader wraps parse errors (including read-limit violations) in a bare 400: say what was wrong
                return badJson(j);
            }
        }
        if (status >= 500) {
            return unexpected(e, request);
        }
        String title = e.getResponse().getStatusInfo().getReasonPhrase();
        return respond(Problem.of(status, title, Text.shorten(e.getMessage(), MESSAGE_MAX)));
    }

    /**
     * Everything no other mapper claims. A checked I/O failure cannot come from a resource method (none declares
     * one): it is the framework reading the request, so the client's doing (a connection cut mid-body, a body over
     * the limit already answered with 413). Anything else is a bug or a fault below us.
     */
    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        if (request.response().headWritten() || request.response().closed()) {
            // answered already, or the client is gone: nobody would read another answer
            LOG.debugf("Request %s %s failed after its answer began or its connection closed: %s", request.method().name(),
                    Text.escape(request.path()), e);
            return Response.status(500).build();
        }
        if (e instanceof IOException) {
            LOG.debugf("Request body of %s %s could not be read: %s", request.method().name(), Text.escape(request.path()), e);
            return respond(Problem.of(400, "Unreadable request", "the request body could not be read completely"));
        }
        return respond(UnexpectedErrors.report(request.method().name(), request.path(), e));
    }
}
