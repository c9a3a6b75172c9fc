package dev.homelab.events.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.EventTypes;
import dev.homelab.events.Names;
import dev.homelab.events.storage.DurableFiles;

/**
 * Pulls one peer: asks its export endpoint for the files after the saved cursor, imports each page, and
 * saves the cursor only after a whole page is imported. A run interrupted anywhere (peer killed, this node
 * killed) therefore resumes from the last saved page, and the files of the interrupted page come again and
 * are skipped as identical: nothing lost, nothing duplicated.
 *
 * <p>
 * Heartbeat: only an unreachable peer (connection refused, timeout, broken connection) counts as not
 * answering; an HTTP error is a failure to report but proves the peer is up. When the peer has not
 * answered for longer than the heartbeat window, one {@code node_offline} event is recorded for it, and
 * at its next answer one {@code node_online}; the pending transition is saved before the event is written
 * and checked against the store after a restart, so each is recorded once.
 *
 * <p>
 * Thread-safety: pulls and ticks are synchronized (one run per peer at a time); {@link #status()} reads a
 * volatile snapshot.
 */
public class PeerPuller {

    private static final Logger LOG = Logger.getLogger(PeerPuller.class);
    private static final int MAX_PAGES_PER_RUN = 10_000;
    private static final int RECENT_CONFLICTS = 20;

    /** Records node_offline/node_online events; implemented over EventService. */
    public interface Announcer {
        boolean alreadyRecorded(String correlationId, String type);

        void record(String type, String node, String correlationId, Map<String, Object> payload);
    }

    public record Settings(Duration timeout, int pageSize, Duration backoffInitial, Duration backoffMax,
            Duration heartbeatWindow) {
    }

    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record RunResult(String peer, boolean ok, int pages, int written, int identical, int conflicts, int rejected,
            String error) {
    }

    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Status(String peer, String url, String node, String state,
            @com.fasterxml.jackson.annotation.JsonProperty("last_success") Instant lastSuccess,
            @com.fasterxml.jackson.annotation.JsonProperty("last_error") String lastError,
            @com.fasterxml.jackson.annotation.JsonProperty("last_error_at") Instant lastErrorAt,
            @com.fasterxml.jackson.annotation.JsonProperty("failing_since") Instant failingSince,
            @com.fasterxml.jackson.annotation.JsonProperty("events_pulled") long eventsPulled,
            long conflicts, long rejected,
            @com.fasterxml.jackson.annotation.JsonProperty("lag_events") long lagEvents,
            @com.fasterxml.jackson.annotation.JsonProperty("lag_seconds") Long lagSeconds,
            @com.fasterxml.jackson.annotation.JsonProperty("next_attempt") Instant nextAttempt,
            @com.fasterxml.jackson.annotation.JsonProperty("recent_conflicts") List<String> recentConflicts) {
    }

    private final String name;
    private final URI base;
    private final Optional<String> token;
    private final Optional<String> configuredNode;
    private final HttpClient http;
    private final Importer importer;
    private final ObjectMapper mapper;
    private final Path stateFile;
    private final Announcer announcer;
    private final Settings settings;
    private final Supplier<Instant> clock;
    private final Deque<String> recentConflicts = new ArrayDeque<>();

    // volatile and immutable: status() reads them without waiting for a long pull to finish
    private volatile PeerState state;
    private volatile Instant nextAttempt = Instant.MIN;

    public PeerPuller(String name, URI base, Optional<String> token, Optional<String> configuredNode, HttpClient http,
            Importer importer, ObjectMapper mapper, Path stateFile, Announcer announcer, Settings settings,
            Supplier<Instant> clock) {
        this.name = name;
        this.base = base;
        this.token = token.filter(t -> !t.isBlank());
        this.configuredNode = configuredNode.filter(Names::isValidNode);
        this.http = http;
        this.importer = importer;
        this.mapper = mapper;
        this.stateFile = stateFile;
        this.announcer = announcer;
        this.settings = settings;
        this.clock = clock;
        this.state = load();
    }

    public String name() {
        return name;
    }

    /** Scheduled entry point: pulls when the backoff allows, else only checks the heartbeat window. */
    public synchronized Optional<RunResult> tick() {
        finishPendingTransition();
        if (clock.get().isBefore(nextAttempt)) {
            checkHeartbeat();
            return Optional.empty();
        }
        return Optional.of(pull());
    }

    /** Pulls now, whatever the backoff says (on-demand runs). */
    public synchronized RunResult pull() {
        finishPendingTransition();
        int pages = 0;
        int[] counts = new int[4];
        try {
            if (state.node() == null) {
                learnNode();
            }
            boolean more = true;
            while (more && pages < MAX_PAGES_PER_RUN) {
                String before = state.cursor();
                ExportPage page = fetch(before);
                int written = 0;
                int conflicts = 0;
                int rejected = 0;
                for (ExportPage.Item item : page.items()) {
                    Importer.Result r = importer.importItem(item);
                    counts[r.outcome().ordinal()]++;
                    switch (r.outcome()) {
                        case WRITTEN -> written++;
                        case CONFLICT -> {
                            conflicts++;
                            noteConflict(r);
                        }
                        case REJECTED -> {
                            rejected++;
                            noteConflict(r);
                        }
                        case IDENTICAL -> {
                        }
                    }
                }
                // the cursor moves only once every file of the page is durably stored (or judged)
                state = state.withCursor(page.nextCursor(), written, conflicts, rejected, page.pending());
                if (state.node() == null && page.node() != null && Names.isValidNode(page.node())) {
                    state = state.withNode(page.node());
                }
                save();
                pages++;
                more = page.hasMore() && !java.util.Objects.equals(page.nextCursor(), before);
            }
            state = state.succeeded(clock.get());
            nextAttempt = Instant.MIN;
            save();
            if (state.offline()) {
                transition(false);
            }
            return new RunResult(name, true, pages, counts[0], counts[1], counts[2], counts[3], null);
        } catch (PeerUnreachable e) {
            return failed(pages, counts, e.getMessage(), Fault.UNREACHABLE);
        } catch (PeerError e) {
            return failed(pages, counts, e.getMessage(), Fault.ANSWERED);
        } catch (UncheckedIOException e) {
            // a local write failed (disk full...): says nothing about the peer; the cursor stays before the page
            return failed(pages, counts, "local store: " + e.getMessage() + " (" + e.getCause() + ")", Fault.LOCAL);
        }
    }

    /** Whose failure: only silence counts toward node_offline; any HTTP answer proves the peer is up. */
    private enum Fault {
        UNREACHABLE,
        ANSWERED,
        LOCAL
    }

    private RunResult failed(int pages, int[] counts, String error, Fault fault) {
        Instant now = clock.get();
        state = state.failed(now, error, fault == Fault.UNREACHABLE);
        if (fault == Fault.ANSWERED) {
            state = state.answered();
            if (state.offline()) {
                transition(false);
            }
        }
        long backoff = settings.backoffInitial().toMillis() << Math.min(20, Math.max(0, state.consecutiveFailures() - 1));
        nextAttempt = now.plusMillis(Math.min(backoff, settings.backoffMax().toMillis()));
        saveQuietly();
        LOG.debugf("Sync from peer %s failed (%d in a row, next attempt %s): %s", name, state.consecutiveFailures(),
                nextAttempt, error);
        checkHeartbeat();
        return new RunResult(name, false, pages, counts[0], counts[1], counts[2], counts[3], error);
    }

    private void checkHeartbeat() {
        Instant since = state.failingSince();
        if (since != null && !state.offline()
                && Duration.between(since, clock.get()).compareTo(settings.heartbeatWindow()) > 0) {
            transition(true);
        }
    }

    /** Saves the decision first, then writes the event, then clears the pending mark: once per transition. */
    private void transition(boolean nowOffline) {
        String outage = nowOffline ? "sync-outage-" + UUID.randomUUID() : state.outage();
        state = state.transition(nowOffline, outage, nowOffline ? EventTypes.NODE_OFFLINE : EventTypes.NODE_ONLINE);
        saveQuietly();
        finishPendingTransition();
    }

    private void finishPendingTransition() {
        if (state.pending() == null) {
            return;
        }
        String node = state.node() != null ? state.node() : configuredNode.orElse(Names.isValidNode(name) ? name : null);
        if (node == null) {
            LOG.warnf("Peer %s changed to %s but its node name is unknown; set homelab.sync.peers.%s.node", name,
                    state.pending(), name);
            state = state.transition(state.offline(), state.outage(), null);
            saveQuietly();
            return;
        }
        String outage = state.outage() != null ? state.outage() : "sync-outage-" + UUID.randomUUID();
        try {
            if (!announcer.alreadyRecorded(outage, state.pending())) {
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("peer", name);
                payload.put("url", base.toString());
                payload.put("detected_by", "sync");
                if (state.lastSuccess() != null) {
                    payload.put("last_success", state.lastSuccess().toString());
                }
                if (state.failingSince() != null) {
                    payload.put("failing_since", state.failingSince().toString());
                }
                if (state.lastError() != null && state.pending().equals(EventTypes.NODE_OFFLINE)) {
                    payload.put("last_error", state.lastError());
                }
                announcer.record(state.pending(), node, outage, payload);
                LOG.infof("Peer %s (node %s): %s recorded", name, node, state.pending());
            }
            state = state.transition(state.offline(), outage, null);
            saveQuietly();
        } catch (RuntimeException e) {
            // keep it pending: the next tick tries again, and the check above prevents a second copy
            LOG.warnf("Could not record %s for peer %s yet: %s", state.pending(), name, e.toString());
        }
    }

    private List<String> recentConflicts() {
        synchronized (recentConflicts) {
            return List.copyOf(recentConflicts);
        }
    }

    private void noteConflict(Importer.Result r) {
        LOG.warnf("Sync from peer %s: %s %s: %s", name, r.outcome().name().toLowerCase(java.util.Locale.ROOT), r.path(),
                r.detail());
        synchronized (recentConflicts) {
            recentConflicts
                    .addFirst(r.outcome().name().toLowerCase(java.util.Locale.ROOT) + " " + r.path() + ": " + r.detail());
            while (recentConflicts.size() > RECENT_CONFLICTS) {
                recentConflicts.removeLast();
            }
        }
    }

    /** A snapshot; never blocks behind a running pull. */
    public Status status() {
        PeerState state = this.state;
        Instant nextAttempt = this.nextAttempt;
        String s;
        if (state.offline()) {
            s = "offline";
        } else if (state.failingSince() != null || state.consecutiveFailures() > 0) {
            s = "failing";
        } else if (state.lastSuccess() == null) {
            s = "never_synced";
        } else {
            s = "online";
        }
        Long lagSeconds = state.lastSuccess() == null ? null : Duration.between(state.lastSuccess(), clock.get()).toSeconds();
        return new Status(name, base.toString(), state.node() != null ? state.node() : configuredNode.orElse(null), s,
                state.lastSuccess(), state.lastError(), state.lastErrorAt(), state.failingSince(), state.eventsPulled(),
                state.conflicts(), state.rejected(), state.lagEvents(), lagSeconds,
                nextAttempt.equals(Instant.MIN) ? null : nextAttempt, recentConflicts());
    }

    private void learnNode() {
        JsonNode info = getJson(endpoint("/api/store"));
        String node = info.path("node").asText(null);
        if (node != null && Names.isValidNode(node)) {
            state = state.withNode(node);
            saveQuietly();
        }
    }

    private ExportPage fetch(String cursor) {
        String query = "?limit=" + settings.pageSize()
                + (cursor == null || cursor.isEmpty() ? "" : "&after=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        JsonNode json = getJson(endpoint("/api/sync/export" + query));
        try {
            return mapper.treeToValue(json, ExportPage.class);
        } catch (IOException e) {
            throw new PeerError("peer sent an export page this node cannot read: " + e.getMessage());
        }
    }

    private URI endpoint(String pathAndQuery) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + pathAndQuery);
    }

    private JsonNode getJson(URI uri) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(settings.timeout()).header("Accept", "application/json")
                .GET();
        token.ifPresent(t -> rb.header("Authorization", "Bearer " + t));
        HttpResponse<byte[]> response;
        try {
            response = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new PeerUnreachable("peer " + name + " at " + base + " is unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerUnreachable("interrupted while calling peer " + name);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new PeerError("peer " + name + " refused the request (HTTP " + response.statusCode()
                    + "): set homelab.sync.peers." + name + ".token to the peer's HOMELAB_EVENTS_TOKEN");
        }
        if (response.statusCode() != 200) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            throw new PeerError("peer " + name + " answered HTTP " + response.statusCode() + " for " + uri.getPath() + ": "
                    + (body.length() > 300 ? body.substring(0, 300) : body));
        }
        try {
            return mapper.readTree(response.body());
        } catch (IOException e) {
            throw new PeerError("peer " + name + " sent invalid JSON for " + uri.getPath());
        }
    }

    private PeerState load() {
        if (!Files.exists(stateFile)) {
            return PeerState.initial();
        }
        try {
            return mapper.readValue(Files.readAllBytes(stateFile), PeerState.class);
        } catch (IOException e) {
            // a damaged state only costs a full re-pull (imports are idempotent); say so loudly
            LOG.warnf("Sync state of peer %s unreadable (%s); starting from the beginning", name, e.toString());
            return PeerState.initial();
        }
    }

    private void save() {
        try {
            DurableFiles.replace(stateFile, mapper.writeValueAsBytes(state));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save sync state " + stateFile, e);
        }
    }

    private void saveQuietly() {
        try {
            save();
        } catch (UncheckedIOException e) {
            LOG.warnf("Could not save sync state of peer %s: %s", name, e.getCause().toString());
        }
    }

    /** The peer did not answer at all. */
    static final class PeerUnreachable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PeerUnreachable(String message) {
            super(message);
        }
    }

    /** The peer answered, but not with what a sync needs. */
    static final class PeerError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PeerError(String message) {
            super(message);
        }
    }
}
