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

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
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
 * <li>Host and Origin of /api and /mcp requests must be allowed ({@link HostPolicy}), else 403: DNS rebinding.</li>
 * <li>A declared body larger than {@code quarkus.http.limits.max-body-size} gets 413 before it is read.</li>
 * <li>A body sent to /api or /mcp must be declared JSON (or carry no Content-Type), else 415: a browser's
 * "simple" POST ({@code text/plain}, form, multipart) can never reach a handler.</li>
 * <li>A write without the bearer token gets 401 with {@code WWW-Authenticate: Bearer} ({@link WriteClassifier}).
 * When a token is configured, every MCP request needs it, {@code initialize} and reads included: a session is
 * state the server keeps, so only token holders may open one.</li>
 * <li>MCP bodies are parsed with the application's ObjectMapper and its explicit JSON limits, whatever the token:
 * a hostile document gets a JSON-RPC parse error (HTTP 400) before the MCP route sees it.</li>
 * </ol>
 * Every refusal is an RFC 9457 problem+json body. Log lines carry escaped request values and never the
 * Authorization header.
 */
@ApplicationScoped
public class HttpGuard {

    private static final Logger LOG = Logger.getLogger(HttpGuard.class);

    /** Filters with a higher priority run first; these run before CORS and every route. */
    static final int PRIORITY = 5000;
    private static final String MCP_BODY_CHECK = "homelab.security.mcp-body-check";
    private static final String REALM = "Bearer realm=\"homelab-events\"";

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

    private long maxBodyBytes;
    private BodyHandler mcpBodyReader;
    private WriteClassifier writes;

    void registerFilters(@Observes Filters filters) {
        maxBodyBytes = ConfigProvider.getConfig().getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class)
                .map(MemorySize::asLongValue).orElse(10L * 1024 * 1024);
        mcpBodyReader = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        writes = new WriteClassifier(readOnlyTools.readOnlyToolNames());
        filters.register(this::guard, PRIORITY);
        filters.register(this::readMcpBody, PRIORITY - 1);
        filters.register(this::checkMcpBody, PRIORITY - 2);
    }

    /** Vert.x answers an oversized chunked body with a bare 413; give it the same problem+json as the rest. */
    void registerFailureHandler(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
                tooLarge(ctx);
            } else {
                ctx.next();
            }
        });
    }

    void guard(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        String path = ctx.normalizedPath();
        String method = req.method().name();
        boolean face = WriteClassifier.isApiPath(path) || WriteClassifier.isMcpPath(path);

        if (face) {
            String host = req.getHeader(HttpHeaders.HOST);
            if (host == null && req.authority() != null) {
                host = req.authority().host();
            }
            if (!hosts.hostAllowed(host)) {
                LOG.warnf("Refused %s %s from %s: Host '%s' is not an allowed name (DNS rebinding?)", method,
                        Text.escape(path), req.remoteAddress(), Text.escape(host));
                problem(ctx, 403, "Forbidden host", "the Host header '" + shorten(host) + "' is not a name of this server; "
                        + "allowed are loopback names, the bind address and homelab.security.allowed-hosts "
                        + "(HOMELAB_SECURITY_ALLOWED_HOSTS)");
                return;
            }
            String origin = req.getHeader(HttpHeaders.ORIGIN);
            if (!hosts.originAllowed(origin)) {
                LOG.warnf("Refused %s %s from %s: Origin '%s' is not allowed", method, Text.escape(path),
                        req.remoteAddress(), Text.escape(origin));
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
        mcpBodyReader.handle(ctx);
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
                mapper.readTree(body.buffer().getBytes());
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
        LOG.infof("Refused %s %s from %s: %s bearer token", req.method().name(), Text.escape(ctx.normalizedPath()),
                req.remoteAddress(), wrongToken ? "wrong" : "missing");
        ctx.response().putHeader("WWW-Authenticate",
                wrongToken ? REALM + ", error=\"invalid_token\", error_description=\"the bearer token is not valid\"" : REALM);
        problem(ctx, 401, "Unauthorized", wrongToken
                ? "the bearer token is not valid; send the token configured on the server (HOMELAB_EVENTS_TOKEN)"
                : "this request writes (or reads are protected, or it is MCP, which always needs the token when one is set): "
                        + "send 'Authorization: Bearer <token>' with the token "
                        + "configured on the server (HOMELAB_EVENTS_TOKEN or HOMELAB_EVENTS_TOKEN_FILE)");
    }

    private void tooLarge(RoutingContext ctx) {
        // the rest of the body is not read; close so the client does not keep uploading
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        problem(ctx, 413, "Payload too large", "the request body is larger than " + maxBodyBytes
                + " bytes (quarkus.http.limits.max-body-size)");
    }

    private void problem(RoutingContext ctx, int status, String title, String detail) {
        String json;
        try {
            json = mapper.writeValueAsString(new Problem("about:blank", title, status, detail, null));
        } catch (IOException e) {
            json = "{\"title\":\"" + title + "\",\"status\":" + status + "}";
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(json);
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
