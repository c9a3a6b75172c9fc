package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.homelab.events.Severity;
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
            assertEquals(path.substring(path.lastIndexOf('/') + 1), RowPaths.deriveName(micros, type, id));
            EventFileName parsed = EventFileName.parse(path.substring(path.lastIndexOf('/') + 1)).orElseThrow();
            assertEquals(new EventFileName(Timestamps.fromMicros(micros), type, id), parsed);
        }
    }

    /**
     * The reconciliation pass compares a directory's listing with {@code namesIn}: the names of {@code entriesIn}, a
     * file kept under a name of its own included, one whose path is in another directory excluded.
     */
    @Test
    void namesInAreTheNamesOfEntriesIn() {
        EventIndex index = new EventIndex();
        long day = Timestamps.toMicros(Instant.parse("2026-11-20T10:00:00Z"));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            UUID id = UUID.randomUUID();
            long ts = day + i * 1_000_003L;
            String path = RowPaths.derive(ts, "pi4", "node_online", id);
            index.add(new IndexEntry(id, ts, "pi4", "node_online", Severity.INFO, "s", "svc", "c", path));
            expected.add(path.substring("2026-11-20/pi4/".length()));
            UUID other = UUID.randomUUID(); // another node, same day: not in the directory
            index.add(new IndexEntry(other, ts, "nas", "node_online", Severity.INFO, "s", "svc", "c",
                    RowPaths.derive(ts, "nas", "node_online", other)));
        }
        index.add(new IndexEntry(UUID.randomUUID(), day, "pi4", "x", Severity.INFO, "s", "svc", "c",
                "2026-11-20/pi4/written-by-hand.json"));
        expected.add("written-by-hand.json");
        // an event of the 20th kept in the 21st's directory (a copy placed by hand): listed there, not here
        index.add(new IndexEntry(UUID.randomUUID(), day, "pi4", "x", Severity.INFO, "s", "svc", "c",
                "2026-11-21/pi4/moved.json"));

        assertEquals(expected, index.namesIn("2026-11-20", "pi4"));
        assertEquals(index.entriesIn("2026-11-20", "pi4").keySet(), index.namesIn("2026-11-20", "pi4"));
        assertEquals(Set.of("moved.json"), index.namesIn("2026-11-21", "pi4"));
        assertEquals(index.entriesIn("2026-11-21", "pi4").keySet(), index.namesIn("2026-11-21", "pi4"));
        assertEquals(Set.of(), index.namesIn("2026-11-22", "pi4"));
        assertEquals(Set.of(), index.namesIn("not-a-date", "pi4"));
    }
}
