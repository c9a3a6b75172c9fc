package dev.homelab.events.rest;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.ext.Provider;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.homelab.events.ingest.CloudEventsIngest;
import dev.homelab.events.ingest.Ingested;

/**
 * CloudEvents 1.0 over HTTP on {@code POST /api/events} (docs/ingest.md): structured mode by its content type;
 * binary mode (a {@code ce-specversion} header) is routed here by {@link BinaryMode} before matching, so the JSON
 * handler of EventResource stays as it is. 201 with the stored event, 200 when the CloudEvent was recorded before.
 */
@Path("/api/events")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "events")
public class CloudEventsResource {

    public static final String STRUCTURED = "application/cloudevents+json";
    /** Where binary-mode requests to POST /api/events are routed; not a public path of its own. */
    static final String BINARY_PATH = "/api/events/cloudevents-binary";

    @Inject
    CloudEventsIngest cloudEvents;

    @POST
    @Consumes(STRUCTURED)
    @Operation(summary = "Record a CloudEvent (structured mode)", description = "One CloudEvents 1.0 event in the JSON "
            + "format; the mapping is in docs/ingest.md. A re-delivered event (same source and id) is not written twice.")
    public Response structured(byte[] body) {
        return answer(cloudEvents.structured(body));
    }

    @POST
    @Path("cloudevents-binary")
    @Consumes(MediaType.WILDCARD)
    @Operation(hidden = true)
    public Response binary(@Context HttpHeaders headers, byte[] body) {
        Map<String, String> attributes = new TreeMap<>();
        headers.getRequestHeaders().forEach((name, values) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.startsWith("ce-") && !values.isEmpty()) {
                attributes.put(n.substring(3), values.get(0));
            }
        });
        return answer(cloudEvents.binary(attributes, headers.getHeaderString(HttpHeaders.CONTENT_TYPE), body));
    }

    private static Response answer(Ingested i) {
        return (i.written() ? Response.created(URI.create("/api/events/" + i.event().id())) : Response.ok())
                .entity(i.event()).build();
    }

    /** Sends a binary-mode CloudEvent (POST /api/events with ce-specversion) to {@link #binary}. */
    @Provider
    @PreMatching
    public static class BinaryMode implements ContainerRequestFilter {
        @Override
        public void filter(ContainerRequestContext request) {
            if (request.getMethod().equals("POST") && request.getHeaderString("ce-specversion") != null
                    && request.getUriInfo().getPath().replaceAll("/+$", "").equals("/api/events")) {
                request.setRequestUri(
                        UriBuilder.fromUri(request.getUriInfo().getRequestUri()).replacePath(BINARY_PATH).build());
            }
        }
    }
}
