package dev.homelab.events.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.archive.DayArchiver;
import dev.homelab.events.audit.Finding.Kind;

/**
 * A node name may be 253 characters long (a full DNS name), but a file name only 255: the audit records of such a
 * node (seal record, digest, public key) still get written, found and checked, live and archived.
 */
class LongNodeNameAuditTest {

    private static final String LABEL = "a".repeat(63);
    /** 253 characters: the longest node name the writers accept. */
    static final String LONGEST = String.join(".", LABEL, LABEL, LABEL, "b".repeat(61));

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
    void theFileNamesFitAndReadBackAsTheNodeName() {
        assertEquals(253, LONGEST.length());
        String fits = LONGEST.substring(4); // 249 characters: "<node>.seals" is exactly 255
        assertEquals(fits + ".seals", AuditLayout.fileName(fits, AuditLayout.SEALS));
        assertEquals(fits + ".d", AuditLayout.fileName(fits, AuditLayout.DIGEST));
        for (String suffix : List.of(AuditLayout.SEALS, AuditLayout.DIGEST, AuditLayout.PUB)) {
            String name = AuditLayout.fileName(LONGEST, suffix);
            assertTrue(name.length() <= AuditLayout.NAME_MAX, name);
            assertEquals(LONGEST, AuditLayout.nameOf(name, suffix));
            assertEquals("pi4", AuditLayout.nameOf(AuditLayout.fileName("pi4", suffix), suffix));
        }
        assertNull(AuditLayout.nameOf("pi4.s", AuditLayout.SEALS),
                "the short suffix only for a name too long for the full one");
        assertNull(AuditLayout.nameOf(".pi4.seals", AuditLayout.SEALS));
        assertNull(AuditLayout.nameOf(LONGEST + ".d", AuditLayout.SEALS));
    }

    @Test
    void aNodeWithTheLongestNameIsSealedClosedAndVerified() throws IOException {
        String d = AuditFixture.D1;
        List<String> written = writeLongNodeDay(d);
        f.standard();
        assertTrue(Files.isRegularFile(f.sealsOf(d, LONGEST)), "seal record written");
        assertTrue(Files.isRegularFile(f.digestOf(d, LONGEST)), "digest written");

        AuditReport r = f.verify();
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(10 + 2, r.checked());
        assertEquals(4 + 1, r.digests());
        assertTrue(f.layout.recorded().contains(new AuditLayout.NodeDay(d, LONGEST)));

        // and a change to one of its files is caught, on that file
        Path victim = f.file(written.get(1));
        byte[] b = Files.readAllBytes(victim);
        b[b.length / 2] ^= 1;
        Files.write(victim, b);
        r = f.verify();
        assertEquals(written.get(1), AuditTrailTest.only(r, Kind.MODIFIED).path());
    }

    @Test
    void theArchiveOfTheDayCarriesTheLongNodesRecordsAndVerifies() throws Exception {
        writeLongNodeDay(AuditFixture.D1);
        f.standard();
        DayArchiver archiver = new DayArchiver(f.store.files(), f.root.resolve(".archive"), new ObjectMapper());
        ArchiveGuard guard = new ArchiveGuard(f::verifyDay, f.layout, () -> List.of(f.keys.publicKey()));
        archiver.addRemovalGuard(guard);
        assertEquals("archived", archiver.archive(LocalDate.parse(AuditFixture.D1)).outcome());
        var archive = archiver.read(f.root.resolve(".archive").resolve(AuditFixture.D1 + ".zip"));
        String digestEntry = AuditLayout.DIR + "/" + AuditFixture.D1 + "/" + AuditLayout.fileName(LONGEST, AuditLayout.DIGEST);
        assertTrue(archive.audit().containsKey(digestEntry), "archived: " + archive.audit().keySet());
        assertTrue(archive.audit().containsKey(
                AuditLayout.DIR + "/" + AuditFixture.D1 + "/" + AuditLayout.fileName(LONGEST, AuditLayout.SEALS)));

        // the store's own records of the day gone too: the archive's are what is checked
        Files.delete(f.digestOf(AuditFixture.D1, LONGEST));
        Files.delete(f.sealsOf(AuditFixture.D1, LONGEST));
        AuditReport r = f.verify();
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(12, r.checked());
    }

    @Test
    void aKeyPublishedUnderTheLongestSignerNameIsFoundWhenNoKeyIsGiven() throws IOException {
        f.standard();
        Files.delete(f.layout.publicKey("pi4"));
        assertFalse(f.keys.publish(f.layout, LONGEST), "a new file, nothing replaced");
        assertTrue(Files.isRegularFile(f.layout.publicKey(LONGEST)));
        AuditReport r = f.verify(List.of(), f.anchors.heads());
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(4, r.digests(), "every digest checked with the key found in the store");
    }

    /** Two events of the long node on {@code date}; the fixture's {@code standard()} seals and closes them. */
    private List<String> writeLongNodeDay(String date) throws IOException {
        return List.of(f.write(date + "T09:00:00Z", LONGEST).relativePath(),
                f.write(date + "T09:30:00Z", LONGEST).relativePath());
    }
}
