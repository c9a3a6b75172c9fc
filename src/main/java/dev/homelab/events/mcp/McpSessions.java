package dev.homelab.events.mcp;

import java.lang.reflect.Constructor;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.mcp.server.InitialRequest;
import io.quarkiverse.mcp.server.McpServer;
import io.quarkiverse.mcp.server.http.runtime.StreamableHttpMcpMessageHandler;
import io.quarkiverse.mcp.server.runtime.ConnectionManager;
import io.quarkiverse.mcp.server.runtime.McpConnectionBase;
import io.quarkiverse.mcp.server.runtime.config.McpServerRuntimeConfig;
import io.quarkiverse.mcp.server.runtime.config.McpServersRuntimeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import dev.homelab.events.config.McpConfig;

/**
 * The MCP sessions of every transport as our front sees them: the library's {@link ConnectionManager} holds them
 * (and expires idle ones after {@code quarkus.mcp.server.connection-idle-timeout}); this class counts them against
 * {@link McpConfig#maxSessions()}, creates Streamable HTTP sessions for the initialize that {@link McpFront}
 * answers, keeps the GET event streams of Streamable HTTP sessions, and delivers server notifications.
 *
 * <p>
 * GET streams are ours, not the library's: quarkus-mcp-server 1.10.1 writes an unsolicited
 * {@code notifications/message} "Subsidiary SSE opened" on every GET stream before any {@code logging/setLevel},
 * and lets a session open any number of them. Here a stream starts silent and a session holds at most
 * {@link McpConfig#maxStreamsPerSession()}.
 */
@ApplicationScoped
public class McpSessions {

    private static final Logger LOG = Logger.getLogger(McpSessions.class);
    private static final long SWEEP_MILLIS = 30_000;
    /** quarkus-mcp-server 1.10.1's Streamable HTTP connection: package-private there, created here by reflection. */
    private static final String STREAMABLE_CONNECTION = "io.quarkiverse.mcp.server.http.runtime.StreamableHttpMcpConnection";

    @Inject
    ConnectionManager connections;
    @Inject
    McpServersRuntimeConfig serversConfig;
    @Inject
    McpConfig config;
    @Inject
    McpSubscriptions subscriptions;
    @Inject
    Vertx vertx;
    @Inject
    MeterRegistry metrics;

    private final Map<String, List<HttpServerResponse>> streams = new ConcurrentHashMap<>();
    private Constructor<?> streamableConstructor;

    @PostConstruct
    void init() {
        try {
            // the library creates this connection itself only on its own initialize path, which we answer instead
            // (it never advertises resources.subscribe); a version without this constructor fails the start here
            streamableConstructor = Class.forName(STREAMABLE_CONNECTION, true,
                    StreamableHttpMcpMessageHandler.class.getClassLoader())
                    .getDeclaredConstructor(String.class, McpServerRuntimeConfig.class);
            streamableConstructor.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("quarkus-mcp-server changed: " + STREAMABLE_CONNECTION
                    + "(String, McpServerRuntimeConfig) is gone; see mcp/McpSessions", e);
        }
        vertx.setPeriodic(SWEEP_MILLIS, t -> sweep());
        // what this class and McpSubscriptions keep per session, beside the library's own gauge of sessions
        // (mcp_server_connections_active): both return to zero once every session ended or expired
        Gauge.builder("homelab.mcp.sessions.tracked", streams, Map::size).tag("state", "streams")
                .description("MCP sessions for which GET streams are kept").register(metrics);
        Gauge.builder("homelab.mcp.sessions.tracked", subscriptions, s -> s.subscribedSessions().size())
                .tag("state", "subscriptions").description("MCP sessions holding resource subscriptions")
                .register(metrics);
    }

    /** A session by id, without counting as activity (the library's own lookup resets the idle timer). */
    public McpConnectionBase find(String id) {
        if (id == null || !connections.has(id)) {
            return null;
        }
        for (McpConnectionBase c : connections) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        return null;
    }

    /** Sessions open now, on every transport. */
    public int count() {
        int n = 0;
        for (McpConnectionBase c : connections) {
            n++;
        }
        return n;
    }

    /** True when no further session may be opened. */
    public boolean full() {
        return count() >= config.maxSessions();
    }

    /** Creates, initializes and registers a Streamable HTTP session. */
    public McpConnectionBase createStreamable(InitialRequest request) {
        String id = ConnectionManager.connectionId();
        McpConnectionBase c;
        try {
            c = (McpConnectionBase) streamableConstructor.newInstance(id,
                    serversConfig.servers().get(McpServer.DEFAULT));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create a Streamable HTTP MCP session", e);
        }
        c.initialize(request);
        connections.add(c);
        LOG.debugf("MCP session %s opened by %s %s (protocol %s)", id, request.implementation().name(),
                request.implementation().version(), request.protocolVersion());
        return c;
    }

    /** Ends a session: the library forgets it, its streams close, its subscriptions end. */
    public boolean remove(String id) {
        boolean removed = connections.remove(id);
        List<HttpServerResponse> open = streams.remove(id);
        if (open != null) {
            open.forEach(McpSessions::end);
        }
        subscriptions.forget(id);
        return removed;
    }

    /** Registers a GET event stream of a session; false when the session already has its maximum. */
    public boolean openStream(String sessionId, HttpServerResponse response) {
        List<HttpServerResponse> list = streams.computeIfAbsent(sessionId, k -> new CopyOnWriteArrayList<>());
        synchronized (list) {
            if (list.size() >= config.maxStreamsPerSession()) {
                return false;
            }
            list.add(response);
        }
        response.closeHandler(v -> list.remove(response));
        return true;
    }

    /**
     * Sends a notification to a session: on its first GET stream (Streamable HTTP), its SSE stream (legacy
     * transport) or standard output (stdio). False when the session is gone.
     */
    public boolean send(String sessionId, ObjectNode message) {
        McpConnectionBase c = find(sessionId);
        if (c == null) {
            return false;
        }
        InitialRequest init = c.initialRequest();
        if (init != null && init.transport() == InitialRequest.Transport.STREAMABLE_HTTP) {
            List<HttpServerResponse> list = streams.get(sessionId);
            if (list != null && !list.isEmpty()) {
                list.get(0).write("event: message\ndata: " + message + "\n\n");
            } else {
                LOG.debugf("MCP session %s has no GET stream open: notification dropped", sessionId);
            }
            return true;
        }
        c.send(new JsonObject(message.toString()));
        return true;
    }

    /** Closes the streams and subscriptions of sessions the library expired (idle timeout). */
    void sweep() {
        Set<String> gone = new HashSet<>(streams.keySet());
        gone.addAll(subscriptions.subscribedSessions());
        for (McpConnectionBase c : connections) {
            gone.remove(c.id());
        }
        for (String id : gone) {
            LOG.debugf("MCP session %s expired", id);
            remove(id);
        }
    }

    private static void end(HttpServerResponse r) {
        try {
            if (!r.ended() && !r.closed()) {
                r.end();
            }
        } catch (IllegalStateException e) {
            // already closed by the client
        }
    }
}
