package dev.homelab.events.security;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.homelab.events.Text;
import dev.homelab.events.config.SecurityConfig;

/**
 * Time limits for slow clients, besides the connection idle timeout ({@code quarkus.http.idle-timeout}), which
 * closes a connection on which nothing moves:
 * <ul>
 * <li>a request body must arrive within {@code homelab.security.body-timeout} of its head, else 408 and the
 * connection is closed: a client trickling a byte now and then is not idle, yet must not hold a connection and a
 * growing buffer for ever;</li>
 * <li>a server-sent-event stream (MCP's {@code GET /mcp/sse}, a Streamable HTTP stream) that has nothing to say gets
 * an SSE comment line every half idle timeout, so the idle timeout meant for stalled clients never cuts a healthy
 * stream; a client ignores comment lines.</li>
 * </ul>
 */
@ApplicationScoped
public class HttpTimeouts {

    private static final Logger LOG = Logger.getLogger(HttpTimeouts.class);

    /** Runs before {@link HttpGuard}, so every request, refused or not, has its deadline. */
    static final int PRIORITY = HttpGuard.PRIORITY + 10;
    private static final String SSE_COMMENT = ":\n\n";

    @Inject
    SecurityConfig config;
    @Inject
    ObjectMapper mapper;

    private long bodyTimeoutMillis;
    private long keepAliveMillis;

    void registerFilters(@Observes Filters filters) {
        bodyTimeoutMillis = Math.max(1, config.bodyTimeout().toMillis());
        Duration idle = ConfigProvider.getConfig().getOptionalValue("quarkus.http.idle-timeout", Duration.class)
                .orElse(Duration.ofMinutes(30));
        keepAliveMillis = Math.max(500, idle.toMillis() / 2);
        filters.register(this::limit, PRIORITY);
    }

    void limit(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (!req.isEnded() && hasBody(req)) {
            long timer = ctx.vertx().setTimer(bodyTimeoutMillis, id -> bodyTooSlow(ctx));
            ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
        }
        ctx.addHeadersEndHandler(v -> {
            String type = ctx.response().headers().get(HttpHeaders.CONTENT_TYPE);
            if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                keepAlive(ctx);
            }
        });
        ctx.next();
    }

    private void bodyTooSlow(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse resp = ctx.response();
        if (req.isEnded() || resp.ended() || resp.closed()) {
            return;
        }
        LOG.debugf("Closing %s %s from %s: its body did not arrive within %d ms", req.method().name(),
                Text.escape(ctx.normalizedPath()), req.remoteAddress(), bodyTimeoutMillis);
        if (resp.headWritten()) {
            req.connection().close();
            return;
        }
        String json;
        try {
            json = mapper.writeValueAsString(Problem.of(408, "Request timeout", "the request body did not arrive within "
                    + bodyTimeoutMillis + " ms of its head (homelab.security.body-timeout); the connection is closed"));
        } catch (IOException e) {
            json = "{\"title\":\"Request timeout\",\"status\":408}";
        }
        resp.setStatusCode(408).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close").end(json).onComplete(r -> req.connection().close());
    }

    private void keepAlive(RoutingContext ctx) {
        HttpServerResponse resp = ctx.response();
        long timer = ctx.vertx().setPeriodic(keepAliveMillis, id -> {
            if (resp.ended() || resp.closed()) {
                ctx.vertx().cancelTimer(id); // the stream is over, however it ended
            } else if (!resp.writeQueueFull()) {
                resp.write(SSE_COMMENT);
            }
        });
        ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
    }

    private static boolean hasBody(HttpServerRequest req) {
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            return !length.strip().equals("0");
        }
        return req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }
}
