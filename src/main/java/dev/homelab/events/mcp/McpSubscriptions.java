package dev.homelab.events.mcp;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.mcp.server.ResourceManager;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Names;
import dev.homelab.events.config.McpConfig;
import dev.homelab.events.service.EventService;

/**
 * {@code resources/subscribe} to {@code homelab://chains/{correlation_id}}: a subscribed session gets
 * {@code notifications/resources/updated} whenever the chain gains an event, from any writer (this server, the
 * bash and Python libraries through the index's file watcher, sync). The chain need not exist yet, so an agent
 * can watch for an incident it expects. Events never change, so {@code homelab://events/{id}} cannot be
 * subscribed. At most {@link McpConfig#maxSubscriptionsPerSession()} per session; a session's subscriptions end
 * with it.
 */
@ApplicationScoped
public class McpSubscriptions {

    private static final Logger LOG = Logger.getLogger(McpSubscriptions.class);
    static final String CHAINS = "homelab://chains/";
    static final String EVENTS = "homelab://events/";
    /** Longest correlation id the store accepts. */
    private static final int MAX_CORRELATION_ID = 128;

    @Inject
    McpSessions sessions;
    @Inject
    McpConfig config;
    @Inject
    EventService events;
    @Inject
    Vertx vertx;
    @Inject
    ObjectMapper mapper;

    @Inject
    ResourceManager resources;

    /** A 2026-07-28 {@code subscriptions/listen} stream: its chain URIs and where its notifications go. */
    public record Listener(Object requestId, Set<String> uris, Consumer<ObjectNode> sink) {
    }

    /** Open listen streams (2026-07-28 has no sessions: each stream holds its own subscriptions). */
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();

    /** resource URI -> subscribed session ids */
    private final Map<String, Set<String>> byUri = new ConcurrentHashMap<>();
    /** session id -> subscribed resource URIs */
    private final Map<String, Set<String>> bySession = new ConcurrentHashMap<>();

    void listen(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE) StartupEvent ev) {
        events.onChainsGrown(this::grown);
    }

    public void subscribe(String sessionId, String uri) {
        String cid = key(uri);
        Set<String> mine = bySession.computeIfAbsent(sessionId, k -> ConcurrentHashMap.newKeySet());
        synchronized (mine) {
            if (!mine.contains(cid) && mine.size() >= config.maxSubscriptionsPerSession()) {
                throw new InvalidInputException("uri", null, "this session already holds "
                        + config.maxSubscriptionsPerSession() + " subscriptions (homelab.mcp.max-subscriptions-per-session); "
                        + "unsubscribe from one first");
            }
            mine.add(cid);
            byUri.computeIfAbsent(cid, k -> ConcurrentHashMap.newKeySet()).add(sessionId);
        }
        LOG.debugf("MCP session %s subscribed to %s", sessionId, cid);
    }

    public void unsubscribe(String sessionId, String uri) {
        String cid = key(uri);
        Set<String> mine = bySession.get(sessionId);
        if (mine != null) {
            mine.remove(cid);
        }
        drop(cid, sessionId);
    }

    /** Forgets every subscription of a session that ended. */
    public void forget(String sessionId) {
        Set<String> mine = bySession.remove(sessionId);
        if (mine != null) {
            mine.forEach(cid -> drop(cid, sessionId));
        }
    }

    /** Sessions holding a subscription, for the sweep of ended sessions. */
    Set<String> subscribedSessions() {
        return bySession.keySet();
    }

    int count(String sessionId) {
        Set<String> mine = bySession.get(sessionId);
        return mine == null ? 0 : mine.size();
    }

    private void drop(String cid, String sessionId) {
        byUri.computeIfPresent(cid, (k, s) -> {
            s.remove(sessionId);
            return s.isEmpty() ? null : s;
        });
    }

    /**
     * Checks the URIs of a {@code subscriptions/listen} request (chains only, at most
     * {@link McpConfig#maxSubscriptionsPerSession()}) and the number of open streams (at most
     * {@link McpConfig#maxSessions()}, the cap of 2025 sessions); throws InvalidInputException naming what is
     * wrong. Returns the URIs to watch.
     */
    public Set<String> checkListen(List<String> uris) {
        if (uris.size() > config.maxSubscriptionsPerSession()) {
            throw new InvalidInputException("resourceSubscriptions", null, "at most " + config.maxSubscriptionsPerSession()
                    + " resources per stream (homelab.mcp.max-subscriptions-per-session)");
        }
        Set<String> checked = new LinkedHashSet<>();
        for (String uri : uris) {
            correlationId(uri);
            checked.add(uri);
        }
        return checked;
    }

    /** True when another listen stream may open. */
    public boolean listenFull() {
        return listeners.size() >= config.maxSessions();
    }

    /** Starts delivering: {@code notifications/resources/updated} for each URI whose chain grows, until {@link #stop}. */
    public void start(Listener l) {
        listeners.add(l);
        LOG.debugf("MCP listen stream %s watches %s", l.requestId(), l.uris());
    }

    public void stop(Listener l) {
        if (listeners.remove(l)) {
            LOG.debugf("MCP listen stream %s ended", l.requestId());
        }
    }

    int listening() {
        return listeners.size();
    }

    /** Called by the index under its lock: only finds the subscribers, the sending runs on a worker. */
    void grown(Set<String> correlationIds) {
        if (!listeners.isEmpty()) {
            for (String cid : correlationIds) {
                for (Listener l : listeners) {
                    if (l.uris().contains(CHAINS + cid)) {
                        ObjectNode note = mapper.createObjectNode().put("jsonrpc", "2.0")
                                .put("method", "notifications/resources/updated");
                        ObjectNode params = note.putObject("params").put("uri", CHAINS + cid);
                        params.putObject("_meta").set(McpEra.META_SUBSCRIPTION, mapper.valueToTree(l.requestId()));
                        vertx.executeBlocking(() -> {
                            l.sink().accept(note);
                            return null;
                        }, false);
                    }
                }
            }
        }
        if (byUri.isEmpty()) {
            return;
        }
        for (String cid : correlationIds) {
            Set<String> subscribers = byUri.get(CHAINS + cid);
            if (subscribers == null || subscribers.isEmpty()) {
                continue;
            }
            ObjectNode note = mapper.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/resources/updated");
            note.putObject("params").put("uri", CHAINS + cid);
            Set<String> to = Set.copyOf(subscribers);
            vertx.executeBlocking(() -> {
                for (String session : to) {
                    if (!sessions.send(session, note)) {
                        forget(session);
                    }
                }
                return null;
            }, false);
        }
    }

    /**
     * The subscription key of a URI: a chain, or a fixed resource registered with the library (none in a real
     * deployment; the conformance fixtures have one). Every other URI is refused with the reason.
     */
    private String key(String uri) {
        if (uri.startsWith(CHAINS)) {
            correlationId(uri);
            return uri;
        }
        if (!uri.startsWith(EVENTS) && resources.getResource(uri) != null) {
            return uri;
        }
        correlationId(uri);
        return uri;
    }

    /** The correlation id of a chain resource URI; every other URI is refused with the reason. */
    static String correlationId(String uri) {
        if (uri.startsWith(CHAINS)) {
            String cid = uri.substring(CHAINS.length());
            if (cid.isEmpty() || cid.length() > MAX_CORRELATION_ID || cid.codePoints().anyMatch(Names::isControl)) {
                throw new InvalidInputException("uri", null, "the correlation id must be 1-" + MAX_CORRELATION_ID
                        + " printable characters");
            }
            return cid;
        }
        if (uri.startsWith(EVENTS)) {
            throw new InvalidInputException("uri", null, "an event never changes, so it cannot be subscribed; subscribe to "
                    + "its chain, homelab://chains/{correlation_id}");
        }
        throw new InvalidInputException("uri", null, "only homelab://chains/{correlation_id} can be subscribed");
    }
}
