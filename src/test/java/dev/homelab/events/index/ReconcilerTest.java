package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.FileProblem;

class ReconcilerTest {

    @TempDir
    Path root;

    static final Instant DAY1 = Instant.parse("2026-11-20T10:00:00Z");

    /** Writes events over three days and two nodes without indexing them, as another process would. */
    static List<Event> seed(EventStore store, int perDir) throws IOException {
        List<Event> out = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            for (String node : List.of("pi4", "nas")) {
                for (int i = 0; i < perDir; i++) {
                    Event e = TestEvents.event("node_online", node, "svc-" + (i % 3), "chain-" + (i % 7),
                            DAY1.plus(Duration.ofDays(d)).plusSeconds(i));
                    store.append(e);
                    out.add(e);
                }
            }
        }
        return out;
    }

    static Reconciler reconciler(EventStore store) {
        Reconciler r = new Reconciler(store, new EventIndex(), 2);
        r.racyWindow(Duration.ZERO); // the test's directories changed a moment ago; trust them anyway
        return r;
    }

    static Set<String> paths(EventIndex index) {
        return index.all().stream().map(IndexEntry::relativePath).collect(Collectors.toSet());
    }

    @Test
    void indexesFilesOfOtherWritersAndForgetsFilesThatAreGone() throws IOException {
        EventStore store = TestEvents.store(root);
        List<Event> written = seed(store, 10);
        Reconciler r = reconciler(store);
        Reconciler.ReconcileReport first = r.reconcile();
        assertEquals(written.size(), first.added());
        assertEquals(written.size(), r.index().size());
        assertEquals(6, first.directoriesListed());

        Event gone = written.get(3);
        Files.delete(root.resolve(store.relativePathOf(gone)));
        Reconciler.ReconcileReport cheap = r.reconcileChanged();
        assertEquals(1, cheap.removed());
        assertEquals(1, cheap.directoriesListed(), "only the changed directory is listed again");
        assertTrue(r.index().get(gone.id()).isEmpty());
        assertEquals(0, r.reconcileChanged().directoriesListed(), "nothing changed, nothing listed");
    }

    @Test
    void reportsFilesThatAreNotEventsAndForgetsAVanishedDirectory() throws IOException {
        EventStore store = TestEvents.store(root);
        seed(store, 2);
        Path dir = root.resolve("2026-11-21/pi4");
        Files.writeString(dir.resolve("broken.json"), "{\"timestamp\":", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(".half-written.tmp"), "x");
        Files.writeString(dir.resolve("notes.txt"), "x");
        Files.createDirectories(root.resolve("not-a-date"));
        Reconciler r = reconciler(store);
        r.reconcile();
        assertEquals(Set.of("2026-11-21/pi4/broken.json:CORRUPT_JSON", "2026-11-21/pi4/.half-written.tmp:TEMP_FILE",
                "2026-11-21/pi4/notes.txt:FOREIGN", "not-a-date:FOREIGN"),
                r.problems().stream().map(p -> p.path() + ":" + p.reason()).collect(Collectors.toSet()));
        assertEquals(12, r.index().size());

        // the day is archived away: its events and problems are forgotten
        try (var files = Files.walk(root.resolve("2026-11-21"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Reconciler.ReconcileReport report = r.reconcileChanged();
        assertEquals(4, report.removed());
        assertEquals(8, r.index().size());
        assertEquals(List.of("not-a-date"), r.problems().stream().map(FileProblem::path).toList());
    }

    @Test
    void snapshotRoundTripRestoresTheSameIndexWithoutListingUnchangedDirectories() throws IOException {
        EventStore store = TestEvents.store(root);
        seed(store, 20);
        Files.writeString(root.resolve("2026-11-20/nas/broken.json"), "not json");
        // a foreign-named file (keeps its path) and a lone event (its own id as correlation id)
        Event foreign = TestEvents.event("node_online", "nas", "svc", "hand", DAY1.plusSeconds(7));
        Files.write(root.resolve("2026-11-20/nas/written-by-hand.json"), store.codec().toBytes(foreign));
        java.util.UUID loneId = java.util.UUID.randomUUID();
        store.append(new Event(loneId, DAY1.plusSeconds(9), "pi4", "node_offline", dev.homelab.events.Severity.CRITICAL,
                "t", "svc", loneId.toString(), TestEvents.json("{}"), java.util.Map.of()));
        Reconciler r = reconciler(store);
        r.reconcile();
        Path file = root.resolve(".index").resolve(IndexSnapshot.FILE_NAME);
        assertEquals(122, IndexSnapshot.save(file, r));

        Reconciler loaded = reconciler(store);
        IndexSnapshot.Loaded l = IndexSnapshot.load(file, loaded);
        assertNotNull(l);
        assertEquals(122, l.rows());
        assertEquals(new ArrayList<>(r.index().all()), new ArrayList<>(loaded.index().all()));
        assertTrue(loaded.index().containsPath("2026-11-20/nas/written-by-hand.json"));
        assertTrue(loaded.index().entriesIn("2026-11-20", "nas").containsKey("written-by-hand.json"));
        assertEquals(List.of(loneId), loaded.index().chain(loneId.toString()).stream().map(IndexEntry::id).toList());
        assertEquals(r.problems().stream().map(FileProblem::path).toList(),
                loaded.problems().stream().map(FileProblem::path).toList());
        Reconciler.ReconcileReport check = loaded.reconcileChanged();
        assertEquals(0, check.directoriesListed(), "an unchanged store is trusted as the snapshot says");
        assertEquals(r.index().chain("chain-3"), loaded.index().chain("chain-3"));
    }

    @Test
    void snapshotIsRevalidatedWhereDirectoriesChangedAfterItWasWritten() throws IOException {
        EventStore store = TestEvents.store(root);
        List<Event> written = seed(store, 20);
        Reconciler r = reconciler(store);
        r.reconcile();
        Path file = root.resolve(".index").resolve(IndexSnapshot.FILE_NAME);
        IndexSnapshot.save(file, r);

        // while the server is down: one event arrives, one is removed, one new node directory appears
        Event added = TestEvents.event("node_offline", "pi4", "x", "late", DAY1.plusSeconds(500));
        store.append(added);
        Event removed = written.get(25);
        Files.delete(root.resolve(store.relativePathOf(removed)));
        Event newDir = TestEvents.event("node_offline", "gpu", "x", "late", DAY1.plusSeconds(600));
        store.append(newDir);

        Reconciler restarted = reconciler(store);
        assertNotNull(IndexSnapshot.load(file, restarted));
        Reconciler.ReconcileReport check = restarted.reconcileChanged();
        assertEquals(3, check.directoriesListed());
        assertEquals(2, check.added());
        assertEquals(1, check.removed());

        Reconciler fresh = reconciler(store);
        fresh.reconcile();
        assertEquals(paths(fresh.index()), paths(restarted.index()));
        assertTrue(restarted.index().get(added.id()).isPresent());
        assertFalse(restarted.index().get(removed.id()).isPresent());
    }

    @Test
    void aDamagedOrForeignSnapshotIsIgnored() throws IOException {
        EventStore store = TestEvents.store(root);
        seed(store, 5);
        Reconciler r = reconciler(store);
        r.reconcile();
        Path file = root.resolve(".index").resolve(IndexSnapshot.FILE_NAME);
        IndexSnapshot.save(file, r);
        byte[] bytes = Files.readAllBytes(file);

        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 40));
        Reconciler truncated = reconciler(store);
        assertNull(IndexSnapshot.load(file, truncated));
        assertEquals(0, truncated.index().size());

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x40;
        Files.write(file, flipped);
        assertNull(IndexSnapshot.load(file, reconciler(store)), "a flipped bit fails the checksum");

        Files.write(file, bytes);
        Path other = root.resolveSibling(root.getFileName() + "-copy");
        Files.createDirectories(other);
        assertNull(IndexSnapshot.load(file, reconciler(TestEvents.store(other))), "another store's snapshot is not trusted");
        assertNull(IndexSnapshot.load(root.resolve("missing.bin"), reconciler(store)));
    }
}
