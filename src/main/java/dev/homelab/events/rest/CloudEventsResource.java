package dev.homelab.events.rest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import dev.homelab.events.Event;
import dev.homelab.events.EventPage;
import dev.homelab.events.ingest.CloudEventsIngest;
import dev.homelab.events.ingest.CloudEventsJson;
import dev.homelab.events.ingest.Ingested;

/**
 * CloudEvents 1.0 over HTTP (docs/ingest.md). In, on {@code POST /api/events}: structured mode by its content type;
 * binary mode (a {@code ce-specversion} header) is routed here by {@link BinaryMode} before matching, so the JSON
 * handler of EventResource stays as it is. 201 with the stored event, 200 when the CloudEvent was recorded before.
 * Out: {@code GET /api/events} and {@code GET /api/chains/{id}} answer a JSON batch when the client prefers it
 * ({@link #wantsBatch}, {@link #batch}).
 */
@Path("/api/events")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "events")
public class CloudEventsResource {

    public static final String STRUCTURED = CloudEventsJson.STRUCTURED;
    public static final String BATCH = CloudEventsJson.BATCH;
    /** The cursor of the next page of a batch listing (also in {@code Link: <...>; rel="next"}); absent on the last page. */
    public static final String NEXT_CURSOR = "Homelab-Next-Cursor";
    /** How many events matched in all, as {@code total} of the JSON listing. */
    public static final String TOTAL = "Homelab-Total";
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

    /**
     * True when the request prefers a CloudEvents batch to plain JSON: the first acceptable media type, by quality
     * and then by the order in the header, that is either is the batch type. A wildcard ({@code *}{@code /*},
     * {@code application/*}) or no Accept header means JSON, as before; other types never reach the resource method
     * (406).
     */
    static boolean wantsBatch(HttpHeaders headers) {
        List<MediaType> accepted = new ArrayList<>(headers.getAcceptableMediaTypes());
        accepted.sort((a, b) -> Double.compare(quality(b), quality(a))); // stable: ties keep the header's order
        for (MediaType m : accepted) {
            if (quality(m) <= 0) {
                continue;
            }
            if (m.getType().equalsIgnoreCase("application") && m.getSubtype().equalsIgnoreCase("cloudevents-batch+json")) {
                return true;
            }
            if (m.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return false;
            }
        }
        return false;
    }

    private static double quality(MediaType m) {
        String q = m.getParameters().get("q");
        try {
            return q == null ? 1.0 : Double.parseDouble(q);
        } catch (NumberFormatException e) {
            return 1.0;
        }
    }

    /** A chain (or any list of events without pages) as a CloudEvents batch. */
    static Response batch(CloudEventsJson json, List<Event> events) {
        return Response.ok(json.batch(events), BATCH).header(TOTAL, events.size()).build();
    }

    /**
     * A page of a listing as a CloudEvents batch; the next page is named by {@value #NEXT_CURSOR} and by a
     * {@code Link} header with {@code rel="next"}: this request's path and query with {@code cursor} replaced.
     */
    static Response batch(CloudEventsJson json, EventPage page, UriInfo uri) {
        Response.ResponseBuilder r = Response.ok(json.batch(page.events()), BATCH).header(TOTAL, page.total());
        if (page.hasMore() && page.nextCursor() != null) {
            r.header(NEXT_CURSOR, page.nextCursor()).header("Link", "<" + nextPage(uri, page.nextCursor()) + ">; rel=\"next\"");
        }
        return r.build();
    }

    /** The request's path and query (as sent, encoded) with every {@code cursor} parameter replaced by the next one. */
    static String nextPage(UriInfo uri, String cursor) {
        URI request = uri.getRequestUri();
        StringBuilder query = new StringBuilder();
        String raw = request.getRawQuery();
        if (raw != null) {
            for (String p : raw.split("&")) {
                if (!p.isEmpty() && !p.equals("cursor") && !p.startsWith("cursor=")) {
                    query.append(p).append('&');
                }
            }
        }
        query.append("cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        return request.getRawPath() + "?" + query;
    }

    private static Response answer(Ingested i) {
        return (i.written() ? Response.created(URI.create("/api/events/" + i.event().id())) : Response.ok())
                .entity(i.event()).build();
    }

    /** Sends a binary-mode CloudEvent (POST /api/events with ce-specversion) to {@link #binary}. */
    public static class BinaryMode {
        /**
         * Runs before every REST request, so it asks the Vert.x request for the method and header first: the JAX-RS
         * context's {@code getHeaderString} builds a header view per request (about 1% of a REST write's CPU).
         */
        @ServerRequestFilter(preMatching = true)
        public void filter(ContainerRequestContext request, HttpServerRequest http) {
            if (http.method() == HttpMethod.POST && http.getHeader("ce-specversion") != null
                    && request.getUriInfo().getPath().replaceAll("/+$", "").equals("/api/events")) {
                request.setRequestUri(
                        UriBuilder.fromUri(request.getUriInfo().getRequestUri()).replacePath(BINARY_PATH).build());
            }
        }
    }
}
