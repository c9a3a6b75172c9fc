package dev.homelab.events.service;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.nats.NatsReplication;
import dev.homelab.events.nats.NatsStatus;
import dev.homelab.events.sync.PeerPuller;
import dev.homelab.events.sync.SyncService;

/**
 * Sync with peer nodes as the faces see it: pull now, and the state of each peer. The REST endpoints
 * ({@code POST /api/sync/run}, {@code GET /api/sync/status}) and the tools ({@code sync_now},
 * {@code get_sync_status}) all call this, in these records, peer pull and NATS alike, so none of them depends on how the sync package
 * keeps its state. The export endpoint is the sync protocol itself and stays with {@link SyncService}.
 */
@ApplicationScoped
public class Replication {

    /** One peer's pull: pages read, files written, skipped as identical, conflicts (never overwritten), rejected. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PeerRun(String peer, boolean ok, int pages, int written, int identical, int conflicts, int rejected,
            String error) {
    }

    /** One peer: its state (online, failing, offline, never_synced), last success and error, lag, conflicts. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PeerStatus(String peer, String url, String node, String state,
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

    /**
     * This node, the schedule, how many files it has numbered for export, every peer (or the one asked for), and
     * NATS replication: {@code {"enabled": false}} when HOMELAB_NATS_URL is not set, else the fields of
     * {@link NatsStatus} (docs/sync-and-archive.md, "NATS", "Status").
     */
    public record Status(String node,
            @JsonProperty("schedule_enabled") boolean scheduleEnabled,
            @JsonProperty("interval_seconds") long intervalSeconds,
            @JsonProperty("heartbeat_window_seconds") long heartbeatWindowSeconds,
            @JsonProperty("local_arrivals") long localArrivals,
            List<PeerStatus> peers,
            JsonNode nats) {
    }

    @Inject
    SyncService sync;
    @Inject
    NatsReplication natsReplication;
    @Inject
    ObjectMapper mapper;

    /** Pulls every configured peer now (or only {@code peer}), ignoring backoff; returns once done. */
    public List<PeerRun> runNow(String peer) {
        return sync.runNow(peer).stream().map(Replication::run).toList();
    }

    /** Every peer, or only {@code peer} (its configured name; InvalidInputException when it is not one). */
    public Status status(String peer) {
        SyncService.SyncStatus s = sync.status(peer);
        return new Status(s.node(), s.scheduleEnabled(), s.intervalSeconds(), s.heartbeatWindowSeconds(),
                s.localArrivals(), s.peers().stream().map(Replication::peer).toList(), nats());
    }

    /** NATS as {@code get_sync_status} shows it: one short field when off, every field of its status when on. */
    public JsonNode nats() {
        NatsStatus n = natsReplication.status();
        return n.enabled() ? mapper.valueToTree(n) : mapper.createObjectNode().put("enabled", false);
    }

    private static PeerRun run(PeerPuller.RunResult r) {
        return new PeerRun(r.peer(), r.ok(), r.pages(), r.written(), r.identical(), r.conflicts(), r.rejected(), r.error());
    }

    private static PeerStatus peer(PeerPuller.Status p) {
        return new PeerStatus(p.peer(), p.url(), p.node(), p.state(), p.lastSuccess(), p.lastError(), p.lastErrorAt(),
                p.failingSince(), p.eventsPulled(), p.conflicts(), p.rejected(), p.lagEvents(), p.lagSeconds(),
                p.nextAttempt(), p.recentConflicts());
    }
}
