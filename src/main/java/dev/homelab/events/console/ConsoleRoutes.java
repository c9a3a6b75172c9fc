package dev.homelab.events.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The operator's console: one page ({@code META-INF/resources/index.html}, its modules and styles under
 * {@code /console/}) that reads the REST API. Quarkus serves the static files; this class serves the same page for
 * the console's own addresses, so a link such as {@code /chains/deploy-882} can be pasted and reloaded, and gives
 * every console response its security headers.
 *
 * <p>
 * The Content-Security-Policy allows scripts, styles, images and connections from this origin only: no inline
 * script or style, no other host, no framing, and DOM sinks that would parse HTML from strings are closed by
 * Trusted Types. Event text reaches the page only as JSON and is inserted as text nodes (see console/dom.js).
 * The page holds no data, so it needs no Host check; the API it calls is guarded like every other client's.
 */
@ApplicationScoped
public class ConsoleRoutes {

    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

    /** Client-side views whose addresses are served the page: {@code /chains/<id>}, {@code /timeline}, ... */
    static final String VIEW_PATHS = "/(chains|events)/.+|/(timeline|status|ask|problems)/?";
    /** Runs before the routes, after the HTTP guard (whose priority is higher). */
    private static final int HEADERS_PRIORITY = 100;

    private final Buffer page = Buffer.buffer(readPage());

    void routes(@Observes Router router) {
        router.getWithRegex(VIEW_PATHS).handler(this::servePage);
    }

    void headers(@Observes Filters filters) {
        filters.register(this::addHeaders, HEADERS_PRIORITY);
    }

    /** Security headers on the console's pages and assets; the API, MCP and /q routes keep their own. */
    void addHeaders(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (isConsole(path)) {
            HttpServerResponse r = ctx.response();
            r.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            r.putHeader("X-Content-Type-Options", "nosniff");
            r.putHeader("Referrer-Policy", "no-referrer");
            r.putHeader("X-Frame-Options", "DENY");
            r.putHeader("Cross-Origin-Opener-Policy", "same-origin");
            // revalidate every time (a cheap 304): the static handler's day-long "immutable" would keep the modules
            // of an older server version next to a newer page; set last, so it wins over the handler's own header
            ctx.addHeadersEndHandler(v -> r.headers().set(HttpHeaders.CACHE_CONTROL, "no-cache"));
        }
        ctx.next();
    }

    static boolean isConsole(String path) {
        return path != null && !(path.equals("/api") || path.startsWith("/api/") || path.equals("/mcp")
                || path.startsWith("/mcp/") || path.startsWith("/q/"));
    }

    private void servePage(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").end(page);
    }

    private static byte[] readPage() {
        try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream("META-INF/resources/index.html")) {
            if (in == null) {
                throw new IllegalStateException("the console page META-INF/resources/index.html is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
