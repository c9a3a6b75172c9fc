package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.Severity;
import dev.homelab.events.TestEvents;

class EventStoreTest {

    @TempDir
    Path root;

    @Test
    void writesTheExactLayoutAndBytes() throws IOException {
        Event e = new Event(UUID.fromString("0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11"),
                Instant.parse("2026-11-26T23:47:51.123456Z"),
                "pi4", "deployment_failed", Severity.ERROR, "deploy.sh", "mosquitto", "deploy-882",
                TestEvents.json("{\"stage\":\"verify\",\"error\":\"port 1883 not bound\"}"), Map.of());

        Path relative = TestEvents.store(root).append(e);

        assertEquals(Path.of("2026-11-26", "pi4",
                "20261126T234751.123456Z_deployment_failed_0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11.json"), relative);
        String expected = "{\"timestamp\":\"2026-11-26T23:47:51.123456Z\",\"node\":\"pi4\",\"type\":\"deployment_failed\","
                + "\"severity\":\"error\",\"source\":\"deploy.sh\",\"service\":\"mosquitto\",\"correlation_id\":\"deploy-882\","
                + "\"payload\":{\"stage\":\"verify\",\"error\":\"port 1883 not bound\"}}\n";
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(root.resolve(relative)));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OTHERS_READ), Files.getPosixFilePermissions(root.resolve(relative)));
    }

    @Test
    void dateDirectoryIsTheUtcDateOfTheEvent() throws IOException {
        Event e = TestEvents.event("node_online", "nas", "all", "c", Instant.parse("2026-11-26T23:59:59.999999Z"));
        assertEquals("2026-11-26", TestEvents.store(root).append(e).getName(0).toString());
        Event next = TestEvents.event("node_online", "nas", "all", "c", Instant.parse("2026-11-27T00:00:00Z"));
        assertEquals(Path.of("2026-11-27", "nas", "20261127T000000.000000Z_node_online_" + next.id() + ".json"),
                TestEvents.store(root).append(next));
    }

    @Test
    void roundTripsEveryFieldIncludingUnicodeAndEscapes() throws IOException {
        String hostile = "quote\" backslash\\ newline\n tab\t nul\u0000 bell\u0007 emoji😀 rtl\u202e text é 中文";
        ObjectNode payload = TestEvents.MAPPER.createObjectNode();
        payload.put("text", hostile);
        payload.putArray("list").add(1).add("two").addObject().put("deep", true);
        payload.put("big", 12345678901234L);
        Event e = new Event(UUID.randomUUID(), Instant.parse("2026-01-02T03:04:05.000006Z"), "node-1.lan",
                "service_unhealthy", Severity.CRITICAL, "monitor.py — ü", "ollama", "cid with spaces ✓", payload, Map.of());
        EventStore store = TestEvents.store(root);

        ReadResult read = store.read(store.append(e));

        Event back = assertInstanceOf(ReadResult.Ok.class, read).event();
        assertEquals(e, back);
    }

    @Test
    void neverReplacesAnExistingFile() throws IOException {
        EventStore store = TestEvents.store(root);
        Event e = TestEvents.event("deployment_started");
        Path relative = store.append(e);
        byte[] before = Files.readAllBytes(root.resolve(relative));
        Event sameIdOtherContent = new Event(e.id(), e.timestamp(), e.node(), e.type(), Severity.CRITICAL, "other.sh",
                e.service(), e.correlationId(), e.payload(), Map.of());

        assertThrows(FileAlreadyExistsException.class, () -> store.append(sameIdOtherContent));

        assertArrayEquals(before, Files.readAllBytes(root.resolve(relative)));
        assertEquals(List.of(relative.getFileName().toString()), listNames(root.resolve(relative).getParent()));
    }

    @Test
    void failedFsyncLeavesNoFinalFileAndNoTemp() throws IOException {
        EventStore failing = new EventStore(root, TestEvents.store(root).codec(), 1 << 20) {
            @Override
            protected void forceFile(FileChannel channel) throws IOException {
                throw new IOException("injected EIO");
            }
        };
        Event e = TestEvents.event("deployment_started");

        IOException thrown = assertThrows(IOException.class, () -> failing.append(e));

        assertEquals("injected EIO", thrown.getMessage());
        Path dir = root.resolve(failing.relativePathOf(e)).getParent();
        assertEquals(List.of(), listNames(dir), "neither the final file nor the temp file may remain");
    }

    @Test
    void failedDirectoryFsyncWithdrawsTheUnacknowledgedFile() throws IOException {
        EventStore store = TestEvents.store(root);
        Event first = TestEvents.event("deployment_started");
        Path kept = store.append(first);
        EventStore failing = new EventStore(root, store.codec(), 1 << 20) {
            @Override
            protected void forceDirectory(Path dir) throws IOException {
                throw new IOException("injected EIO on directory");
            }
        };
        Event second = TestEvents.event("deployment_failed");

        assertThrows(IOException.class, () -> failing.append(second));

        assertEquals(List.of(kept.getFileName().toString()), listNames(root.resolve(kept).getParent()));
    }

    @Test
    void refusesToWriteThroughASymlinkedNodeDirectory(@TempDir Path elsewhere) throws IOException {
        Event e = TestEvents.event("deployment_started");
        Path dateDir = root.resolve(e.timestamp().toString().substring(0, 10));
        Files.createDirectories(dateDir);
        Files.createSymbolicLink(dateDir.resolve("pi4"), elsewhere);

        assertThrows(IOException.class, () -> TestEvents.store(root).append(e));

        try (Stream<Path> s = Files.list(elsewhere)) {
            assertEquals(0, s.count(), "nothing may be written outside the root");
        }
    }

    @Test
    void rejectsNamesThatWouldBecomeUnsafePathSegments() throws IOException {
        EventStore store = TestEvents.store(root);
        for (String node : List.of("../x", "a/b", "..", ".hidden", "a\\b", "x".repeat(300), "")) {
            Event e = TestEvents.event("deployment_started", node, "svc", "c", Instant.now());
            assertThrows(IllegalArgumentException.class, () -> store.append(e), node);
        }
        // "../x" under a day directory would land at <root>/x: nothing at all may have been written under the root
        try (Stream<Path> files = Files.walk(root)) {
            assertEquals(List.of(), files.filter(Files::isRegularFile).toList());
        }
        assertFalse(Files.exists(root.resolve("x")));
    }

    @Test
    void manyThreadsEmittingProduceExactlyThatManyDistinctValidFiles() throws Exception {
        EventStore store = TestEvents.store(root);
        int threads = 8;
        int perThread = 150;
        Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String node = "node" + (t % 3);
            futures.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    Event e = TestEvents.event("service_unhealthy", node, "svc", "burst", Instant.now());
                    store.append(e);
                    acknowledged.add(e.id());
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();

        Set<UUID> onDisk = ConcurrentHashMap.newKeySet();
        List<String> temps = new ArrayList<>();
        store.scan(entry -> {
            if (entry instanceof EventFiles.Entry.Candidate c) {
                onDisk.add(assertInstanceOf(ReadResult.Ok.class, store.read(c.relativePath())).event().id());
            } else {
                temps.add(entry.relativePath().toString());
            }
        });
        assertEquals(threads * perThread, acknowledged.size());
        assertEquals(acknowledged, onDisk);
        assertTrue(temps.isEmpty(), "no temp or stray files: " + temps);
    }

    static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
