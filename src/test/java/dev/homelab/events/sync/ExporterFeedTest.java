package dev.homelab.events.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.Event;
import dev.homelab.events.index.Reconciler;

/**
 * The exporter fed by the write path's and the reconciler's listeners: new files are numbered at once, without
 * the full pass over the index (which, for 50 nodes of 50,000 events, cost more CPU than the machine had), and a
 * file indexed by another route is still numbered by the rarer full pass. Files the caller names unread are
 * listed without being read.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExporterFeedTest {

    @TempDir
    Path root;

    Fixtures.Node node;
    Exporter exporter;
    final Instant at = Instant.parse("2026-03-01T10:00:00Z");

    @BeforeEach
    void wired() throws IOException {
        node = Fixtures.Node.at(root);
        exporter = new Exporter(node.store(), node.index(), new ArrivalLog(root.resolve(".sync/arrivals.log")).open(), "pi4");
        node.writer().addListener(exporter.listener());
        node.reconciler().addListener(exporter.listener());
    }

    private List<String> exported(long after) throws IOException {
        ExportPage page = exporter.export(new SyncCursor(exporter.log().logId(), after), 100);
        return page.items().stream().map(ExportPage.Item::path).toList();
    }

    @Test
    void filesWrittenAfterTheFirstFullPassAreNumberedFromWhatTheWriterReports() throws IOException {
        String first = node.emit(at, "pi4", null).toString();
        assertEquals(List.of(first), exported(0), "the first export makes the full pass");
        // within the full-pass interval: only the listener can have numbered these
        String second = node.emit(at.plusSeconds(1), "pi4", null).toString();
        String third = node.emit(at.plusSeconds(2), "pi4", null).toString();
        assertEquals(List.of(second, third), exported(1));
        assertEquals(3, exporter.log().last());
    }

    @Test
    void filesTheReconcilerFindsAreNumberedToo() throws IOException {
        exported(0);
        // another process's file (the bash library, rsync): the reconciler indexes it and tells the exporter
        String copied = Fixtures.Node.at(root).emit(at, "pi4", null).toString();
        node.reconciler().reconcile();
        assertTrue(node.index().containsPath(copied));

        assertEquals(List.of(copied), exported(0), "numbered without waiting for the next full pass");
    }

    @Test
    void aFileIndexedWithoutAReportWaitsForTheFullPassAndIsNotLost() throws IOException {
        exported(0);
        // written by another writer over the same store and indexed behind the listeners' back (as an index
        // snapshot loaded at start would be)
        Fixtures.Node other = Fixtures.Node.at(root);
        Event e = Fixtures.event(at, "pi4", null);
        String p = other.writer().append(e).relativePath();
        node.index().add(Reconciler.entryOf(e, p));
        assertEquals(List.of(), exported(0), "no report, and the full pass is not due yet");
        exporter.fullPassDue();
        assertEquals(List.of(p), exported(0), "the full pass numbers it");
    }

    @Test
    void unreadFilesAreListedWithoutTheirContent() throws IOException {
        String a = node.emit(at, "pi4", null).toString();
        String b = node.emit(at.plusSeconds(1), "pi4", null).toString();
        ExportPage page = exporter.export(SyncCursor.START, 100, b::equals);
        assertEquals(List.of(a, b), page.items().stream().map(ExportPage.Item::path).toList());
        assertTrue(page.items().get(0).content() != null);
        assertNull(page.items().get(1).content(), "not read");
        assertNull(page.items().get(1).id());
    }
}
