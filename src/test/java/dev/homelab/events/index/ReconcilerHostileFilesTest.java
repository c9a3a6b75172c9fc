package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.FileProblem;
import dev.homelab.events.storage.ReadResult;
import dev.homelab.events.testing.Fifo;

/** Hand-dropped hostile files are skipped and listed as problems; they never stop the indexing of anything else. */
class ReconcilerHostileFilesTest {

    @TempDir
    Path root;

    static final Instant AT = Instant.parse("2026-11-20T10:00:00Z");
    static final String HAND = "{\"timestamp\":\"%s\",\"node\":\"pi4\",\"type\":\"node_online\",\"severity\":\"info\","
            + "\"source\":\"hand\",\"service\":\"svc\"%s}\n";

    /** Two good events in 2026-11-20/pi4, written as another process would (not indexed). */
    private List<Event> twoGoodEvents(EventStore store) throws IOException {
        List<Event> events = List.of(TestEvents.event("node_online", "pi4", "svc", "good", AT),
                TestEvents.event("node_offline", "pi4", "svc", "good", AT.plusSeconds(1)));
        for (Event e : events) {
            store.append(e);
        }
        return events;
    }

    private static Map<String, FileProblem> problems(Reconciler r) {
        return r.problems().stream().collect(Collectors.toMap(FileProblem::path, p -> p));
    }

    @Test
    void aTimestampFarOutOfRangeIsAProblemAndTheRestOfItsDirectoryIsIndexedAlsoAfterARestart() throws IOException {
        EventStore store = TestEvents.store(root);
        List<Event> good = twoGoodEvents(store);
        Path hostile = root.resolve("2026-11-20/pi4/far-future.json");
        Files.writeString(hostile, String.format(HAND, "+300000-01-01T00:00:00Z", ""), StandardCharsets.UTF_8);

        for (int start = 0; start < 2; start++) { // the first start, and a restart over the same files
            Reconciler r = new Reconciler(store, new EventIndex(), 2);
            Reconciler.ReconcileReport report = r.reconcile();
            assertTrue(r.everCompleted(), "the pass completed");
            assertEquals(2, report.added());
            assertEquals(Set.of(good.get(0).id(), good.get(1).id()),
                    r.index().all().stream().map(IndexEntry::id).collect(Collectors.toSet()));
            FileProblem p = problems(r).get("2026-11-20/pi4/far-future.json");
            assertNotNull(p, r.problems().toString());
            assertEquals(FileProblem.Reason.INVALID_EVENT, p.reason());
            assertTrue(p.detail().contains("supported range"), p.detail());
            // the watcher's path too, and a cheap pass after it
            assertEquals(0, r.indexFiles(List.of("2026-11-20/pi4/far-future.json")));
            r.reconcileChanged();
            r.close();
        }
    }

    @Test
    void aFieldOfTheWrongJsonTypeIsReportedNotServedWithAMadeUpValue() throws IOException {
        EventStore store = TestEvents.store(root);
        twoGoodEvents(store);
        Files.writeString(root.resolve("2026-11-20/pi4/typed.json"),
                String.format(HAND, "2026-11-20T11:00:00Z", ",\"correlation_id\":5"), StandardCharsets.UTF_8);

        Reconciler r = new Reconciler(store, new EventIndex(), 1);
        r.reconcile();

        assertEquals(2, r.index().size(), "only the two good events");
        FileProblem p = problems(r).get("2026-11-20/pi4/typed.json");
        assertNotNull(p, r.problems().toString());
        assertEquals(FileProblem.Reason.INVALID_EVENT, p.reason());
        assertTrue(p.detail().contains("correlation_id"), p.detail());
        ReadResult direct = store.read(Path.of("2026-11-20/pi4/typed.json"));
        assertEquals(FileProblem.Reason.INVALID_EVENT, assertInstanceOf(ReadResult.Skipped.class, direct).reason());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoAtTheSnapshotPathDoesNotHangTheStartAndIsReplacedByTheNextSave() throws Exception {
        EventStore store = TestEvents.store(root);
        twoGoodEvents(store);
        Path snapshot = Files.createDirectories(root.resolve(".index")).resolve(IndexSnapshot.FILE_NAME);
        Fifo.make(snapshot);

        Reconciler r = new Reconciler(store, new EventIndex(), 1);
        r.racyWindow(Duration.ZERO);
        FileSystemException refused = assertThrows(FileSystemException.class, () -> IndexSnapshot.load(snapshot, r));
        assertTrue(refused.getMessage().contains("not a regular file"), refused.getMessage());
        assertEquals(0, r.index().size(), "nothing loaded");
        r.reconcile(); // what the start does when no snapshot is usable
        assertEquals(2, r.index().size());

        assertEquals(2, IndexSnapshot.save(snapshot, r));
        assertTrue(Files.isRegularFile(snapshot));
        Reconciler restarted = new Reconciler(store, new EventIndex(), 1);
        assertEquals(2, IndexSnapshot.load(snapshot, restarted).rows());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoAmongTheEventFilesIsReportedAndNeverOpened() throws Exception {
        EventStore store = TestEvents.store(root);
        twoGoodEvents(store);
        Fifo.make(root.resolve("2026-11-20/pi4/20261120T120000.000000Z_node_online_" + java.util.UUID.randomUUID() + ".json"));

        Reconciler r = new Reconciler(store, new EventIndex(), 1);
        r.reconcile();

        assertEquals(2, r.index().size());
        assertEquals(List.of(FileProblem.Reason.NOT_REGULAR_FILE),
                r.problems().stream().map(FileProblem::reason).toList());
    }
}
