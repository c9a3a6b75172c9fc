package dev.homelab.events.audit;

import static dev.homelab.events.audit.AuditTrailTest.assertOk;
import static dev.homelab.events.audit.AuditTrailTest.deleteTree;
import static dev.homelab.events.audit.AuditTrailTest.only;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.ConflictException;
import dev.homelab.events.archive.DayArchiver;
import dev.homelab.events.audit.Finding.Kind;

/**
 * A day's archive carries its seal records, digests and key (issue 16): the day verifies from the archive when the
 * store's records are gone, a byte changed inside the archive is named, and a restore of a changed archive is
 * refused before anything is written.
 */
class ArchiveAuditTest {

    @TempDir
    Path root;
    @TempDir
    Path keyDir;
    AuditFixture f;
    DayArchiver archiver;
    Path zip;

    @BeforeEach
    void setUp() throws IOException {
        f = new AuditFixture(root, keyDir).standard();
        archiver = new DayArchiver(f.store.files(), root.resolve(".archive"), new ObjectMapper());
        archiver.addRemovalGuard(new ArchiveGuard(f::verifyDay, f.layout, () -> List.of(f.keys.publicKey())));
        assertEquals("archived", archiver.archive(LocalDate.parse(AuditFixture.D1)).outcome());
        zip = archiver.archiveFile(LocalDate.parse(AuditFixture.D1));
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void theArchiveCarriesTheDaysRecordsAndTheDayVerifiesFromThemAlone() throws IOException {
        DayArchiver.Archive a = archiver.read(zip);
        String digest = ".audit/" + AuditFixture.D1 + "/pi4.digest";
        assertArrayEquals(Files.readAllBytes(f.digestOf(AuditFixture.D1, "pi4")), a.audit().get(digest));
        assertArrayEquals(Files.readAllBytes(f.sealsOf(AuditFixture.D1, "pi4")),
                a.audit().get(".audit/" + AuditFixture.D1 + "/pi4.seals"));
        assertNotNull(a.audit().get(".audit/keys/pi4.pub"), "the key that signed the digest: " + a.audit().keySet());
        assertEquals(List.of(f.keys.keyId()), a.manifest().audit().keyIds());
        assertEquals(2, a.manifest().format());
        assertOk(f.verify());

        // the store's records of the archived day are gone: the archive's copies stand in, the chain stays whole
        deleteTree(f.layout.dayDir(AuditFixture.D1));
        AuditReport r = f.verify();
        assertOk(r);
        assertEquals(10, r.checked(), "the archived files are checked against the carried seals");
        assertTrue(r.notices().stream().anyMatch(n -> n.kind() == Kind.ARCHIVED_RECORD), r.notices().toString());
        AuditReport day = f.verifyDay(LocalDate.parse(AuditFixture.D1)); // a range reads that day's archive only
        assertOk(day);
        assertEquals(3, day.checked());

        // and offline, with the public key alone
        Path pub = keyDir.resolve("pi4.pub");
        Files.writeString(pub, f.keys.publicKeyPem());
        assertEquals(0, VerifyMain.run(new String[]{ root.toString(), "--public-key", pub.toString() },
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));

        // without the archive too, the day is a gap in the chain (the check above is not vacuous)
        Files.delete(zip);
        assertFalse(f.verify().ok());
    }

    @Test
    void aByteChangedInsideTheArchiveIsNamed_withTheStoresRecordsAndWithTheCarriedOnes() throws IOException {
        String victim = tamperOneEvent();
        Finding p = only(f.verify(), Kind.MODIFIED);
        assertEquals(victim, p.path());

        deleteTree(f.layout.dayDir(AuditFixture.D1));
        AuditReport r = f.verify();
        assertFalse(r.ok());
        assertEquals(victim, only(r, Kind.MODIFIED).path());
        assertEquals(1, r.problems().size(), r.problems().toString());
    }

    @Test
    void aCarriedDigestThatDiffersFromTheStoresIsReported() throws IOException {
        String digest = ".audit/" + AuditFixture.D1 + "/pi4.digest";
        rewrite(zip, Map.of(digest, "{\"version\":1}\n".getBytes(StandardCharsets.UTF_8)));
        Finding p = only(f.verify(), Kind.DIGEST_INVALID);
        assertTrue(p.reason().contains("carried in"), p.reason());
    }

    @Test
    void aRestoreOfAChangedArchiveIsRefusedNamingTheFile_andAnHonestOneIsNot() throws IOException {
        byte[] honest = Files.readAllBytes(zip);
        assertDoesNotRefuse();
        String victim = tamperOneEvent();
        ConflictException refused = assertThrows(ConflictException.class,
                () -> archiver.checkRestore(LocalDate.parse(AuditFixture.D1), zip, archiver.read(zip)));
        assertEquals("date", refused.errors().get(0).field());
        assertTrue(refused.getMessage().contains(victim) && refused.getMessage().contains("differs from its seal")
                && refused.getMessage().contains("Nothing was restored"), refused.getMessage());

        // with the store's records gone, the carried ones still refuse it
        deleteTree(f.layout.dayDir(AuditFixture.D1));
        refused = assertThrows(ConflictException.class,
                () -> archiver.checkRestore(LocalDate.parse(AuditFixture.D1), zip, archiver.read(zip)));
        assertTrue(refused.getMessage().contains(victim), refused.getMessage());

        Files.write(zip, honest);
        assertDoesNotRefuse();
    }

    /**
     * A day archived before it closed, then reached by a late event (sealed into the store's record, which the
     * day's digest then covers): the archive's shorter record is the start of the store's, and the restore goes on.
     */
    @Test
    void aDayArchivedBeforeItClosedAndReachedLaterIsRestored(@TempDir Path root2, @TempDir Path keyDir2)
            throws IOException {
        try (AuditFixture g = new AuditFixture(root2, keyDir2)) {
            g.write(AuditFixture.D1 + "T10:00:00Z", "pi4");
            g.write(AuditFixture.D1 + "T11:00:00Z", "pi4");
            g.sealer.sealPending();
            DayArchiver early = new DayArchiver(g.store.files(), root2.resolve(".archive"), new ObjectMapper());
            early.addRemovalGuard(new ArchiveGuard(g::verifyDay, g.layout, () -> List.of(g.keys.publicKey())));
            LocalDate day = LocalDate.parse(AuditFixture.D1);
            assertEquals("archived", early.archive(day).outcome());
            assertFalse(Files.exists(g.digestOf(AuditFixture.D1, "pi4")), "archived before the day closed");

            g.write(AuditFixture.D1 + "T13:00:00Z", "pi4"); // a late arrival, sealed after the archive was made
            g.sealer.sealPending();
            g.clock.set(Instant.parse("2026-11-23T03:00:00Z"));
            g.closer.run();
            assertTrue(Files.exists(g.digestOf(AuditFixture.D1, "pi4")), "closed with the late event");

            Path archived = early.archiveFile(day);
            early.checkRestore(day, archived, early.read(archived)); // must not refuse
        }
    }

    private void assertDoesNotRefuse() throws IOException {
        archiver.checkRestore(LocalDate.parse(AuditFixture.D1), zip, archiver.read(zip));
    }

    /** Changes one event inside the archive, with a manifest to match (the archive alone cannot tell). */
    private String tamperOneEvent() throws IOException {
        return tamperOneEvent(archiver, zip);
    }

    static String tamperOneEvent(DayArchiver archiver, Path zip) throws IOException {
        DayArchiver.Archive a = archiver.read(zip);
        String victim = a.files().keySet().iterator().next();
        byte[] changed = new String(a.files().get(victim), StandardCharsets.UTF_8).replace("\"web\"", "\"wab\"")
                .getBytes(StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.valueToTree(a.manifest());
        manifest.withArray("files").forEach(e -> {
            if (e.get("path").asText().equals(victim)) {
                ((ObjectNode) e).put("size", changed.length).put("sha256", Hashes.sha256Hex(changed));
            }
        });
        rewrite(zip, Map.of(victim, changed, ".manifest.json", json.writeValueAsBytes(manifest)));
        archiver.read(zip); // the manifest matches: only the audit trail can tell
        return victim;
    }

    /** Rewrites the archive with some entries replaced, the others as they were. */
    static void rewrite(Path zip, Map<String, byte[]> replaced) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                try (InputStream in = z.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        entries.putAll(replaced);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
    }
}
