package dev.homelab.events.mcp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.Severity;
import dev.homelab.events.storage.EventCodec;
import dev.homelab.events.storage.EventStore;

/**
 * A busy homelab store for measuring answer sizes (issue 14): 20,000 routine background events over the last
 * week (deployments that completed, health checks that passed, nodes coming online) on 10 nodes and 40 services,
 * plus the incidents an agent has to work with: 30 open incident chains, a busy service (mosquitto) with 40
 * remediation steps over 12 incidents, and one long incident chain of 80 events. Payloads are realistic (100-400
 * bytes). Written plainly as a fixture before the server starts; everything follows from the seed.
 */
final class BusyStore {

    static final String BUSY_SERVICE = "mosquitto";
    static final String LONG_CHAIN = "incident-long";
    static final int BACKGROUND = 20_000;
    static final String[] NODES = { "pi4", "pi5", "nas", "nuc-1", "nuc-2", "gpu", "router", "backup", "cam-hub", "media" };

    private final ObjectMapper mapper = new ObjectMapper();
    private final EventStore layout;
    private final Random rnd = new Random(14);
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final List<String> services = new ArrayList<>();
    final List<String> ids = new ArrayList<>();

    private BusyStore(Path root) {
        this.layout = new EventStore(root, new EventCodec(mapper), 1 << 20);
        String[] base = { "mosquitto", "ollama", "grafana", "prometheus", "nginx", "zigbee2mqtt", "home-assistant",
                "postgres", "redis", "jellyfin", "nextcloud", "pihole", "traefik", "loki", "node-red", "syncthing",
                "vaultwarden", "gitea", "minio", "frigate" };
        for (int i = 0; i < 40; i++) {
            services.add(i < base.length ? base[i] : base[i - base.length] + "-2");
        }
    }

    static Path generate(Path root) throws IOException {
        Files.createDirectories(root);
        BusyStore s = new BusyStore(root);
        s.background();
        s.incidents();
        s.busyService();
        s.longChain();
        return root;
    }

    private void background() throws IOException {
        int written = 0;
        while (written < BACKGROUND) {
            String service = services.get(rnd.nextInt(services.size()));
            String node = NODES[rnd.nextInt(NODES.length)];
            Instant t = now.minus(Duration.ofSeconds(3600 + rnd.nextInt(7 * 24 * 3600)));
            int kind = rnd.nextInt(3);
            if (kind == 0) {
                String cid = "deploy-bg-" + written;
                String version = "v" + rnd.nextInt(5) + "." + rnd.nextInt(20) + "." + rnd.nextInt(10);
                write(t, node, "deployment_started", Severity.INFO, "deploy.sh", service, cid,
                        payload("version", version, "commit", Long.toHexString(rnd.nextLong()), "message",
                                "rolling out " + service + " " + version + " from the main branch"));
                write(t.plusSeconds(30 + rnd.nextInt(300)), node, "deployment_completed", Severity.INFO, "deploy.sh", service,
                        cid, payload("version", version, "duration_ms", String.valueOf(20_000 + rnd.nextInt(200_000)),
                                "message", "all health checks passed after the rollout of " + version));
                written += 2;
            } else if (kind == 1) {
                write(t, node, "service_recovered", Severity.INFO, "healthcheck.sh", service, null,
                        payload("check", "http", "latency_ms", String.valueOf(5 + rnd.nextInt(200)), "message",
                                "periodic probe of " + service + " answered 200 OK within the latency budget"));
                written++;
            } else {
                write(t, node, "node_online", Severity.INFO, "monitor.py", "all", null,
                        payload("uptime_s", String.valueOf(rnd.nextInt(10_000_000)), "load", "0." + rnd.nextInt(99),
                                "message", "heartbeat from " + node + ": all filesystems mounted, temperature normal"));
                written++;
            }
        }
    }

    private void incidents() throws IOException {
        String[] failures = { "deployment_failed", "service_unhealthy", "healthcheck_failed" };
        for (int i = 0; i < 30; i++) {
            String service = services.get(1 + rnd.nextInt(services.size() - 1));
            String node = NODES[rnd.nextInt(NODES.length)];
            String cid = "incident-" + i;
            Instant t = now.minus(Duration.ofMinutes(30 + rnd.nextInt(20 * 24 * 60)));
            write(t, node, "deployment_started", Severity.INFO, "deploy.sh", service, cid,
                    payload("version", "v2." + i, "message", "rolling out a new image of " + service));
            write(t.plusSeconds(90), node, failures[i % 3], Severity.ERROR, "deploy.sh", service, cid,
                    payload("stage", "verify", "error", "readiness probe failed: connection refused on port " + (8000 + i),
                            "log_tail", "x".repeat(300)));
            if (i % 2 == 0) {
                write(t.plusSeconds(200), node, "remediation_started", Severity.WARNING, "agent", service, cid,
                        payload("action", "restart_service", "step", "restart_service", "note",
                                "restarting the container after the failed readiness probe"));
            }
        }
    }

    private void busyService() throws IOException {
        for (int i = 0; i < 12; i++) {
            String cid = "mosquitto-incident-" + i;
            String node = NODES[i % 3];
            Instant t = now.minus(Duration.ofHours(2 + i * 11L));
            write(t, node, "service_unhealthy", Severity.ERROR, "healthcheck.sh", BUSY_SERVICE, cid,
                    payload("check", "mqtt", "error", "broker did not answer CONNECT within 5 s"));
            int steps = i < 4 ? 4 : 3;
            for (int s = 0; s < steps; s++) {
                String action = new String[]{ "restart_service", "clear_retained_messages", "rollback_image",
                        "increase_memory_limit" }[s];
                Instant st = t.plusSeconds(60 + s * 300L);
                write(st, node, "remediation_started", Severity.WARNING, "agent-ops", BUSY_SERVICE, cid,
                        payload("action", action, "step", action, "note", "trying " + action
                                + " because the broker stopped answering health checks; previous attempts are in the history"));
                write(st.plusSeconds(120), node, "remediation_completed", Severity.INFO, "agent-ops", BUSY_SERVICE, cid,
                        payload("action", action, "step", action, "result", s == steps - 1 ? "succeeded" : "failed", "note",
                                s == steps - 1 ? "broker answers again" : "no change: the broker still refuses connections"));
            }
            write(t.plusSeconds(60 + steps * 300L + 200), node, "service_recovered", Severity.INFO, "healthcheck.sh",
                    BUSY_SERVICE, cid, payload("check", "mqtt", "message", "broker healthy again"));
        }
    }

    private void longChain() throws IOException {
        Instant t = now.minus(Duration.ofHours(30));
        write(t, "nas", "service_unhealthy", Severity.ERROR, "healthcheck.sh", "postgres", LONG_CHAIN,
                payload("check", "sql", "error", "too many connections"));
        for (int i = 0; i < 79; i++) {
            t = t.plusSeconds(300);
            boolean start = i % 2 == 0;
            write(t, "nas", start ? "remediation_started" : "remediation_completed", start ? Severity.WARNING : Severity.INFO,
                    "agent-db", "postgres", LONG_CHAIN, start
                            ? payload("action", "kill_idle_connections", "step", "kill-" + i, "note",
                                    "terminating idle connections older than 10 minutes")
                            : payload("action", "kill_idle_connections", "step", "kill-" + (i - 1), "result", "failed",
                                    "note", "connections climbed back within a minute"));
        }
    }

    private ObjectNode payload(String... kv) {
        ObjectNode p = mapper.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private void write(Instant t, String node, String type, Severity sev, String source, String service, String cid,
            ObjectNode payload) throws IOException {
        UUID id = new UUID(rnd.nextLong() & ~0xF000L | 0x4000L, rnd.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L);
        Event e = new Event(id, t, node, type, sev, source, service, cid == null ? id.toString() : cid, payload, Map.of());
        Path target = layout.root().resolve(layout.relativePathOf(e));
        Files.createDirectories(target.getParent());
        Files.write(target, layout.codec().toBytes(e));
        ids.add(id.toString());
    }
}
