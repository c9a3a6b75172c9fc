package dev.homelab.events.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/**
 * Test-only routes: the minimal MCP Apps host of {@link McpAppTest} (src/test/resources/mcp-app-host), served by the
 * application under test so that its MCP client reaches /mcp from the same origin, as a chat client's backend would.
 * Its Content-Security-Policy is the one the MCP Apps specification gives hosts as the default for a view without
 * declared domains (inline script and style, no other origin); the framed view inherits it, so a view that fetched
 * anything or loaded a script from elsewhere would fail here too. Only in the test class path, never in the jar.
 */
@ApplicationScoped
public class McpAppTestHost {

    static final String PATH = "/test-mcp-host/";
    static final String HOST_CSP = "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; media-src 'self' data:; connect-src 'self'";

    private final Buffer page = read("host.html");
    private final Buffer script = read("host.js");

    void routes(@Observes Router router) {
        router.get(PATH + "host.html").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", HOST_CSP).end(page));
        router.get(PATH + "host.js").handler(ctx -> ctx.response().putHeader("Content-Type", "text/javascript; charset=utf-8")
                .end(script));
    }

    private static Buffer read(String name) {
        try (InputStream in = McpAppTestHost.class.getResourceAsStream("/mcp-app-host/" + name)) {
            if (in == null) {
                throw new IllegalStateException("mcp-app-host/" + name + " is missing from the test resources");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
