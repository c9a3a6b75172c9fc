package dev.homelab.events.audit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.index.EventWriter;
import dev.homelab.events.storage.EventFileName;

/** Sealing: every file once, with the hash of its bytes on disk, off the writers' threads, whoever wrote it. */
class SealerTest {

    @TempDir
    Path root;
    @TempDir
    Path keyDir;

    AuditFixture f;

    @BeforeEach
    void setUp() throws IOException {
        f = new AuditFixture(root, keyDir);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void eightWritersAreSealedExactlyOnceByTheConsumerThread() throws Exception {
        f.sealer.start(Duration.ofMillis(50));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<List<EventWriter.Written>>> futures = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int writer = w;
            futures.add(pool.submit(() -> {
                List<EventWriter.Written> mine = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    mine.add(f.write(String.format("2026-11-2%dT10:%02d:%02dZ", i % 2, writer, i), "pi4"));
                }
                return mine;
            }));
        }
        List<EventWriter.Written> all = new ArrayList<>();
        for (var fu : futures) {
            all.addAll(fu.get());
        }
        pool.shutdown();
        await().atMost(Duration.ofSeconds(60)).until(() -> f.sealer.sealedCount() == 320);
        Set<String> sealed = new HashSet<>();
        for (String date : List.of("2026-11-20", "2026-11-21")) {
            SealFile.Contents c = SealFile.read(f.sealsOf(date, "pi4"));
            assertEquals(List.of(), c.fragments());
            for (SealFile.Line line : c.lines()) {
                assertTrue(sealed.add(line.seal().path()), "sealed twice: " + line.seal().path());
                byte[] bytes = Files.readAllBytes(f.file(line.seal().path()));
                assertEquals(Hashes.sha256Hex(bytes), line.seal().sha256());
                assertEquals(bytes.length, line.seal().size());
            }
        }
        assertEquals(all.stream().map(EventWriter.Written::relativePath).collect(java.util.stream.Collectors.toSet()), sealed);
        assertEquals(0, f.sealer.droppedCount());
    }

    /** While the index is being built the consumer waits; then it seals what queued, and a sweep what did not fit. */
    @Test
    void whileTheIndexIsBuiltNothingIsSealedAndAfterwardsEverything() throws IOException {
        f.sealer = new Sealer(f.layout, f.store.files(), f.clock, 3);
        f.closer = new DayCloser(f.layout, f.sealer, f.keys, "pi4", AuditFixture.GRACE, f.clock, f.anchors);
        java.util.concurrent.atomic.AtomicBoolean building = new java.util.concurrent.atomic.AtomicBoolean(true);
        f.sealer.holdWhile(building::get);
        f.sealer.start(Duration.ofMillis(10));
        for (int i = 0; i < 5; i++) {
            f.write("2026-11-20T10:00:0" + i + "Z", "pi4");
        }
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(60)).until(() -> f.sealer.sealedCount() == 0);
        assertEquals(3, f.sealer.queued());
        building.set(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> f.sealer.sealedCount() == 3);
        f.closer.run(); // the day of the two that found the queue full is swept
        assertEquals(5, SealFile.read(f.sealsOf("2026-11-20", "pi4")).lines().size());
    }

    @Test
    void aSealIsNeverReplacedEvenWhenTheFileIsSeenAgainWithOtherBytes() throws IOException {
        var w = f.write("2026-11-20T10:00:00Z", "pi4");
        f.sealer.sealPending();
        String before = Files.readString(f.sealsOf("2026-11-20", "pi4"));
        Files.writeString(f.file(w.relativePath()), Files.readString(f.file(w.relativePath())).replace("web", "wob"));
        f.sealer.eventFileSeen(w.relativePath(), w.event(), Files.readAllBytes(f.file(w.relativePath())));
        f.sealer.sealPending();
        f.sealer.sweep(new AuditLayout.NodeDay("2026-11-20", "pi4"));
        assertEquals(before, Files.readString(f.sealsOf("2026-11-20", "pi4")));
    }

    @Test
    void aPathOutsideTheLayoutIsPassedOverAndTheFilesQueuedWithItAreSealed() throws IOException {
        var w = f.write("2026-11-20T10:00:00Z", "pi4");
        byte[] bytes = Files.readAllBytes(f.file(w.relativePath()));
        for (String odd : List.of("notes.json", "2026-11-20/" + w.relativePath(), "2026-13-40/pi4/x.json",
                "2026-11-20/../x.json")) {
            f.sealer.eventFileSeen(odd, w.event(), bytes);
        }
        assertEquals(1, f.sealer.sealPending(), "only the event file is sealed");
        assertEquals(List.of(w.relativePath()), SealFile.read(f.sealsOf("2026-11-20", "pi4")).lines().stream()
                .map(l -> l.seal().path()).toList());
        assertEquals(0, f.sealer.droppedCount());
    }

    @Test
    void aFullQueueDropsNothingForGoodTheDayIsSweptInstead() throws IOException {
        f.sealer = new Sealer(f.layout, f.store.files(), f.clock, 2);
        f.closer = new DayCloser(f.layout, f.sealer, f.keys, "pi4", AuditFixture.GRACE, f.clock, f.anchors);
        for (int i = 0; i < 5; i++) {
            f.write("2026-11-20T10:00:0" + i + "Z", "pi4");
        }
        assertEquals(3, f.sealer.droppedCount());
        assertTrue(f.sealer.isDirty(new AuditLayout.NodeDay("2026-11-20", "pi4")));
        f.sealer.sealPending();
        assertEquals(2, SealFile.read(f.sealsOf("2026-11-20", "pi4")).lines().size());
        f.closer.run();
        assertEquals(5, SealFile.read(f.sealsOf("2026-11-20", "pi4")).lines().size());
    }

    @Test
    void importedCopiesAndFilesFoundByTheReconcilerAreSealedWithTheirExactBytes() throws IOException {
        byte[] foreign = ("{\"timestamp\":\"2026-11-20T10:00:00+02:00\",\"node\":\"pi5\",\"type\":\"custom_thing\","
                + "\"severity\":\"info\",\"source\":\"py\",\"service\":\"x\",\"extra\":1}\n").getBytes();
        String name = "2026-11-20/pi5/" + new EventFileName(java.time.Instant.parse("2026-11-20T08:00:00Z"), "custom_thing",
                java.util.UUID.randomUUID()).format();
        var result = f.writer.importFile(name, foreign);
        assertEquals(EventWriter.ImportResult.Outcome.WRITTEN, result.outcome(), String.valueOf(result.detail()));
        String bash = f.writeLikeBash("2026-11-20T11:00:00Z", "pi5");
        f.reconciler.reconcile();
        f.sealer.sealPending();
        SealFile.Contents c = SealFile.read(f.sealsOf("2026-11-20", "pi5"));
        assertEquals(2, c.lines().size());
        for (SealFile.Line line : c.lines()) {
            assertTrue(line.seal().path().equals(name) || line.seal().path().equals(bash));
            assertEquals(Hashes.sha256Hex(Files.readAllBytes(f.file(line.seal().path()))), line.seal().sha256());
        }
    }
}
