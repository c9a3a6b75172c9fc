package dev.homelab.events.sync;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.Names;

/**
 * Pulls one peer: asks its export endpoint ({@link PeerClient}) for the files after the saved cursor, imports
 * each page ({@link Importer}), and saves the cursor ({@link PeerStateFile}) only after a whole page is
 * imported. A run interrupted anywhere (peer killed, this node killed) therefore resumes from the last saved
 * page, and the files of the interrupted page come again and are skipped as identical: nothing lost, nothing
 * duplicated. A failed run backs off exponentially; only an unreachable peer counts as silent for the
 * {@code node_offline} / {@code node_online} events ({@link PeerHeartbeat}): an HTTP error is a failure to
 * report but proves the peer is up.
 *
 * <p>
 * Thread-safety: pulls and ticks are synchronized (one run per peer at a time); {@link #status()} reads a
 * volatile snapshot.
 */
public class PeerPuller {

    private static final Logger LOG = Logger.getLogger(PeerPuller.class);
    private static final int MAX_PAGES_PER_RUN = 10_000;
    private static final int RECENT_CONFLICTS = 20;

    /** Records node_offline/node_online events; implemented over the event service, above this package. */
    public interface Announcer {
        boolean alreadyRecorded(String correlationId, String type);

        void record(String type, String node, String correlationId, Map<String, Object> payload);
    }

    public record Settings(Duration timeout, int pageSize, Duration backoffInitial, Duration backoffMax,
            Duration heartbeatWindow) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunResult(String peer, boolean ok, int pages, int written, int identical, int conflicts, int rejected,
            String error) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(String peer, String url, String node, String state,
            @JsonProperty("last_success") Instant lastSuccess,
            @JsonProperty("last_error") String lastError,
            @JsonProperty("last_error_at") Instant lastErrorAt,
            @JsonProperty("failing_since") Instant failingSince,
            @JsonProperty("events_pulled") long eventsPulled,
            long conflicts, long rejected,
            @JsonProperty("lag_events") long lagEvents,
            @JsonProperty("lag_seconds") Long lagSeconds,
            @JsonProperty("next_attempt") Instant nextAttempt,
            @JsonProperty("recent_conflicts") List<String> recentConflicts) {
    }

    private final String name;
    private final URI base;
    private final Optional<String> configuredNode;
    private final Importer importer;
    private final Settings settings;
    private final Supplier<Instant> clock;
    private final PeerClient client;
    private final PeerStateFile state;
    private final PeerHeartbeat heartbeat;
    private final Deque<String> recentConflicts = new ArrayDeque<>();
    private final List<PeerKeyCheck> keyChecks;

    // volatile: status() reads it without waiting for a long pull to finish
    private volatile Instant nextAttempt = Instant.MIN;

    public PeerPuller(String name, URI base, Optional<String> token, Optional<String> configuredNode, HttpClient http,
            Importer importer, ObjectMapper mapper, Path stateFile, Announcer announcer, Settings settings,
            Supplier<Instant> clock) {
        this(name, base, token, configuredNode, http, importer, mapper, stateFile, announcer, settings, clock, List.of());
    }

    /** @param keyChecks asked before each pull imports anything (the audit trail's key pins); read at each pull */
    public PeerPuller(String name, URI base, Optional<String> token, Optional<String> configuredNode, HttpClient http,
            Importer importer, ObjectMapper mapper, Path stateFile, Announcer announcer, Settings settings,
            Supplier<Instant> clock, List<PeerKeyCheck> keyChecks) {
        this.keyChecks = keyChecks;
        this.name = name;
        this.base = base;
        this.configuredNode = configuredNode.filter(Names::isValidNode);
        this.importer = importer;
        this.settings = settings;
        this.clock = clock;
        this.client = new PeerClient(name, base, token, http, mapper, settings.timeout(), settings.pageSize());
        this.state = new PeerStateFile(name, stateFile, mapper);
        this.heartbeat = new PeerHeartbeat(name, base, this.configuredNode, state, announcer, settings.heartbeatWindow(),
                clock);
    }

    public String name() {
        return name;
    }

    /** Scheduled entry point: pulls when the backoff allows, else only checks the heartbeat window. */
    public synchronized Optional<RunResult> tick() {
        heartbeat.finishPending();
        if (clock.get().isBefore(nextAttempt)) {
            heartbeat.checkSilence();
            return Optional.empty();
        }
        return Optional.of(pull());
    }

    /** Pulls now, whatever the backoff says (on-demand runs). */
    public synchronized RunResult pull() {
        heartbeat.finishPending();
        int pages = 0;
        int[] counts = new int[4];
        try {
            if (state.get().node() == null) {
                learnNode();
            }
            checkKey();
            boolean more = true;
            while (more && pages < MAX_PAGES_PER_RUN) {
                String before = state.get().cursor();
                ExportPage page = client.page(before);
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
                long w = written;
                long c = conflicts;
                long rj = rejected;
                state.update(s -> s.withCursor(page.nextCursor(), w, c, rj, page.pending()));
                if (state.get().node() == null && page.node() != null && Names.isValidNode(page.node())) {
                    state.update(s -> s.withNode(page.node()));
                }
                state.save();
                pages++;
                more = page.hasMore() && !Objects.equals(page.nextCursor(), before);
            }
            state.update(s -> s.succeeded(clock.get()));
            nextAttempt = Instant.MIN;
            state.save();
            heartbeat.answered();
            return new RunResult(name, true, pages, counts[0], counts[1], counts[2], counts[3], null);
        } catch (PeerClient.PeerUnreachable e) {
            return failed(pages, counts, e.getMessage(), Fault.UNREACHABLE);
        } catch (PeerClient.PeerError | PeerKeyCheck.Refused e) {
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
        state.update(s -> s.failed(now, error, fault == Fault.UNREACHABLE));
        if (fault == Fault.ANSWERED) {
            state.update(PeerState::answered);
            heartbeat.answered();
        }
        long backoff = settings.backoffInitial().toMillis() << Math.min(20,
                Math.max(0, state.get().consecutiveFailures() - 1));
        nextAttempt = now.plusMillis(Math.min(backoff, settings.backoffMax().toMillis()));
        state.saveQuietly();
        LOG.debugf("Sync from peer %s failed (%d in a row, next attempt %s): %s", name, state.get().consecutiveFailures(),
                nextAttempt, error);
        heartbeat.checkSilence();
        return new RunResult(name, false, pages, counts[0], counts[1], counts[2], counts[3], error);
    }

    /** Before anything is imported: the peer's audit key against the checks (none without an audit trail here). */
    private void checkKey() {
        if (keyChecks.isEmpty()) {
            return;
        }
        String pem = client.auditPublicKey().orElse(null);
        for (PeerKeyCheck check : keyChecks) {
            check.check(name, pem);
        }
    }

    private void learnNode() {
        client.nodeName().ifPresent(node -> {
            state.update(s -> s.withNode(node));
            state.saveQuietly();
        });
    }

    private List<String> recentConflicts() {
        synchronized (recentConflicts) {
            return List.copyOf(recentConflicts);
        }
    }

    private void noteConflict(Importer.Result r) {
        String outcome = r.outcome().name().toLowerCase(Locale.ROOT);
        LOG.warnf("Sync from peer %s: %s %s: %s", name, outcome, r.path(), r.detail());
        synchronized (recentConflicts) {
            recentConflicts.addFirst(outcome + " " + r.path() + ": " + r.detail());
            while (recentConflicts.size() > RECENT_CONFLICTS) {
                recentConflicts.removeLast();
            }
        }
    }

    /** A snapshot; never blocks behind a running pull. */
    public Status status() {
        PeerState s = state.get();
        Instant next = nextAttempt;
        String summary;
        if (s.offline()) {
            summary = "offline";
        } else if (s.failingSince() != null || s.consecutiveFailures() > 0) {
            summary = "failing";
        } else if (s.lastSuccess() == null) {
            summary = "never_synced";
        } else {
            summary = "online";
        }
        Long lagSeconds = s.lastSuccess() == null ? null : Duration.between(s.lastSuccess(), clock.get()).toSeconds();
        return new Status(name, base.toString(), s.node() != null ? s.node() : configuredNode.orElse(null), summary,
                s.lastSuccess(), s.lastError(), s.lastErrorAt(), s.failingSince(), s.eventsPulled(), s.conflicts(),
                s.rejected(), s.lagEvents(), lagSeconds, next.equals(Instant.MIN) ? null : next, recentConflicts());
    }
}
