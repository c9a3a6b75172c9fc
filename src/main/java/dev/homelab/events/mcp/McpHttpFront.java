package dev.homelab.events.mcp;

import java.io.IOException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.mcp.server.InitialRequest;
import io.quarkiverse.mcp.server.runtime.McpConnectionBase;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import dev.homelab.events.Text;
import dev.homelab.events.security.HttpGuard;

/**
 * The HTTP side of {@link McpFront}: a route filter on {@code /mcp} (Streamable HTTP) and the legacy SSE paths,
 * running after the security guard (Host, Origin, token, body size, JSON limits) and before quarkus-mcp-server
 * 1.10.1. It applies the transport rules of the MCP specification that 1.10.1 does not, or answers with an ERROR
 * log and a stack trace:
 * <ul>
 * <li>an unsupported {@code MCP-Protocol-Version} header: 400 (1.10.1 ignores the header);</li>
 * <li>a POST without {@code Mcp-Session-Id} that is not {@code initialize}: 400 (1.10.1 opens a new session
 * and answers 200 with -32601); an unknown session: 404, a GET or DELETE without one: 400 (1.10.1: the same
 * codes, or 405, each with an ERROR log line);</li>
 * <li>a JSON-RPC batch on a session of 2025-06-18 or later, which removed batches: 400 (1.10.1 accepts it);</li>
 * <li>an Accept header without both {@code application/json} and {@code text/event-stream}: 406 (1.10.1: 400
 * with an ERROR log line);</li>
 * <li>{@code initialize} beyond {@link dev.homelab.events.config.McpConfig#maxSessions()} sessions: 503 with
 * Retry-After;</li>
 * <li>GET streams: see {@link McpSessions} (no unsolicited log notification, at most a few per session);</li>
 * <li>{@code DELETE}: ends the session here, with its streams and subscriptions.</li>
 * </ul>
 * Everything it answers is logged at DEBUG at most.
 */
@ApplicationScoped
public class McpHttpFront {

    private static final Logger LOG = Logger.getLogger(McpHttpFront.class);

    /** Below the security guard's filters (5000 and the two MCP body filters after it), above every route. */
    static final int PRIORITY = 4990;
    static final String SESSION = "Mcp-Session-Id";
    static final String VERSION = "MCP-Protocol-Version";
    static final String MCP_METHOD = "Mcp-Method";
    static final String MCP_NAME = "Mcp-Name";
    private static final String MCP = "/mcp";
    private static final String LEGACY_SSE = "/mcp/sse";
    private static final String LEGACY_MESSAGES = "/mcp/messages/";
    private static final String JSON = "application/json";

    @Inject
    McpFront front;
    @Inject
    McpModern modern;
    @Inject
    McpSessions sessions;
    @Inject
    McpSubscriptions subscriptions;
    @Inject
    ObjectMapper mapper;

    void register(@Observes Filters filters) {
        filters.register(this::filter, PRIORITY);
    }

    void filter(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        HttpMethod method = ctx.request().method();
        if (path.equals(MCP)) {
            if (method != HttpMethod.POST && !versionSupported(ctx, null)) {
                return; // a POST is checked once its body is read, so the answer carries the request's id
            }
            if (method == HttpMethod.POST) {
                post(ctx);
            } else if (method == HttpMethod.GET) {
                get(ctx);
            } else if (method == HttpMethod.DELETE) {
                delete(ctx);
            } else {
                ctx.next();
            }
        } else if (path.equals(LEGACY_SSE) && method == HttpMethod.GET) {
            if (sessions.full()) {
                full(ctx, null);
            } else {
                ctx.next();
            }
        } else if (path.startsWith(LEGACY_MESSAGES) && method == HttpMethod.POST) {
            legacyPost(ctx, path.substring(LEGACY_MESSAGES.length()));
        } else {
            ctx.next();
        }
    }

    private boolean versionSupported(RoutingContext ctx, JsonNode body) {
        String v = ctx.request().getHeader(VERSION);
        if (v != null && !McpEra.supported().contains(v.strip())) {
            LOG.debugf("MCP %s %s answered 400: unsupported %s", ctx.request().method(), ctx.normalizedPath(), VERSION);
            // -32022 with the supported list (2026-07-28): a client of either era can pick a version from it
            boolean modernBody = McpEra.isModern(body);
            json(ctx, 400, modern.unsupported(body == null ? null : id(body), v.strip(),
                    modernBody ? McpEra.VERSIONS : McpEra.supported()));
            return false;
        }
        return true;
    }

    private void post(RoutingContext ctx) {
        if (!accepts(ctx, JSON) || !accepts(ctx, "text/event-stream")) {
            refuse(ctx, 406, null, McpFront.INVALID_REQUEST,
                    "Not Acceptable: the Accept header must list both application/json and text/event-stream");
            return;
        }
        JsonNode body = body(ctx);
        if (body == null || !versionSupported(ctx, body)) {
            return;
        }
        String headerVersion = ctx.request().getHeader(VERSION);
        if (McpEra.isModern(body) || McpEra.isModernVersion(headerVersion == null ? null : headerVersion.strip())) {
            modernPost(ctx, body);
            return;
        }
        String sessionId = ctx.request().getHeader(SESSION);
        McpConnectionBase session = null;
        if (sessionId != null) {
            session = sessions.find(sessionId);
            if (session == null) {
                refuse(ctx, 404, null, McpFront.INVALID_REQUEST, "Not Found: no MCP session '" + Text.echo(sessionId, 80)
                        + "' (it ended or expired); send initialize without " + SESSION + " to start a new one");
                return;
            }
            if (transport(session) != InitialRequest.Transport.STREAMABLE_HTTP) {
                refuse(ctx, 400, null, McpFront.INVALID_REQUEST, "Bad Request: session '" + Text.echo(sessionId, 80)
                        + "' belongs to another transport");
                return;
            }
        }
        if (body.isArray()) {
            String negotiated = session == null || session.initialRequest() == null
                    ? null
                    : session.initialRequest().protocolVersion();
            if (!McpFront.batchesAllowed(negotiated)) {
                refuse(ctx, 400, null, McpFront.INVALID_REQUEST, "Invalid Request: JSON-RPC batches were removed in "
                        + "protocol 2025-06-18" + (negotiated == null
                                ? "; send initialize alone"
                                : ", which this session ("
                                        + negotiated + ") speaks; send one message per request"));
                return;
            }
            for (JsonNode m : body) {
                if (!(front.decide(m, sessionId, InitialRequest.Transport.STREAMABLE_HTTP) instanceof McpFront.Pass)) {
                    refuse(ctx, 400, null, McpFront.INVALID_REQUEST, "Invalid Request: this batch holds a message this "
                            + "server answers on its own (initialize, a subscription, a completion or an invalid "
                            + "message); send it alone");
                    return;
                }
            }
            ctx.next();
            return;
        }
        if (session == null && !isInitialize(body)) {
            refuse(ctx, 400, id(body), McpFront.INVALID_REQUEST, "Bad Request: " + SESSION + " header is required; "
                    + "send initialize first and repeat the session id it answers on every request (or speak protocol "
                    + "2026-07-28: server/discover, then requests carrying params._meta, no session)");
            return;
        }
        McpFront.Decision d = front.decide(body, sessionId, InitialRequest.Transport.STREAMABLE_HTTP);
        if (d instanceof McpFront.Pass) {
            ctx.next();
        } else if (d instanceof McpFront.Reply r) {
            if (r.message() == null) {
                ctx.response().setStatusCode(202).end();
            } else {
                json(ctx, 200, r.message()); // a JSON-RPC answer, errors included: the transport itself worked
            }
        } else if (d instanceof McpFront.Initialize init) {
            if (session != null) {
                refuse(ctx, 400, init.id(), McpFront.INVALID_REQUEST, "Invalid Request: this session is already "
                        + "initialized; send initialize without " + SESSION + " to start another");
                return;
            }
            if (sessions.full()) {
                full(ctx, init.id());
                return;
            }
            McpConnectionBase created = sessions.createStreamable(init.request());
            ctx.response().putHeader(SESSION, created.id());
            json(ctx, 200, front.initializeResult(init.id(), init.request().protocolVersion()));
        }
    }

    /**
     * A 2026-07-28 POST: one message, no session. The standard headers must agree with the body (SEP-2243, as the
     * official SDKs check them): MCP-Protocol-Version with {@code _meta}'s version, Mcp-Method with the method,
     * Mcp-Name with {@code params.name} (tools/call, prompts/get) or {@code params.uri} (resources/read); any
     * disagreement is 400 with -32020, so a proxy routing on the headers never sees another request than the
     * server runs. Notifications need no headers. The answer is computed off the event loop (tools read and write
     * the store) and sent as one JSON response.
     */
    private void modernPost(RoutingContext ctx, JsonNode body) {
        if (!body.isObject()) {
            refuse(ctx, 400, null, McpFront.INVALID_REQUEST, "Invalid Request: protocol 2026-07-28 has no JSON-RPC "
                    + "batches; send one message per request");
            return;
        }
        String mismatch = body.has("id") ? headerMismatch(ctx, body) : null;
        if (mismatch != null) {
            refuse(ctx, 400, body.get("id"), McpEra.HEADER_MISMATCH, "Header mismatch: " + mismatch);
            return;
        }
        if (McpEra.LISTEN.equals(body.path("method").asText(null))) {
            listen(ctx, body);
            return;
        }
        ctx.vertx().executeBlocking(() -> modern.handle(body), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.errorf(ar.cause(), "MCP 2026-07-28 %s failed", body.path("method").asText());
                json(ctx, 500, front.error(body.get("id"), -32603, "Internal error; the server log has the details"));
            } else if (ar.result() == null) {
                ctx.response().setStatusCode(202).end();
            } else {
                json(ctx, McpEra.httpStatus(ar.result()), ar.result());
            }
        });
    }

    /**
     * {@code subscriptions/listen}: the answer is an SSE stream that stays open, starting with the
     * acknowledgement, then a {@code notifications/resources/updated} whenever a watched chain gains an event
     * (from any writer). It ends when the client closes it (the SDKs also send notifications/cancelled, which
     * needs no answer).
     */
    private void listen(RoutingContext ctx, JsonNode body) {
        Object plan = modern.listen(body);
        if (plan instanceof ObjectNode refused) {
            json(ctx, McpEra.httpStatus(refused), refused);
            return;
        }
        McpModern.Listen l = (McpModern.Listen) plan;
        HttpServerResponse response = ctx.response();
        response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        McpSubscriptions.Listener listener = new McpSubscriptions.Listener(l.id(), l.uris(), note -> sse(response, note));
        response.closeHandler(v -> subscriptions.stop(listener));
        response.exceptionHandler(e -> subscriptions.stop(listener));
        sse(response, modern.acknowledged(l));
        subscriptions.start(listener);
    }

    private void sse(HttpServerResponse response, ObjectNode message) {
        if (!response.ended() && !response.closed()) {
            response.write("event: message\ndata: " + front.string(message) + "\n\n");
        }
    }

    /** Why the standard headers disagree with a 2026-07-28 request, or null when they agree. */
    private static String headerMismatch(RoutingContext ctx, JsonNode body) {
        String version = ctx.request().getHeader(VERSION);
        JsonNode claimed = body.path("params").path("_meta").path(McpEra.META_VERSION);
        if (version == null) {
            return "a 2026-07-28 request needs the " + VERSION + " header";
        }
        if (claimed.isTextual() && !claimed.textValue().equals(version.strip())) {
            return VERSION + " '" + Text.echo(version, 40) + "' differs from params._meta's '"
                    + Text.echo(claimed.textValue(), 40)
                    + "'";
        }
        String method = body.path("method").asText("");
        String headerMethod = ctx.request().getHeader(MCP_METHOD);
        if (headerMethod == null) {
            return "a 2026-07-28 request needs the " + MCP_METHOD + " header";
        }
        if (!headerMethod.strip().equals(method)) {
            return MCP_METHOD + " '" + Text.echo(headerMethod, 64) + "' differs from the method '" + Text.echo(method, 64)
                    + "'";
        }
        String field = switch (method) {
            case "tools/call", "prompts/get" -> "name";
            case "resources/read" -> "uri";
            default -> null;
        };
        JsonNode value = field == null ? null : body.path("params").get(field);
        if (value != null && value.isTextual()) {
            String headerName = ctx.request().getHeader(MCP_NAME);
            if (headerName == null) {
                return "a " + method + " request needs the " + MCP_NAME + " header";
            }
            String decoded = decodeParam(headerName.strip());
            if (!value.textValue().equals(decoded)) {
                return MCP_NAME + " differs from params." + field;
            }
        }
        return null;
    }

    /** A header value as the SDKs encode it: plain ASCII, or {@code =?base64?<UTF-8 bytes in Base64>?=}. */
    static String decodeParam(String header) {
        if (header.startsWith("=?base64?") && header.endsWith("?=") && header.length() >= 11) {
            try {
                return new String(java.util.Base64.getDecoder().decode(header.substring(9, header.length() - 2)),
                        java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return header;
    }

    private void get(RoutingContext ctx) {
        if (!accepts(ctx, "text/event-stream")) {
            refuse(ctx, 406, null, McpFront.INVALID_REQUEST, "Not Acceptable: a GET stream needs Accept: text/event-stream");
            return;
        }
        McpConnectionBase session = session(ctx, "a GET stream");
        if (session == null) {
            return;
        }
        HttpServerResponse response = ctx.response();
        if (!sessions.openStream(session.id(), response)) {
            refuse(ctx, 429, null, McpFront.INVALID_REQUEST, "Too Many Requests: this session already has its maximum of "
                    + "GET streams open (homelab.mcp.max-streams-per-session); close one first");
            return;
        }
        response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        // an SSE comment sends the headers at once, so the client knows the stream is open; no message is sent
        response.write(": stream open\n\n");
        LOG.debugf("MCP session %s opened a GET stream", session.id());
    }

    private void delete(RoutingContext ctx) {
        McpConnectionBase session = session(ctx, "DELETE");
        if (session == null) {
            return;
        }
        sessions.remove(session.id());
        LOG.debugf("MCP session %s ended by the client", session.id());
        ctx.response().setStatusCode(200).end();
    }

    /** The session named by the header of a GET or DELETE, or null after answering 400 or 404. */
    private McpConnectionBase session(RoutingContext ctx, String what) {
        String sessionId = ctx.request().getHeader(SESSION);
        if (sessionId == null) {
            refuse(ctx, 400, null, McpFront.INVALID_REQUEST, "Bad Request: " + what + " needs the " + SESSION
                    + " header of an initialized session");
            return null;
        }
        McpConnectionBase session = sessions.find(sessionId);
        if (session == null || transport(session) != InitialRequest.Transport.STREAMABLE_HTTP) {
            refuse(ctx, 404, null, McpFront.INVALID_REQUEST, "Not Found: no MCP session '" + Text.echo(sessionId, 80) + "'");
            return null;
        }
        return session;
    }

    /** Legacy HTTP+SSE: answers go over the session's SSE stream, the POST gets an empty 200. */
    private void legacyPost(RoutingContext ctx, String sessionId) {
        McpConnectionBase session = sessions.find(sessionId);
        if (session == null) {
            refuse(ctx, 404, null, McpFront.INVALID_REQUEST, "Not Found: no MCP session '" + Text.echo(sessionId, 80)
                    + "'; open a new one with GET /mcp/sse");
            return;
        }
        JsonNode body = body(ctx);
        if (body == null) {
            return;
        }
        if (body.isArray()) {
            ctx.next(); // 2024-11-05 allowed batches; the library handles them
            return;
        }
        McpFront.Decision d = front.decide(body, sessionId, InitialRequest.Transport.SSE);
        if (d instanceof McpFront.Pass) {
            ctx.next();
            return;
        }
        if (d instanceof McpFront.Reply r && r.message() != null) {
            session.send(new JsonObject(r.message().toString()));
        } else if (d instanceof McpFront.Initialize init) {
            ObjectNode answer = session.initialize(init.request())
                    ? front.initializeResult(init.id(), init.request().protocolVersion())
                    : front.error(init.id(), McpFront.INVALID_REQUEST, "Invalid Request: this session is already initialized");
            session.send(new JsonObject(answer.toString()));
        }
        ctx.response().setStatusCode(200).end(); // as 1.10.1 answers its own legacy POSTs
    }

    /** The parsed body; null after answering 400 (the guard already refused bodies that are not JSON). */
    private JsonNode body(RoutingContext ctx) {
        try {
            if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
                refuse(ctx, 400, null, McpFront.PARSE_ERROR, "Parse error: the request has no body; send a JSON-RPC message");
                return null;
            }
            JsonNode parsed = ctx.get(HttpGuard.MCP_BODY_TREE); // the guard's parse, with this same mapper
            return parsed != null ? parsed : mapper.readTree(ctx.body().buffer().getBytes());
        } catch (IOException e) {
            String reason = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
            refuse(ctx, 400, null, McpFront.PARSE_ERROR, "Parse error: " + Text.shorten(Text.escape(reason), 100));
            return null;
        }
    }

    private void full(RoutingContext ctx, JsonNode id) {
        LOG.debugf("MCP session refused: %d sessions open", sessions.count());
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "60");
        refuse(ctx, 503, id, McpFront.SERVER_BUSY, "Service Unavailable: the server holds its maximum of MCP sessions "
                + "(homelab.mcp.max-sessions); end unused sessions with DELETE /mcp, or retry after idle ones expire "
                + "(quarkus.mcp.server.connection-idle-timeout)");
    }

    private void refuse(RoutingContext ctx, int status, JsonNode id, int code, String message) {
        LOG.debugf("MCP %s %s answered %d: %s", ctx.request().method(), ctx.normalizedPath(), status, message);
        json(ctx, status, front.error(id, code, message));
    }

    private void json(RoutingContext ctx, int status, ObjectNode message) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(front.string(message));
    }

    private static boolean accepts(RoutingContext ctx, String type) {
        List<String> accepts = ctx.request().headers().getAll(HttpHeaders.ACCEPT);
        for (String a : accepts) {
            if (a.contains(type)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isInitialize(JsonNode body) {
        return body.isObject() && "initialize".equals(body.path("method").asText(null));
    }

    private static JsonNode id(JsonNode body) {
        return body.isObject() ? body.get("id") : null;
    }

    private static InitialRequest.Transport transport(McpConnectionBase c) {
        return c.initialRequest() == null ? null : c.initialRequest().transport();
    }
}
