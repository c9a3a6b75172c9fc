package dev.homelab.events.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.testing.Fifo;

/**
 * The export peers pull applies the one reader's checks: an indexed event file swapped for a FIFO or grown
 * far past the size cap is passed over, the page is answered at once, and the other files still travel.
 */
class ExporterHostileFilesTest {

    @TempDir
    Path root;

    Fixtures.Node node;
    Exporter exporter;
    List<Path> written;

    @BeforeEach
    void threeIndexedEvents() throws IOException {
        node = Fixtures.Node.at(root);
        Instant at = Instant.parse("2026-03-01T10:00:00Z");
        written = List.of(node.emit(at, "pi4", null), node.emit(at.plusSeconds(1), "pi4", null),
                node.emit(at.plusSeconds(2), "pi4", null));
        exporter = new Exporter(node.store(), node.index(), new ArrivalLog(root.resolve(".sync/arrivals.log")).open(), "pi4");
    }

    private List<String> exportedPaths() throws IOException {
        return exporter.export(SyncCursor.START, 100).items().stream().map(ExportPage.Item::path).toList();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoSwappedInForAnIndexedEventNeverHangsTheExport() throws Exception {
        Path swapped = root.resolve(written.get(1));
        Files.delete(swapped);
        Fifo.make(swapped);
        assertTrue(node.index().containsPath(written.get(1).toString()), "still indexed: the export is asked for it");

        assertEquals(List.of(written.get(0).toString(), written.get(2).toString()), exportedPaths());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFileFarOverTheSizeCapIsNeverLoaded() throws Exception {
        Path grown = root.resolve(written.get(0));
        try (RandomAccessFile f = new RandomAccessFile(grown.toFile(), "rw")) {
            f.setLength(150L * 1024 * 1024); // sparse: 150 MB to read, nothing on disk
        }

        assertEquals(List.of(written.get(1).toString(), written.get(2).toString()), exportedPaths());
    }
}
