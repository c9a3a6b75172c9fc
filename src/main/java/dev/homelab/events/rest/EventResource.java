package dev.homelab.events.rest;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import io.vertx.core.http.HttpServerRequest;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.EventPage;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.Text;
import dev.homelab.events.ingest.CloudEventsJson;
import dev.homelab.events.service.Emitted;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.EventValidator;

@Path("/api/events")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "events")
public class EventResource {

    /** Listing limits of the REST face; agent tools use smaller ones to protect a model's context. */
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1000;

    private static final Set<String> FIELDS = Set.of(
            "timestamp", "node", "type", "severity", "source", "service", "correlation_id", "payload", "id");

    /** A Host header RESTEasy would turn into the same authority text: a name or IPv4 address, a port without zeros ahead. */
    private static final Pattern PLAIN_HOST = Pattern.compile("[A-Za-z0-9.-]+(:[1-9][0-9]{0,4})?");

    @Inject
    EventService service;
    @Inject
    CloudEventsJson cloudEvents;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Record an event", description = "Validates and durably stores one event; 201 with the stored "
            + "event. With an id chosen by the client (a UUID) a retry is safe: the same id with the same content answers "
            + "200 with the stored event and writes nothing; the same id with different content is a 409.")
    public Response emit(JsonNode body, @Context HttpServerRequest request) {
        Emitted emitted = service.emit(toDraft(body));
        String path = "/api/events/" + emitted.event().id();
        if (!emitted.created()) {
            // a retry of a write that is already stored: nothing new was created
            return Response.ok(emitted.event()).contentLocation(URI.create(path)).build();
        }
        Object entity = answer(emitted);
        String host = request.getHeader(HttpHeaders.HOST);
        if (host == null || !PLAIN_HOST.matcher(host).matches() || !request.uri().startsWith("/")) {
            // HTTP/2's :authority, an IPv6 literal, an absolute-form target: RESTEasy resolves the path itself
            return typed(Response.created(URI.create(path)).entity(entity), entity).build();
        }
        // the absolute URI RESTEasy makes of the path for a plain host[:port] (scheme, Host, path; forwarded headers
        // are not honoured), built here: its resolution (forwarded-header parser, URI parsing) was ~5% of a REST
        // write's CPU; the connection's TLS, since the request's isSSL() runs that parser too
        return typed(Response.status(Response.Status.CREATED).header(HttpHeaders.LOCATION,
                (request.connection().isSsl() ? "https://" : "http://") + host + path).entity(entity), entity).build();
    }

    /** The Content-Type the JSON writer gives an event, for the bytes that stand in for it. */
    private static Response.ResponseBuilder typed(Response.ResponseBuilder b, Object entity) {
        return entity instanceof byte[] ? b.type("application/json;charset=UTF-8") : b;
    }

    private static final byte[] ID_FIELD = "{\"id\":\"".getBytes(StandardCharsets.US_ASCII);

    /**
     * The new event as JSON: the bytes of its file with its id put first, which is what Jackson writes for the event
     * (same mapper rules, same field order; a file holds {@code {"timestamp":...}} and a newline, and has no id field),
     * without serializing it a second time (~10% of a REST write's CPU). Events with extra fields, or without the
     * file's bytes, go through Jackson. EventApiTest compares the two.
     */
    static Object answer(Emitted emitted) {
        byte[] file = emitted.file();
        Event event = emitted.event();
        if (file == null || !event.extra().isEmpty() || file.length < 3 || file[0] != '{' || file[file.length - 1] != '\n') {
            return event;
        }
        byte[] id = event.id().toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[ID_FIELD.length + id.length + 2 + file.length - 2];
        System.arraycopy(ID_FIELD, 0, out, 0, ID_FIELD.length);
        System.arraycopy(id, 0, out, ID_FIELD.length, id.length);
        int at = ID_FIELD.length + id.length;
        out[at++] = '"';
        out[at++] = ',';
        System.arraycopy(file, 1, out, at, file.length - 2); // without the file's '{' and its newline
        return out;
    }

    @GET
    @Produces({ MediaType.APPLICATION_JSON, CloudEventsJson.BATCH })
    @Operation(summary = "List events", description = "Newest first by default; filters combine with AND. With "
            + "Accept: application/cloudevents-batch+json the page is a CloudEvents 1.0 JSON batch (docs/ingest.md); "
            + "its next page is in the Link header (rel=\"next\") and in Homelab-Next-Cursor.")
    @APIResponse(responseCode = "200", description = "One page of events", headers = {
            @Header(name = CloudEventsResource.NEXT_CURSOR, description = "CloudEvents batch only: the cursor of the "
                    + "next page; absent on the last page", schema = @Schema(type = SchemaType.STRING)),
            @Header(name = "Link", description = "CloudEvents batch only: <this listing with the next cursor>; "
                    + "rel=\"next\"", schema = @Schema(type = SchemaType.STRING)),
            @Header(name = CloudEventsResource.TOTAL, description = "CloudEvents batch only: how many events matched", schema = @Schema(type = SchemaType.INTEGER)) }, content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = EventPage.class)),
                    @Content(mediaType = CloudEventsJson.BATCH, schema = @Schema(type = SchemaType.ARRAY, description = "CloudEvents 1.0 in the JSON format, one per event")) })
    public Response list(@Context HttpHeaders headers, @Context UriInfo uri,
            @Parameter(description = "Lower time bound, inclusive: ISO 8601, 'now-1h' or '24h'") @QueryParam("since") String since,
            @Parameter(description = "Upper time bound, exclusive") @QueryParam("until") String until,
            @Parameter(description = "Node name; repeat or comma-separate for several") @QueryParam("node") List<String> nodes,
            @Parameter(description = "Event type; repeat or comma-separate for several") @QueryParam("type") List<String> types,
            @Parameter(description = "Minimum severity: info, warning, error, critical") @QueryParam("min_severity") String minSeverity,
            @QueryParam("service") String service,
            @QueryParam("source") String source,
            @QueryParam("correlation_id") String correlationId,
            @Parameter(description = "newest (default) or oldest") @QueryParam("order") String order,
            @Parameter(description = "Page size, 1-1000, default 50") @QueryParam("limit") String limit,
            @Parameter(description = "next_cursor of the previous page") @QueryParam("cursor") String cursor,
            @Parameter(description = "Also list events of archived days (slower: reads archives)") @QueryParam("include_archived") String includeArchived) {
        ListCriteria criteria = new ListCriteria(since, until, nodes, types, minSeverity, service, source, correlationId,
                order, parseLimit(limit), cursor);
        EventPage page = this.service.list(criteria, DEFAULT_LIMIT, MAX_LIMIT, includeArchived(includeArchived));
        return CloudEventsResource.wantsBatch(headers)
                ? CloudEventsResource.batch(cloudEvents, page, uri)
                : Response.ok(page, MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get one event by id")
    public Event get(@PathParam("id") String id) {
        return service.get(id);
    }

    /** The include_archived query flag of listings and chains: true or false, anything else is named as bad input. */
    static boolean includeArchived(String flag) {
        if (flag == null || flag.isBlank() || flag.equals("false")) {
            return false;
        }
        if (flag.equals("true")) {
            return true;
        }
        throw new InvalidInputException("include_archived", flag, "allowed: true, false");
    }

    static Integer parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(limit.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("limit", limit, "must be a whole number between 1 and " + MAX_LIMIT);
        }
    }

    /** Checks the JSON shape (object, known fields, strings where strings belong); the service checks the values. */
    static EventDraft toDraft(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidInputException("body", body == null ? null : body.getNodeType().toString(),
                    "must be a JSON object with the fields " + String.join(", ", FIELDS.stream().sorted().toList()));
        }
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(name, null, "is not a field of an event; allowed: id, timestamp, node, type, "
                        + "severity, source, service, correlation_id, payload"));
            }
        }
        EventDraft draft = new EventDraft(text(body, "timestamp", errors), text(body, "node", errors),
                text(body, "type", errors), text(body, "severity", errors), text(body, "source", errors),
                text(body, "service", errors), text(body, "correlation_id", errors), body.get("payload"),
                chosenId(text(body, "id", errors), errors));
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return draft;
    }

    /** The client-chosen event id, or null; a text that is not a UUID is one more bad field. */
    private static java.util.UUID chosenId(String text, List<FieldError> errors) {
        try {
            return EventService.chosenId("id", text);
        } catch (InvalidInputException e) {
            errors.addAll(e.errors());
            return null;
        }
    }

    private static String text(JsonNode body, String field, List<FieldError> errors) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            errors.add(new FieldError(field, Text.echo(n.toString(), EventValidator.VALUE_MAX_CHARS),
                    "must be a JSON string"));
            return null;
        }
        return n.textValue();
    }
}
