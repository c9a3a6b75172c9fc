package dev.homelab.events.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.StartupEvent;

import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.config.SyncConfig;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventWriter;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventStore;

/**
 * Sync between nodes: serves this node's files to peers ({@link Exporter}) and pulls the configured peers
 * ({@link PeerPuller}), periodically ({@link SyncSchedule}) and on demand. The sync faces (REST, MCP and
 * function-calling tools, the health check) call this class. State lives in {@code <root>/.sync/} (a dot
 * directory, so the scanner never reads it as events).
 */
@ApplicationScoped
public class SyncService {

    private static final Logger LOG = Logger.getLogger(SyncService.class);
    /** A peer name names its state file {@code .sync/peers/<name>.json}: see {@link SyncConfig#peers()}. */
    private static final Pattern PEER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    public static final int EXPORT_DEFAULT_LIMIT = 200;
    public static final int EXPORT_MAX_LIMIT = 1000;

    @Inject
    EventStore store;
    @Inject
    EventIndex index;
    @Inject
    EventWriter writer;
    @Inject
    Reconciler reconciler;
    @Inject
    LocalNode node;
    @Inject
    Importer.ArchiveLookup archives;
    @Inject
    SyncConfig config;
    @Inject
    ObjectMapper mapper;

    private volatile Exporter exporter;
    /** Asked by every puller before it imports (the audit trail adds its key pins at its start, before this one). */
    private final List<PeerKeyCheck> keyChecks = new CopyOnWriteArrayList<>();
    // set once at startup, read by the schedule's thread and request threads
    private volatile Map<String, PeerPuller> pullers = Map.of();

    public record SyncStatus(String node, @JsonProperty("schedule_enabled") boolean scheduleEnabled,
            @JsonProperty("interval_seconds") long intervalSeconds,
            @JsonProperty("heartbeat_window_seconds") long heartbeatWindowSeconds,
            @JsonProperty("local_arrivals") long localArrivals, List<PeerPuller.Status> peers) {
    }

    /** Adds a check asked before each pull imports anything from a peer (see {@link PeerKeyCheck}). */
    public void addPeerKeyCheck(PeerKeyCheck check) {
        keyChecks.add(check);
    }

    /** The key checks every pull asks (a live list), for NATS replication to ask the same. */
    public List<PeerKeyCheck> keyChecks() {
        return keyChecks;
    }

    /** Runs after the index is built (IndexRefresher observes at APPLICATION priority). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 50) StartupEvent ev) {
        // the arrival log is created on first use (an export, or a scheduled pull), so a node nobody syncs
        // with keeps a root holding nothing but events
        // a client only when there is a peer to pull: building one loads the JDK's TLS trust store (about 4% of an
        // empty store's start-up CPU)
        HttpClient http = config.peers().isEmpty()
                ? null
                : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.timeout())
                        .followRedirects(HttpClient.Redirect.NEVER).build();
        Importer importer = new Importer(writer, archives);
        PeerPuller.Settings settings = new PeerPuller.Settings(config.timeout(),
                Math.max(1, Math.min(EXPORT_MAX_LIMIT, config.pageSize())),
                config.backoffInitial(), config.backoffMax(), config.heartbeatWindow());
        Path stateDir = store.root().resolve(".sync").resolve("peers");
        Map<String, PeerPuller> configured = new LinkedHashMap<>();
        for (Map.Entry<String, SyncConfig.Peer> e : new TreeMap<>(config.peers()).entrySet()) {
            String name = e.getKey();
            if (!PEER_NAME.matcher(name).matches()) {
                throw new IllegalStateException("homelab.sync.peers: peer name '" + name
                        + "' is not allowed; use letters, digits, '-' and '_' (it names the state file)");
            }
            URI url = parseUrl(name, e.getValue().url());
            configured.put(name, new PeerPuller(name, url, e.getValue().token(), e.getValue().node(), http, importer,
                    mapper, stateDir.resolve(name + ".json"), node, settings, Instant::now, keyChecks));
        }
        pullers = Collections.unmodifiableMap(configured);
        if (scheduled()) {
            LOG.infof("Sync: pulling %d peer(s) %s every %s", pullers.size(), pullers.keySet(), config.interval());
        }
    }

    private static URI parseUrl(String name, String text) {
        try {
            URI u = URI.create(text.trim());
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new IllegalStateException("homelab.sync.peers." + name + ".url must be an http(s) base URL such as "
                + "http://pi4.lan:8080, got: " + text);
    }

    /** True when the periodic pull runs: enabled, and at least one peer configured. */
    boolean scheduled() {
        return config.enabled() && !pullers.isEmpty();
    }

    private synchronized Exporter exporter() {
        if (exporter == null) {
            try {
                ArrivalLog log = new ArrivalLog(store.root().resolve(".sync").resolve("arrivals.log")).open();
                Exporter e = new Exporter(store, index, log, node.nodeName());
                writer.addListener(e.listener()); // new files numbered as they are reported, not by full passes
                reconciler.addListener(e.listener());
                exporter = e;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the sync arrival log under " + store.root().resolve(".sync"), e);
            }
        }
        return exporter;
    }

    /** One scheduled pass: numbers new arrivals, then pulls every peer whose backoff allows it. */
    void pullDuePeers() {
        try {
            exporter().refresh(); // number new arrivals promptly, so their order is fixed close to arrival time
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not extend the sync arrival log", e);
        }
        for (PeerPuller p : pullers.values()) {
            try {
                p.tick();
            } catch (RuntimeException e) {
                LOG.warnf(e, "Sync tick for peer %s failed", p.name());
            }
        }
    }

    /** A page of this node's files after {@code after}; arguments as the REST face receives them. */
    public ExportPage export(String after, Integer limit) {
        List<FieldError> errors = new ArrayList<>();
        Optional<SyncCursor> cursor = SyncCursor.decode(after);
        if (cursor.isEmpty()) {
            errors.add(new FieldError("after", after,
                    "is not a sync cursor of this server (pass next_cursor as given, or nothing to start)"));
        }
        int n = limit == null ? EXPORT_DEFAULT_LIMIT : limit;
        if (n < 1 || n > EXPORT_MAX_LIMIT) {
            errors.add(new FieldError("limit", String.valueOf(limit), "must be between 1 and " + EXPORT_MAX_LIMIT));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        try {
            return exporter().export(cursor.get(), n);
        } catch (IOException e) {
            throw new StoreUnavailableException("the sync arrival log could not be updated: " + e, false, e);
        }
    }

    /**
     * The arrival feed for NATS replication: as {@link #export(String, Integer)}, with the files {@code unread}
     * names listed but not read (see {@link Exporter#export(SyncCursor, int, java.util.function.Predicate)}).
     */
    public ExportPage export(SyncCursor after, int limit, Predicate<String> unread) throws IOException {
        return exporter().export(after, limit, unread);
    }

    /** Pulls every configured peer now (or only {@code peer}), ignoring backoff; returns once done. */
    public List<PeerPuller.RunResult> runNow(String peer) {
        checkPeer(peer);
        List<PeerPuller.RunResult> results = new ArrayList<>();
        for (PeerPuller p : pullers.values()) {
            if (peer == null || peer.isBlank() || p.name().equals(peer)) {
                results.add(p.pull());
            }
        }
        return results;
    }

    public SyncStatus status() {
        return status(null);
    }

    /** Status of every peer, or of one ({@code peer} = its configured name). */
    public SyncStatus status(String peer) {
        checkPeer(peer);
        List<PeerPuller.Status> peers = pullers.values().stream()
                .filter(p -> peer == null || peer.isBlank() || p.name().equals(peer)).map(PeerPuller::status).toList();
        Exporter e = exporter;
        return new SyncStatus(node.nodeName(), scheduled(), config.interval().toSeconds(),
                config.heartbeatWindow().toSeconds(), e == null ? 0 : e.log().last(), peers);
    }

    private void checkPeer(String peer) {
        if (peer != null && !peer.isBlank() && !pullers.containsKey(peer)) {
            throw new InvalidInputException("peer", peer, pullers.isEmpty()
                    ? "no peers are configured (homelab.sync.peers)"
                    : "is not a configured peer; configured: " + String.join(", ", pullers.keySet()));
        }
    }

    @PreDestroy
    void stop() {
        Exporter e = exporter;
        if (e != null) {
            try {
                e.log().close();
            } catch (IOException ex) {
                LOG.debug("closing the arrival log", ex);
            }
        }
    }
}
