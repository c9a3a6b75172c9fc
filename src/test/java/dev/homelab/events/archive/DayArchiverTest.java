package dev.homelab.events.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.homelab.events.sync.Fixtures;

class DayArchiverTest {

    private static final LocalDate DAY = LocalDate.parse("2026-02-10");

    @TempDir
    Path root;

    private Fixtures.Node node;
    private Map<String, byte[]> before;

    @BeforeEach
    void fill() throws IOException {
        node = Fixtures.Node.at(root);
        for (int i = 0; i < 5; i++) {
            node.emit(Instant.parse("2026-02-10T08:00:00Z").plusSeconds(i * 600L), i % 2 == 0 ? "pi4" : "nas", "chain-1");
        }
        node.emit(Instant.parse("2026-02-11T08:00:00Z"), "pi4", "chain-1");
        before = dayFiles();
    }

    private DayArchiver archiver() {
        return new DayArchiver(node.store().files(), root.resolve(".archive"), Fixtures.MAPPER);
    }

    private Map<String, byte[]> dayFiles() throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        Fixtures.files(root).forEach((k, v) -> {
            if (k.startsWith(DAY.toString())) {
                out.put(k, v);
            }
        });
        return out;
    }

    @Test
    void archivesVerifiesThenRemovesTheDayAndARerunChangesNothing() throws IOException {
        DayArchiver.Result r = archiver().archive(DAY);
        assertEquals("archived", r.outcome());
        assertEquals(5, r.archived());
        assertFalse(Files.exists(root.resolve(DAY.toString())), "the day directory is gone");
        assertTrue(Files.exists(root.resolve("2026-02-11")), "other days are untouched");
        Path zip = root.resolve(".archive/2026-02-10.zip");
        DayArchiver.Archive a = archiver().read(zip);
        assertEquals(before.keySet(), a.files().keySet());
        before.forEach((k, v) -> assertArrayEquals(v, a.files().get(k)));
        assertEquals(5, a.manifest().files().size());
        assertTrue(
                a.manifest().files().stream().allMatch(f -> "chain-1".equals(f.correlationId()) && f.sha256().length() == 64));

        byte[] zipBytes = Files.readAllBytes(zip);
        DayArchiver.Result again = archiver().archive(DAY);
        assertEquals("already_archived", again.outcome());
        assertArrayEquals(zipBytes, Files.readAllBytes(zip), "running it twice changes nothing");
    }

    @ParameterizedTest
    @EnumSource(DayArchiver.Step.class)
    void aCrashBetweenStepsLeavesTheDayOrAVerifiedArchiveAndARerunFinishes(DayArchiver.Step crashAfter) throws IOException {
        DayArchiver crashing = new DayArchiver(node.store().files(), root.resolve(".archive"), Fixtures.MAPPER) {
            @Override
            protected void after(Step step, LocalDate day) throws IOException {
                if (step == crashAfter) {
                    throw new IOException("simulated crash after " + step);
                }
            }
        };
        assertThrows(IOException.class, () -> crashing.archive(DAY));
        Path zip = root.resolve(".archive/2026-02-10.zip");
        Map<String, byte[]> live = dayFiles();
        boolean dayIntact = live.keySet().equals(before.keySet());
        boolean archiveVerified = Files.exists(zip) && archiver().read(zip).files().keySet().equals(before.keySet());
        assertTrue(dayIntact || archiveVerified,
                "never neither: day intact=" + dayIntact + ", archive verified=" + archiveVerified);
        if (!archiveVerified) {
            live.forEach((k, v) -> assertArrayEquals(before.get(k), v));
        }
        DayArchiver.Result r = archiver().archive(DAY);
        assertTrue(r.outcome().equals("archived") || r.outcome().equals("already_archived"), r.outcome());
        assertTrue(dayFiles().isEmpty());
        DayArchiver.Archive a = archiver().read(zip);
        before.forEach((k, v) -> assertArrayEquals(v, a.files().get(k)));
        try (var s = Files.list(root.resolve(".archive"))) {
            assertEquals(1, s.count(), "no temp archive is left behind");
        }
    }

    @Test
    void aFileArrivingForAnArchivedDayIsMergedIntoTheArchive() throws IOException {
        archiver().archive(DAY);
        Path late = node.emit(Instant.parse("2026-02-10T23:00:00Z"), "far-node", "chain-2");
        DayArchiver.Result r = archiver().archive(DAY);
        assertEquals("archived", r.outcome());
        DayArchiver.Archive a = archiver().read(root.resolve(".archive/2026-02-10.zip"));
        assertEquals(6, a.files().size());
        assertTrue(a.files().containsKey(late.toString()));
        assertFalse(Files.exists(root.resolve(late)));
    }

    @Test
    void aDamagedArchiveIsDetectedAndNothingIsRemoved() throws IOException {
        archiver().archive(DAY);
        Path zip = root.resolve(".archive/2026-02-10.zip");
        byte[] bytes = Files.readAllBytes(zip);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(zip, bytes);
        assertThrows(IOException.class, () -> archiver().read(zip));
        node.emit(Instant.parse("2026-02-10T23:00:00Z"), "far-node", "chain-2");
        assertThrows(IOException.class, () -> archiver().archive(DAY));
        assertEquals(1, dayFiles().size(), "the late file stays live when the archive cannot be read");
    }

    @Test
    void strayFilesAreNeitherArchivedNorRemoved() throws IOException {
        Path stray = root.resolve("2026-02-10/pi4/.leftover.tmp");
        Files.writeString(stray, "partial");
        DayArchiver.Result r = archiver().archive(DAY);
        assertEquals(1, r.leftInPlace());
        assertTrue(Files.exists(stray));
        assertEquals(5, r.removed());
    }
}
