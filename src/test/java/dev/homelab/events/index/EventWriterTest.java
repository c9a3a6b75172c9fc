package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.index.EventWriter.ImportResult.Outcome;
import dev.homelab.events.storage.EventStore;

/** The one write path: every write goes through the store's commit point, then is indexed and counted once. */
class EventWriterTest {

    @TempDir
    Path root;
    @TempDir
    Path other;

    EventStore store;
    EventIndex index;
    SimpleMeterRegistry metrics;
    EventWriter writer;

    static final Instant AT = Instant.parse("2026-11-20T10:00:00Z");

    @BeforeEach
    void wire() {
        store = TestEvents.store(root);
        index = new EventIndex();
        metrics = new SimpleMeterRegistry();
        writer = new EventWriter(store, index, metrics);
    }

    private double count(String name, String tag, String value) {
        var c = metrics.find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void appendWritesIndexesAndCountsOnce() throws IOException {
        Event e = TestEvents.event("deployment_started", "pi4", "web", "c-1", AT);
        EventWriter.Written w = writer.append(e);

        assertTrue(Files.isRegularFile(root.resolve(w.relativePath())));
        assertEquals(w.relativePath(), index.get(e.id()).orElseThrow().relativePath());
        assertEquals(1, count("homelab.events.written", "origin", "new"));
        assertEquals(1, metrics.find("homelab.events.write").timer().count());

        assertThrows(FileAlreadyExistsException.class, () -> writer.append(e), "a name is never reused");
        assertEquals(1, count("homelab.events.rejected", "reason", "conflict"));
        assertEquals(1, index.size());
    }

    /** Listeners (the audit sealer) get the very bytes the store wrote, so nothing reads a new file back. */
    @Test
    void listenersGetTheBytesOfTheFileWritten() throws IOException {
        java.util.List<String> seen = new java.util.ArrayList<>();
        java.util.List<byte[]> bytes = new java.util.ArrayList<>();
        writer.addListener((path, event, b) -> {
            seen.add(path);
            bytes.add(b);
        });
        Event e = TestEvents.event("deployment_started", "pi4", "web", "c-2", AT);
        EventWriter.Written w = writer.append(e);

        assertEquals(java.util.List.of(w.relativePath()), seen);
        assertArrayEquals(Files.readAllBytes(root.resolve(w.relativePath())), bytes.get(0));
        assertEquals(1.0, metrics.find("homelab.events.group_commit.links").functionCounter().count());
        assertTrue(metrics.find("homelab.events.group_commit.fsyncs").functionCounter().count() >= 1);
    }

    /**
     * The watcher sees this server's link before the writer has forced the directory and indexed the file: it
     * must leave the file to the writer instead of reading and parsing it a second time.
     */
    @Test
    void theWatcherLeavesAFileBeingCommittedToItsWriter() throws IOException {
        Reconciler reconciler = new Reconciler(store, index, 1);
        int[] indexedByWatcher = { -1 };
        boolean[] indexedMeanwhile = { true };
        Event e = TestEvents.event("deployment_started", "pi4", "web", "c-9", AT);
        String path = store.relativePathOf(e).toString();
        EventStore committing = new EventStore(root, store.codec(), store.fileMaxBytes()) {
            @Override
            protected void forceDirectory(Path dir) throws IOException {
                if (Files.exists(root.resolve(path))) { // linked, not yet acknowledged: what the watcher sees
                    indexedByWatcher[0] = reconciler.indexFiles(List.of(path));
                    indexedMeanwhile[0] = index.containsPath(path);
                }
                super.forceDirectory(dir);
            }
        };
        new EventWriter(committing, index).append(e); // a second writer: its metrics apart from the fixture's

        assertEquals(0, indexedByWatcher[0], "the watcher read nothing");
        assertFalse(indexedMeanwhile[0], "nothing is indexed before the directory is forced");
        assertEquals(path, index.get(e.id()).orElseThrow().relativePath(), "the writer indexed it");
        assertEquals(0, reconciler.indexFiles(List.of(path)), "a later look finds it indexed");
        assertEquals(1, index.size());
        reconciler.close();
    }

    /**
     * Our own writes keep moving today's directory; whatever the cheap pass does about that, a file another process
     * links between two of them must still be indexed by it, and one of ours that another process removed (indexed,
     * never listed) forgotten. No watcher here: the pass alone.
     */
    @Test
    void theCheapPassFindsAForeignFileLinkedBetweenTwoOfOurWrites() throws IOException {
        Reconciler reconciler = new Reconciler(store, index, 1);
        writer.append(TestEvents.event("deployment_started", "pi4", "web", "c-10", AT));
        reconciler.reconcile(); // today's directory listed: its fingerprint is known

        writer.append(TestEvents.event("deployment_started", "pi4", "web", "c-11", AT.plusSeconds(1)));
        Event foreign = TestEvents.event("node_online", "pi4", "bash", "c-12", AT.plusSeconds(2));
        Path foreignPath = root.resolve(store.relativePathOf(foreign));
        Path elsewhere = other.resolve("foreign.json"); // another writer: its own temp file, then a link
        Files.write(elsewhere, store.codec().toBytes(foreign));
        Files.createLink(foreignPath, elsewhere);
        EventWriter.Written gone = writer.append(TestEvents.event("deployment_started", "pi4", "web", "c-13",
                AT.plusSeconds(3)));
        Files.delete(root.resolve(gone.relativePath())); // removed by another process before any pass listed it
        writer.append(TestEvents.event("deployment_started", "pi4", "web", "c-14", AT.plusSeconds(4)));

        reconciler.reconcileChanged();
        assertEquals(store.relativePathOf(foreign).toString(), index.get(foreign.id()).orElseThrow().relativePath(),
                "the foreign file is indexed by the cheap pass");
        assertFalse(index.containsPath(gone.relativePath()), "the removed file is forgotten");
        assertEquals(4, index.size());
        reconciler.close();
    }

    @Test
    void importFileGivesEachOutcomeAndIndexesOnlyWhatItWrote() throws IOException {
        // the source store: one standard and one non-standard (hand-made) file
        EventStore source = TestEvents.store(other);
        Event e = TestEvents.event("node_online", "pi4", "svc", "c-2", AT);
        String standard = source.append(e).toString();
        byte[] standardBytes = Files.readAllBytes(other.resolve(standard));
        String hand = "2026-11-20/pi4/written-by-hand.json";
        byte[] handBytes = source.codec().toBytes(TestEvents.event("node_online", "pi4", "svc", "c-3", AT.plusSeconds(5)));

        assertEquals(Outcome.WRITTEN, writer.importFile(standard, standardBytes).outcome());
        assertEquals(Outcome.WRITTEN, writer.importFile(hand, handBytes).outcome(), "a non-standard name keeps its path");
        assertArrayEquals(handBytes, Files.readAllBytes(root.resolve(hand)));
        assertEquals(2, index.size());
        assertTrue(index.containsPath(hand));
        assertEquals(2, count("homelab.events.written", "origin", "import"));

        assertEquals(Outcome.IDENTICAL, writer.importFile(standard, standardBytes).outcome());
        byte[] changed = new String(standardBytes, StandardCharsets.UTF_8).replace("\"svc\"", "\"db\"")
                .getBytes(StandardCharsets.UTF_8);
        EventWriter.ImportResult conflict = writer.importFile(standard, changed);
        assertEquals(Outcome.CONFLICT, conflict.outcome());
        assertArrayEquals(standardBytes, Files.readAllBytes(root.resolve(standard)), "never overwritten");

        // the same id under another name in the same directory: a conflict, nothing written
        String sameId = "2026-11-20/pi4/copy-of-" + e.id() + ".json";
        byte[] withId = new String(standardBytes, StandardCharsets.UTF_8)
                .replace("{\"timestamp\"", "{\"id\":\"" + e.id() + "\",\"timestamp\"").getBytes(StandardCharsets.UTF_8);
        EventWriter.ImportResult moved = writer.importFile(sameId, withId);
        assertEquals(Outcome.CONFLICT, moved.outcome(), moved.detail());
        assertTrue(moved.detail().contains(standard), moved.detail());
        assertTrue(Files.notExists(root.resolve(sameId)));

        for (String bad : new String[]{ "../escape.json", "2026-11-21/pi4/written-by-hand.json",
                "2026-11-20/nas/written-by-hand.json",
                "2026-11-20/pi4/.hidden.json", "2026-11-20/pi4/notes.txt" }) {
            assertEquals(Outcome.REJECTED, writer.importFile(bad, handBytes).outcome(), bad);
        }
        assertEquals(Outcome.REJECTED, writer.importFile("2026-11-20/pi4/x.json", "{}\n{}".getBytes()).outcome());
        assertEquals(2, index.size(), "only written files are indexed");
        assertEquals(2, count("homelab.events.imported", "outcome", "written"));
        assertEquals(1, count("homelab.events.imported", "outcome", "identical"));
        assertEquals(2, count("homelab.events.imported", "outcome", "conflict"));
        assertEquals(6, count("homelab.events.imported", "outcome", "rejected"));
    }
}
