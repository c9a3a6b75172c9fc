package dev.homelab.events.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.EventTypes;
import dev.homelab.events.Severity;
import dev.homelab.events.Timestamps;
import dev.homelab.events.storage.EventCodec;
import dev.homelab.events.storage.EventStore;

/**
 * Writes a realistic store for the benchmark: 10 nodes, 40 services, 90 days ending at {@link #END}, 70%
 * of the events in correlation chains of 2-8 events (same service, minutes apart, sometimes across nodes),
 * the rest lone events whose correlation id is their own id, payloads of 50-500 bytes. Everything follows
 * from the seed. Files are written plainly (no fsync): this builds a fixture, it is not the durable path.
 */
public final class StoreGenerator {

    /** The generated data ends here, so events emitted by the benchmark (now) never mix with it. */
    public static final Instant END = Instant.parse("2026-11-26T00:00:00Z");
    static final Duration SPAN = Duration.ofDays(90);
    static final String[] NODES = { "pi4", "pi5", "nas", "nuc-1", "nuc-2", "gpu", "router", "backup", "cam-hub", "media" };
    static final String[] SERVICES = new String[40];
    static final String[] SOURCES = { "deploy.sh", "healthcheck.sh", "monitor.py", "diagnostics.sh", "agent", "cron",
            "backup.sh", "watchdog" };

    static {
        String[] base = { "mosquitto", "ollama", "grafana", "prometheus", "nginx", "zigbee2mqtt", "home-assistant",
                "postgres", "redis", "jellyfin", "nextcloud", "pihole", "traefik", "loki", "node-red", "syncthing",
                "vaultwarden", "gitea", "minio", "frigate" };
        for (int i = 0; i < SERVICES.length; i++) {
            SERVICES[i] = i < base.length ? base[i] : base[i - base.length] + "-2";
        }
    }

    /** What the workload needs to know about the generated store. */
    public record Sample(List<String> chainIds, List<String> loneIds, int events) {
    }

    private StoreGenerator() {
    }

    /** Generates {@code n} events under {@code root}, unless a marker says this exact store is already there. */
    public static Sample generate(Path root, int n, long seed) throws IOException, InterruptedException {
        Path marker = root.resolve(".bench-generated");
        String expected = "events=" + n + " seed=" + seed + " v=1";
        boolean present = Files.exists(marker) && Files.readString(marker).startsWith(expected);
        ObjectMapper mapper = new ObjectMapper();
        EventStore layout = new EventStore(root, new EventCodec(mapper), 1 << 20);
        Random rnd = new Random(seed);
        List<String> chains = new ArrayList<>();
        List<String> lone = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> writes = new ArrayList<>();
        List<Event> batch = new ArrayList<>();
        long spanMicros = SPAN.toSeconds() * 1_000_000L;
        long start = Timestamps.toMicros(END) - spanMicros;
        int written = 0;
        int chainNo = 0;
        Map<Path, Boolean> dirs = new HashMap<>();
        while (written < n) {
            // 31.8% of groups are chains of 2-8 (mean 5): then 70% of events are in chains
            boolean chain = rnd.nextDouble() < 0.318;
            int len = chain ? 2 + rnd.nextInt(7) : 1;
            len = Math.min(len, n - written);
            String service = SERVICES[rnd.nextInt(SERVICES.length)];
            String node = NODES[rnd.nextInt(NODES.length)];
            long t = start + (long) (rnd.nextDouble() * (spanMicros - 3_600_000_000L));
            String cid = chain ? "corr-" + Long.toHexString(seed) + "-" + chainNo++ : null;
            for (int i = 0; i < len; i++) {
                UUID id = new UUID(rnd.nextLong() & ~0xF000L | 0x4000L,
                        rnd.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L);
                String type = EventTypes.NORMALIZED.get(rnd.nextInt(EventTypes.NORMALIZED.size()));
                Severity sev = Severity.values()[weighted(rnd)];
                String evNode = chain && rnd.nextInt(4) == 0 ? NODES[rnd.nextInt(NODES.length)] : node;
                ObjectNode payload = mapper.createObjectNode();
                payload.put("step", i);
                payload.put("host", evNode);
                int size = 50 + rnd.nextInt(451);
                payload.put("message", "x".repeat(Math.max(0, size - 40)));
                Event e = new Event(id, Timestamps.fromMicros(t), evNode, type, sev,
                        SOURCES[rnd.nextInt(SOURCES.length)], service, cid == null ? id.toString() : cid, payload, Map.of());
                if (cid == null) {
                    if (lone.size() < 5000 && rnd.nextInt(20) == 0) {
                        lone.add(id.toString());
                    }
                } else if (i == 0 && chains.size() < 20000 && rnd.nextInt(5) == 0) {
                    chains.add(cid);
                }
                t += (30 + rnd.nextInt(600)) * 1_000_000L;
                if (!present) {
                    batch.add(e);
                }
                written++;
            }
            if (batch.size() >= 2000) {
                writes.add(write(pool, layout, batch, dirs));
                batch = new ArrayList<>();
            }
        }
        if (!present) {
            writes.add(write(pool, layout, batch, dirs));
            for (Future<?> f : writes) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException ex) {
                    throw new IOException(ex.getCause());
                }
            }
            Files.writeString(marker, expected + "\n");
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        return new Sample(chains, lone, n);
    }

    private static int weighted(Random rnd) {
        int r = rnd.nextInt(100);
        return r < 70 ? 0 : r < 88 ? 1 : r < 97 ? 2 : 3;
    }

    private static Future<?> write(ExecutorService pool, EventStore layout, List<Event> batch, Map<Path, Boolean> dirs) {
        return pool.submit(() -> {
            for (Event e : batch) {
                Path target = layout.root().resolve(layout.relativePathOf(e));
                Files.createDirectories(target.getParent());
                Files.write(target, layout.codec().toBytes(e));
            }
            return null;
        });
    }
}
