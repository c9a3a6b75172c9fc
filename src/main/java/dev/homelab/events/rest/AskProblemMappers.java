package dev.homelab.events.rest;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.homelab.events.ask.AskTimeoutException;
import dev.homelab.events.ask.ModelUnavailableException;
import dev.homelab.events.security.Problem;

/** problem+json for the ask feature: 503 when the model is not configured or not reachable, 504 past the total timeout. */
public class AskProblemMappers {

    @ServerExceptionMapper
    public Response unavailable(ModelUnavailableException e) {
        Problem p = new Problem("https://homelab.dev/problems/model-unavailable",
                e.configured() ? "Model unavailable" : "No model configured", 503, e.getMessage(), null);
        return Response.status(503).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    @ServerExceptionMapper
    public Response timeout(AskTimeoutException e) {
        Problem p = new Problem("https://homelab.dev/problems/ask-timeout", "Question timed out", 504, e.getMessage(), null);
        return Response.status(504).type(Problem.MEDIA_TYPE).entity(p).build();
    }
}
