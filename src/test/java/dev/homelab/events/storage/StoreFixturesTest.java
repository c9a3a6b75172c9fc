package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.Reconciler;

/** Golden fixtures of everything a store directory may hold besides good events: none may break a scan or be altered. */
class StoreFixturesTest {

    static final String VALID_NAME = "20261120T100000.000001Z_deployment_started_11111111-2222-4333-8444-555555555555.json";

    @TempDir
    Path root;
    Path nodeDir;
    Map<String, byte[]> before;

    @BeforeEach
    void layOutFixtures(@TempDir Path outside) throws IOException {
        nodeDir = Files.createDirectories(root.resolve("2026-11-20/pi4"));
        copy("valid.json", nodeDir.resolve(VALID_NAME));
        copy("foreign-writer.json", nodeDir.resolve("backup-report.json"));
        copy("truncated.json", nodeDir.resolve("20261120T100000.000002Z_deployment_started_" + UUID.randomUUID() + ".json"));
        copy("corrupt.json", nodeDir.resolve("corrupt.json"));
        copy("array.json", nodeDir.resolve("array.json"));
        copy("missing-severity.json", nodeDir.resolve("missing-severity.json"));
        copy("bad-timestamp.json", nodeDir.resolve("bad-timestamp.json"));
        copy("payload-array.json", nodeDir.resolve("payload-array.json"));
        Files.write(nodeDir.resolve("empty.json"), new byte[0]);
        Files.write(nodeDir.resolve("latin1.json"), "{\"node\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(nodeDir.resolve("huge.json"), new byte[2 * 1024 * 1024]);
        copy("valid.json", nodeDir.resolve(".20261120T100000.000003Z_x_" + UUID.randomUUID() + ".json.tmp"));
        copy("valid.json", outside.resolve("target.json"));
        Files.createSymbolicLink(nodeDir.resolve("link.json"), outside.resolve("target.json"));
        Files.createDirectories(nodeDir.resolve("nested.json"));
        Files.writeString(nodeDir.resolve("notes.txt"), "operator notes");
        Files.writeString(root.resolve("README"), "stray file at the root");
        Files.createDirectories(root.resolve("lost+found"));
        Files.createDirectories(root.resolve("2026-11-20/bad_node!"));
        before = snapshot(root);
    }

    @Test
    void scanIndexesOnlyReadableEventsAndReportsEverythingElse() throws IOException {
        EventIndex index = new EventIndex();
        Reconciler reconciler = new Reconciler(TestEvents.store(root), index);

        reconciler.reconcile();

        assertEquals(2, index.size(), "the valid event and the foreign writer's valid event");
        IndexEntry valid = index.get(UUID.fromString("11111111-2222-4333-8444-555555555555")).orElseThrow();
        assertEquals("deploy-100", valid.correlationId());
        Map<String, FileProblem.Reason> reasons = reconciler.problems().stream()
                .collect(Collectors.toMap(FileProblem::path, FileProblem::reason, (a, b) -> a, TreeMap::new));
        assertEquals(FileProblem.Reason.CORRUPT_JSON, reasons.get("2026-11-20/pi4/corrupt.json"));
        assertEquals(FileProblem.Reason.INVALID_EVENT, reasons.get("2026-11-20/pi4/array.json"));
        assertEquals(FileProblem.Reason.INVALID_EVENT, reasons.get("2026-11-20/pi4/missing-severity.json"));
        assertEquals(FileProblem.Reason.INVALID_EVENT, reasons.get("2026-11-20/pi4/bad-timestamp.json"));
        assertEquals(FileProblem.Reason.INVALID_EVENT, reasons.get("2026-11-20/pi4/payload-array.json"));
        assertEquals(FileProblem.Reason.EMPTY, reasons.get("2026-11-20/pi4/empty.json"));
        assertEquals(FileProblem.Reason.NOT_UTF8, reasons.get("2026-11-20/pi4/latin1.json"));
        assertEquals(FileProblem.Reason.OVERSIZED, reasons.get("2026-11-20/pi4/huge.json"));
        assertEquals(FileProblem.Reason.SYMLINK, reasons.get("2026-11-20/pi4/link.json"));
        assertEquals(FileProblem.Reason.FOREIGN, reasons.get("2026-11-20/pi4/notes.txt"));
        assertEquals(FileProblem.Reason.FOREIGN, reasons.get("README"));
        assertEquals(FileProblem.Reason.FOREIGN, reasons.get("lost+found"));
        assertEquals(FileProblem.Reason.FOREIGN, reasons.get("2026-11-20/bad_node!"));
        assertTrue(reasons.values().stream().filter(r -> r == FileProblem.Reason.TEMP_FILE).count() == 1, reasons.toString());
        assertTrue(reasons.keySet().stream().anyMatch(p -> p.contains("nested.json")), reasons.toString());
        assertTrue(reasons.entrySet().stream().anyMatch(e -> e.getKey().contains("deployment_started")
                && e.getValue() == FileProblem.Reason.CORRUPT_JSON), "the truncated file: " + reasons);
        assertUnchanged();
    }

    @Test
    void foreignWriterKeepsExtraFieldsAndGetsAStableId() throws IOException {
        EventStore store = TestEvents.store(root);
        Path rel = Path.of("2026-11-20/pi4/backup-report.json");

        Event first = ((ReadResult.Ok) store.read(rel)).event();
        Event again = ((ReadResult.Ok) store.read(rel)).event();

        assertEquals(first.id(), again.id());
        assertEquals("2026-11-20T10:00:00Z", first.timestamp().toString(), "offset normalised to UTC");
        assertEquals(first.id().toString(), first.correlationId(), "missing correlation id falls back to the id");
        assertEquals(3600, first.extra().get("host_uptime").asInt());
        assertEquals("ops", first.extra().get("labels").get("team").asText());
        assertUnchanged();
    }

    @Test
    void aFileRepairedInPlaceIsPickedUpOnTheNextScan() throws IOException {
        EventIndex index = new EventIndex();
        Reconciler reconciler = new Reconciler(TestEvents.store(root), index);
        reconciler.reconcile();
        Path corrupt = nodeDir.resolve("corrupt.json");

        copy("valid.json", corrupt.resolveSibling("tmp-copy"));
        String fixed = Files.readString(corrupt.resolveSibling("tmp-copy")).replace("deploy-100", "deploy-101");
        Files.delete(corrupt.resolveSibling("tmp-copy"));
        Files.writeString(corrupt, fixed);
        Files.setLastModifiedTime(corrupt, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        reconciler.reconcile();

        assertEquals(1, index.chain("deploy-101").size());
        assertTrue(reconciler.problems().stream().noneMatch(p -> p.path().endsWith("corrupt.json")));
    }

    @Test
    void aSecondFileWithAnExistingIdIsReportedNotIndexedTwice() throws IOException {
        Files.createDirectories(root.resolve("2026-11-20/nas"));
        Files.copy(nodeDir.resolve(VALID_NAME), root.resolve("2026-11-20/nas").resolve(VALID_NAME));
        EventIndex index = new EventIndex();
        Reconciler reconciler = new Reconciler(TestEvents.store(root), index);

        reconciler.reconcile();

        assertEquals(1, index.chain("deploy-100").size());
        List<FileProblem> duplicates = reconciler.problems().stream()
                .filter(p -> p.reason() == FileProblem.Reason.IDENTICAL_COPY).toList();
        assertEquals(1, duplicates.size(), reconciler.problems().toString());
    }

    private void assertUnchanged() throws IOException {
        Map<String, byte[]> after = snapshot(root);
        assertEquals(before.keySet(), after.keySet(), "no entry added or removed");
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    }

    private static Map<String, byte[]> snapshot(Path root) throws IOException {
        Map<String, byte[]> m = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                m.put(rel,
                        Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(p) : new byte[0]);
            }
        }
        return m;
    }

    private static void copy(String fixture, Path to) throws IOException {
        try (InputStream in = StoreFixturesTest.class.getResourceAsStream("/fixtures/" + fixture)) {
            Files.copy(in, to);
        }
    }
}
