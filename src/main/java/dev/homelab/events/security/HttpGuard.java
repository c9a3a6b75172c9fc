package dev.homelab.events.security;

import java.io.IOException;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import dev.homelab.events.ReadOnlyTools;
import dev.homelab.events.Text;
import dev.homelab.events.config.SecurityConfig;

/**
 * The HTTP gate in front of every route, REST, function calling and MCP alike, so no face can forget it:
 * <ol>
 * <li>More than one Host header is a 400 on every route. Host and Origin of /api and /mcp requests must be allowed
 * ({@link HostPolicy}), else 403: DNS rebinding; an absolute-form target ({@code GET http://other/api/...}) naming
 * another host is a 421.</li>
 * <li>A declared body larger than {@code quarkus.http.limits.max-body-size} gets 413 before it is read.</li>
 * <li>A body sent to /api or /mcp must be declared JSON (or carry no Content-Type), else 415: a browser's
 * "simple" POST ({@code text/plain}, form, multipart) can never reach a handler.</li>
 * <li>A write without the bearer token gets 401 with {@code WWW-Authenticate: Bearer} ({@link WriteClassifier}).
 * When a token is configured, every MCP request needs it, {@code initialize} and reads included: a session is
 * state the server keeps, so only token holders may open one.</li>
 * <li>MCP bodies are parsed with the application's ObjectMapper and its explicit JSON limits, whatever the token:
 * a hostile document gets a JSON-RPC parse error (HTTP 400) before the MCP route sees it.</li>
 * <li>{@code /api/sync/export} needs the token whenever one is configured, even when reads are open: it hands out
 * every event file at once, and only peers need it.</li>
 * </ol>
 * A route that fails anyway answers problem+json too ({@link #failed}), with an incident id for a 500.
 * Every refusal is an RFC 9457 problem+json body. Log lines carry escaped request values and never the
 * Authorization header; at most {@value #REFUSALS_LOGGED_PER_MINUTE} refusals a minute are logged ({@link LogBudget}).
 */
@ApplicationScoped
public class HttpGuard {

    private static final Logger LOG = Logger.getLogger(HttpGuard.class);

    /** Filters with a higher priority run first; these run before CORS and every route. */
    static final int PRIORITY = 5000;
    private static final String MCP_BODY_CHECK = "homelab.security.mcp-body-check";
    /**
     * Routing-context key of the MCP body's JSON tree as parsed here (a {@code JsonNode}), so the MCP front does not
     * parse it a second time with the same mapper.
     */
    public static final String MCP_BODY_TREE = "homelab.security.mcp-body-tree";
    private static final String REALM = "Bearer realm=\"homelab-events\"";
    static final int REFUSALS_LOGGED_PER_MINUTE = 30;

    @Inject
    BearerToken token;
    @Inject
    HostPolicy hosts;
    @Inject
    SecurityConfig config;
    @Inject
    ObjectMapper mapper;
    /** Told by the tool catalog which tools only read; the guard does not know the catalog itself. */
    @Inject
    ReadOnlyTools readOnlyTools;

    /** Refusals are logged (they are how an operator notices a misconfigured client or a probe), but within a budget. */
    private final LogBudget refusals = new LogBudget(REFUSALS_LOGGED_PER_MINUTE);
    private long maxBodyBytes;
    private BodyHandler bodyReader;
    private WriteClassifier writes;

    void registerFilters(@Observes Filters filters) {
        maxBodyBytes = ConfigProvider.getConfig().getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class)
                .map(MemorySize::asLongValue).orElse(10L * 1024 * 1024);
        bodyReader = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        writes = new WriteClassifier(readOnlyTools.readOnlyToolNames());
        filters.register(this::guard, PRIORITY);
        filters.register(this::readMcpBody, PRIORITY - 1);
        filters.register(this::checkMcpBody, PRIORITY - 2);
        filters.register(this::readApiBody, PRIORITY - 3);
    }

    /**
     * Reads an /api request body here, within the size cap, so a body over it ends in {@link #failed} as a problem+json
     * 413 (the REST layer's own reader would answer a chunked one with a bare 413); the REST layer then reads the
     * buffered body.
     */
    void readApiBody(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (!WriteClassifier.isApiPath(ctx.normalizedPath()) || WriteClassifier.isSafeMethod(req.method().name())
                || !hasBody(req, contentLength(req)) || ctx.body().available() || req.isEnded()
                || req.version() == io.vertx.core.http.HttpVersion.HTTP_2) {
            // HTTP/2 (h2c, as Java's HttpClient upgrades): the REST layer reads the stream itself and fails when it
            // was read here first, so it keeps reading it with its own cap, as it did before this guard
            ctx.next();
            return;
        }
        req.resume();
        bodyReader.handle(ctx);
    }

    /**
     * Every failed route answers problem+json: Vert.x answers an oversized chunked body with a bare 413, and Quarkus
     * answers an unexpected failure outside the REST mappers (a Vert.x route, a filter) with a text page.
     */
    void registerFailureHandler(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    void failed(RoutingContext ctx) {
        HttpServerResponse resp = ctx.response();
        if (resp.closed() || ctx.failure() instanceof HttpClosedException) {
            // the client hung up (often right after a 413 or 408 we sent): nobody to answer, nothing went wrong here
            LOG.debugf("Connection of %s %s closed before it was answered", ctx.request().method().name(),
                    Text.escape(ctx.normalizedPath()));
            return;
        }
        if (resp.headWritten()) {
            // failed mid-answer: log it like any unexpected error, and cut the connection so the client sees it broke
            UnexpectedErrors.report(ctx.request().method().name(), ctx.normalizedPath(),
                    ctx.failure() != null
                            ? ctx.failure()
                            : new IllegalStateException("failed with status " + ctx.statusCode()));
            ctx.request().connection().close();
            return;
        }
        int status = ctx.statusCode();
        if (status == 413) {
            tooLarge(ctx);
        } else if (status >= 400 && status < 500) {
            String reason = HttpResponseStatus.valueOf(status).reasonPhrase();
            problem(ctx, status, reason, "the request was refused: " + reason);
        } else {
            Throwable failure = ctx.failure() != null
                    ? ctx.failure()
                    : new IllegalStateException("route failed with status " + status);
            answer(ctx, UnexpectedErrors.report(ctx.request().method().name(), ctx.normalizedPath(), failure));
        }
    }

    void guard(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        String path = ctx.normalizedPath();
        String method = req.method().name();
        boolean face = WriteClassifier.isApiPath(path) || WriteClassifier.isMcpPath(path);

        if (req.headers().getAll(HttpHeaders.HOST).size() > 1) {
            // RFC 9112 3.2: a request with more than one Host is invalid; two names leave "which host?" to chance
            LOG.debugf("Refused %s %s from %s: more than one Host header", method, Text.escape(path), req.remoteAddress());
            problem(ctx, 400, "Bad request", "the request carries more than one Host header; send exactly one");
            return;
        }
        if (face) {
            String target = HostPolicy.absoluteFormAuthority(req.uri());
            if (target != null && (target.isEmpty() || !hosts.hostAllowed(target))) {
                // an absolute-form target (GET http://evil.example/api/...) names the host the request is for, and
                // a server must use it instead of the Host header: a name that is not ours is misdirected
                LOG.debugf("Refused %s %s from %s: absolute-form target names '%s'", method, Text.escape(path),
                        req.remoteAddress(), Text.escape(target));
                problem(ctx, 421, "Misdirected request", (target.isEmpty()
                        ? "the request target is an absolute URI without a plain host name"
                        : "the request target names the host '" + shorten(target) + "', which is not a name of this server")
                        + "; send the path only (GET /api/...) with a Host header");
                return;
            }
            String host = req.getHeader(HttpHeaders.HOST);
            if (host == null && req.authority() != null) {
                host = req.authority().host();
            }
            if (!hosts.hostAllowed(host)) {
                long quiet = refusals.admit();
                if (quiet >= 0) {
                    LOG.warnf("Refused %s %s from %s: Host '%s' is not an allowed name (DNS rebinding?)%s", method,
                            Text.escape(path), req.remoteAddress(), Text.escape(host), LogBudget.suppressedNote(quiet));
                }
                problem(ctx, 403, "Forbidden host", "the Host header '" + shorten(host) + "' is not a name of this server; "
                        + "allowed are loopback names, the bind address and homelab.security.allowed-hosts "
                        + "(HOMELAB_SECURITY_ALLOWED_HOSTS)");
                return;
            }
            String origin = req.getHeader(HttpHeaders.ORIGIN);
            if (!hosts.originAllowed(origin)) {
                long quiet = refusals.admit();
                if (quiet >= 0) {
                    LOG.warnf("Refused %s %s from %s: Origin '%s' is not allowed%s", method, Text.escape(path),
                            req.remoteAddress(), Text.escape(origin), LogBudget.suppressedNote(quiet));
                }
                problem(ctx, 403, "Forbidden origin", "requests from the origin '" + shorten(origin) + "' are not allowed; "
                        + "add it to homelab.security.allowed-origins (HOMELAB_SECURITY_ALLOWED_ORIGINS) if it is yours");
                return;
            }
        }

        long declared = contentLength(req);
        if (declared > maxBodyBytes) {
            tooLarge(ctx);
            return;
        }
        if (face && !WriteClassifier.isSafeMethod(method) && hasBody(req, declared)
                && !isJson(req.getHeader(HttpHeaders.CONTENT_TYPE))) {
            problem(ctx, 415, "Unsupported media type", "send the body as application/json (got '"
                    + shorten(req.getHeader(HttpHeaders.CONTENT_TYPE)) + "')");
            return;
        }

        boolean authorized = !token.configured();
        if (!authorized) {
            BearerToken.Check check = token.check(req.getHeader(HttpHeaders.AUTHORIZATION));
            if (check == BearerToken.Check.WRONG) {
                // a wrong token is refused even where none is needed, so a misconfigured client learns it at once
                unauthorized(ctx, true);
                return;
            }
            authorized = check == BearerToken.Check.VALID;
            if (!authorized && WriteClassifier.isPeerExport(path)) {
                exportUnauthorized(ctx);
                return;
            }
            if (!authorized && face && config.protectReads()) {
                unauthorized(ctx, false);
                return;
            }
        }
        if (!authorized && WriteClassifier.isMcpPath(path)) {
            unauthorized(ctx, false);
            return;
        }
        if (WriteClassifier.isMcpPath(path) && method.equals("POST")) {
            // read the body (within the cap), then checkMcpBody parses it with our limits
            ctx.put(MCP_BODY_CHECK, Boolean.TRUE);
            ctx.next();
            return;
        }
        if (!authorized && writes.isWrite(method, path)) {
            unauthorized(ctx, false);
            return;
        }
        ctx.next();
    }

    void readMcpBody(RoutingContext ctx) {
        if (ctx.get(MCP_BODY_CHECK) == null) {
            ctx.next();
            return;
        }
        // the reader marks the body as read, so the MCP route's own body handler reuses it
        ctx.request().resume();
        bodyReader.handle(ctx);
    }

    /**
     * Parses an MCP POST body with the application's ObjectMapper, so the MCP face gets the same explicit JSON
     * limits as REST (the MCP extension parses with Vert.x's own Jackson factory and its defaults).
     */
    void checkMcpBody(RoutingContext ctx) {
        if (ctx.get(MCP_BODY_CHECK) == null) {
            ctx.next();
            return;
        }
        RequestBody body = ctx.body();
        if (body != null && body.buffer() != null && body.length() > 0) {
            try {
                ctx.put(MCP_BODY_TREE, mapper.readTree(body.buffer().getBytes()));
            } catch (IOException e) {
                jsonRpcParseError(ctx, e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage());
                return;
            }
        }
        ctx.next();
    }

    /** The JSON-RPC answer to a body that is not JSON (Streamable HTTP: HTTP 400 with an error response, no id). */
    private void jsonRpcParseError(RoutingContext ctx, String reason) {
        String message = "Parse error: " + shorten(reason);
        String json;
        try {
            json = mapper.writeValueAsString(java.util.Map.of("jsonrpc", "2.0", "id", mapper.nullNode(),
                    "error", java.util.Map.of("code", -32700, "message", message)));
        } catch (IOException e) {
            json = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}";
        }
        ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json);
    }

    private void unauthorized(RoutingContext ctx, boolean wrongToken) {
        HttpServerRequest req = ctx.request();
        long quiet = refusals.admit();
        if (quiet >= 0) {
            LOG.infof("Refused %s %s from %s: %s bearer token%s", req.method().name(), Text.escape(ctx.normalizedPath()),
                    req.remoteAddress(), wrongToken ? "wrong" : "missing", LogBudget.suppressedNote(quiet));
        }
        ctx.response().putHeader("WWW-Authenticate",
                wrongToken ? REALM + ", error=\"invalid_token\", error_description=\"the bearer token is not valid\"" : REALM);
        problem(ctx, 401, "Unauthorized", wrongToken
                ? "the bearer token is not valid; send the token configured on the server (HOMELAB_EVENTS_TOKEN)"
                : "this request writes (or reads are protected, or it is MCP, which always needs the token when one is set): "
                        + "send 'Authorization: Bearer <token>' with the token "
                        + "configured on the server (HOMELAB_EVENTS_TOKEN or HOMELAB_EVENTS_TOKEN_FILE)");
    }

    /** The peer export hands out every event file at once: with a token configured, only token holders get it. */
    private void exportUnauthorized(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        long quiet = refusals.admit();
        if (quiet >= 0) {
            LOG.infof("Refused %s %s from %s: the peer export needs the bearer token%s", req.method().name(),
                    Text.escape(ctx.normalizedPath()), req.remoteAddress(), LogBudget.suppressedNote(quiet));
        }
        ctx.response().putHeader("WWW-Authenticate", REALM);
        problem(ctx, 401, "Unauthorized", "the peer export is a bulk read of the whole store and needs the token whenever "
                + "one is set, even where reads are open: send 'Authorization: Bearer <token>' (a peer sends its "
                + "homelab.sync.peers.<name>.token)");
    }

    private void tooLarge(RoutingContext ctx) {
        // the rest of the body is not read; close so the client does not keep uploading
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        problem(ctx, 413, "Payload too large", "the request body is larger than " + maxBodyBytes
                + " bytes (quarkus.http.limits.max-body-size)");
    }

    private void problem(RoutingContext ctx, int status, String title, String detail) {
        answer(ctx, Problem.of(status, title, detail));
    }

    private void answer(RoutingContext ctx, Problem p) {
        String json;
        try {
            json = mapper.writeValueAsString(p);
        } catch (IOException e) {
            json = "{\"title\":\"" + p.title() + "\",\"status\":" + p.status() + "}";
        }
        ctx.response().setStatusCode(p.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(json);
    }

    private static long contentLength(HttpServerRequest req) {
        String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (cl == null) {
            return -1;
        }
        try {
            return Long.parseLong(cl.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean hasBody(HttpServerRequest req, long declared) {
        return declared > 0 || (declared < 0 && req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null);
    }

    /**
     * JSON, or no Content-Type at all (Java's HttpClient, McpAssured): a browser can send a cross-origin POST
     * without a Content-Type (a Blob body), but always with an Origin header, which {@link HostPolicy} checks first.
     */
    static boolean isJson(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        String mime = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
    }

    /** A request value quoted in a refusal: escaped, then cut. */
    private static String shorten(String s) {
        return s == null ? "" : Text.shorten(Text.escape(s), 100);
    }
}
