package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.homelab.events.Timestamps;
import dev.homelab.events.storage.EventFileName;

/** The index's fast path builder writes exactly what the file-name codec, the grammar's home, writes and parses. */
class RowPathsTest {

    static String viaCodec(long micros, String node, String type, UUID id) {
        Instant t = Timestamps.fromMicros(micros);
        return EventFileName.directory(t, node).resolve(new EventFileName(t, type, id).format()).toString();
    }

    @Test
    void deriveEqualsTheCodecAndParsesBack() {
        Random rnd = new Random(3L);
        // the supported range of every writer and reader (Timestamps.isSupported)
        long from = Timestamps.toMicros(Timestamps.EARLIEST);
        long to = Timestamps.toMicros(Timestamps.LATEST);
        String[] types = { "node_online", "deployment_started", "x", "a_b_c_d", "service_unhealthy9" };
        String[] nodes = { "pi4", "nas", "gpu.lan", "nuc-1" };
        long[] edges = { 0L, 1L, Timestamps.toMicros(Instant.parse("2026-11-20T23:59:59.999999Z")),
                Timestamps.toMicros(Instant.parse("2026-11-21T00:00:00Z")), from, to,
                Timestamps.toMicros(Instant.parse("2028-02-29T12:00:00.000001Z")) };
        for (int i = 0; i < 20_000; i++) {
            long micros = i < edges.length ? edges[i] : from + (long) (rnd.nextDouble() * (to - from));
            String node = nodes[rnd.nextInt(nodes.length)];
            String type = types[rnd.nextInt(types.length)];
            UUID id = UUID.randomUUID();
            String path = RowPaths.derive(micros, node, type, id);
            assertEquals(viaCodec(micros, node, type, id), path, "micros " + micros);
            EventFileName parsed = EventFileName.parse(path.substring(path.lastIndexOf('/') + 1)).orElseThrow();
            assertEquals(new EventFileName(Timestamps.fromMicros(micros), type, id), parsed);
        }
    }
}
