package dev.homelab.events.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.index.EventWriter;
import dev.homelab.events.sync.ExportPage;
import dev.homelab.events.sync.Importer;
import dev.homelab.events.sync.PeerKeyCheck;

/**
 * Sync carries the peer's digests: a page is checked against the peer's signed record of each closed day before
 * anything of it is imported; accepted records are kept and verified on the receiver afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerDigestsTest {

    @TempDir
    Path peerRoot;
    @TempDir
    Path peerKeys;
    @TempDir
    Path hereRoot;
    @TempDir
    Path hereKeys;

    AuditFixture peer;
    AuditFixture here;
    PeerKeyPins pins;
    PeerDigests digests;

    @BeforeEach
    void setUp() throws IOException {
        peer = new AuditFixture(peerRoot, peerKeys).standard();
        here = new AuditFixture(hereRoot, hereKeys);
        pins = new PeerKeyPins(hereKeys.resolve("audit-peers"));
        pins.check("nas", peer.keys.publicKeyPem()); // first contact, as PeerPuller does before a page
        digests = new PeerDigests(pins, here.layout);
    }

    @AfterEach
    void tearDown() {
        peer.close();
        here.close();
    }

    /** The page the peer's exporter would send: every event file of the peer, exact bytes. */
    List<ExportPage.Item> page() throws IOException {
        List<ExportPage.Item> items = new ArrayList<>();
        long seq = 0;
        for (EventWriter.Written w : peer.written) {
            String rel = peer.root.relativize(peer.root.resolve(w.relativePath())).toString();
            byte[] bytes = Files.readAllBytes(peer.root.resolve(rel));
            items.add(new ExportPage.Item(++seq, w.event().id(), rel, Hashes.sha256Hex(bytes),
                    Base64.getEncoder().encodeToString(bytes)));
        }
        return items;
    }

    /** The peer's answers to GET /api/audit/days/{date}/{node}. */
    PeerKeyCheck.DayRecords records() {
        return (date, node) -> {
            try {
                return AuditDay.read(peer.layout, date, node).map(d -> new PeerKeyCheck.DayRecord(d.digest(), d.seals()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    void importAll(List<ExportPage.Item> items) {
        Importer importer = new Importer(here.writer, Importer.ArchiveLookup.NONE);
        for (ExportPage.Item item : items) {
            assertEquals(Importer.Outcome.WRITTEN, importer.importItem(item).outcome(), item.path());
        }
    }

    @Test
    void anHonestPeersPageIsAcceptedAndItsDigestsVerifyOnTheReceiver() throws IOException {
        List<ExportPage.Item> items = page();
        digests.checkPage("nas", items, records());
        importAll(items);
        here.sealer.sealPending();

        // the peer's records are kept as the peer signed them
        for (String date : List.of(AuditFixture.D1, AuditFixture.D2, AuditFixture.D3)) {
            assertTrue(Files.isRegularFile(here.layout.peerDigest("pi4", date, "pi4")), date);
            assertTrue(Files.isRegularFile(here.layout.peerSeals("pi4", date, "pi4")), date);
        }
        assertTrue(Files.isRegularFile(here.layout.peerDigest("pi4", AuditFixture.D2, "pi5")));
        AuditReport r = here.verify();
        assertTrue(r.ok(), r.toString());
        // the same page again (a resumed run) is accepted: the records are the same
        digests.checkPage("nas", items, records());
    }

    @Test
    void aFileChangedOnThePeerAfterItsDayClosedIsRefusedAndNothingIsImported() throws IOException {
        String victim = peer.written.get(4).relativePath().toString(); // D2, pi4
        Path file = peer.root.resolve(victim);
        Files.writeString(file, Files.readString(file).replace("deployment_started", "deployment_succeed"));
        List<ExportPage.Item> items = page();

        PeerKeyCheck.Refused refused = assertThrows(PeerKeyCheck.Refused.class,
                () -> digests.checkPage("nas", items, records()));
        String m = refused.getMessage();
        assertTrue(m.contains("peer nas"), m);
        assertTrue(m.contains(victim), m);
        assertTrue(m.contains("differs from the peer's seal"), m);
        // the check comes before the import: a puller imports nothing of the page
        assertFalse(Files.exists(here.layout.peerDigest("pi4", AuditFixture.D2, "pi4")));
    }

    @Test
    void aFileAddedToAClosedDayOnThePeerIsRefused() throws IOException {
        String added = peer.writeLikeBash(AuditFixture.D1 + "T15:00:00Z", "pi4");
        List<ExportPage.Item> items = new ArrayList<>(page());
        byte[] bytes = Files.readAllBytes(peer.root.resolve(added));
        items.add(new ExportPage.Item(99, java.util.UUID.randomUUID(), added, Hashes.sha256Hex(bytes),
                Base64.getEncoder().encodeToString(bytes)));

        PeerKeyCheck.Refused refused = assertThrows(PeerKeyCheck.Refused.class,
                () -> digests.checkPage("nas", items, records()));
        assertTrue(refused.getMessage().contains(added + " is not in the peer's seal record"), refused.getMessage());
    }

    @Test
    void aDigestSignedByAnotherKeyIsRefused() throws Exception {
        PeerKeyPins otherPins = new PeerKeyPins(hereKeys.resolve("other-pins"));
        otherPins.check("nas", PeerKeyPinsTest.pem(PeerKeyPinsTest.newKey()));
        PeerKeyCheck.Refused refused = assertThrows(PeerKeyCheck.Refused.class,
                () -> new PeerDigests(otherPins, here.layout).checkPage("nas", page(), records()));
        assertTrue(refused.getMessage().contains("does not verify with the key pinned"), refused.getMessage());
    }

    @Test
    void anEditedSealRecordOnThePeerIsRefused() throws IOException {
        Path seals = peer.sealsOf(AuditFixture.D3, "pi4");
        String text = Files.readString(seals);
        Files.writeString(seals, text.replaceFirst("\"size\":(\\d)", "\"size\":9$1"));
        PeerKeyCheck.Refused refused = assertThrows(PeerKeyCheck.Refused.class,
                () -> digests.checkPage("nas", page(), records()));
        assertTrue(refused.getMessage().contains("closed day " + AuditFixture.D3 + "/pi4"), refused.getMessage());
        assertTrue(refused.getMessage().contains("seal record is not the one its digest covers"), refused.getMessage());
    }

    @Test
    void aPeerThatReSignsADayAlreadyReceivedIsRefused() throws IOException {
        List<ExportPage.Item> items = page();
        digests.checkPage("nas", items, records());
        PeerKeyCheck.DayRecords resigned = (date, node) -> {
            Optional<PeerKeyCheck.DayRecord> r = records().day(date, node);
            if (!date.equals(AuditFixture.D1) || !node.equals("pi4")) {
                return r;
            }
            // the same signed fields, a second signature line: another digest file for the same day
            return r.map(x -> new PeerKeyCheck.DayRecord(x.digest().replace("}\n", "} \n"), x.seals()));
        };
        PeerKeyCheck.Refused refused = assertThrows(PeerKeyCheck.Refused.class,
                () -> digests.checkPage("nas", items, resigned));
        assertTrue(refused.getMessage().contains("another digest than the one received before"), refused.getMessage());
    }

    @Test
    void aCopyChangedOnTheReceiverIsReportedAgainstThePeersSeal() throws IOException {
        List<ExportPage.Item> items = page();
        digests.checkPage("nas", items, records());
        importAll(items);
        String victim = peer.written.get(0).relativePath().toString();
        Path copy = here.root.resolve(victim);
        Files.writeString(copy, Files.readString(copy).replace("web", "wab"));

        AuditReport r = here.verify();
        assertFalse(r.ok());
        assertTrue(r.problems().stream().anyMatch(p -> p.kind() == Finding.Kind.PEER_MISMATCH && p.path().equals(victim)),
                r.toString());
    }

    @Test
    void anEditedPeerDigestOnTheReceiverIsReported() throws IOException {
        digests.checkPage("nas", page(), records());
        Path kept = here.layout.peerDigest("pi4", AuditFixture.D1, "pi4");
        Files.writeString(kept, Files.readString(kept).replace("\"count\":3", "\"count\":2"));
        AuditReport r = here.verify();
        assertFalse(r.ok());
        assertTrue(r.problems().stream().anyMatch(p -> p.kind() == Finding.Kind.DIGEST_INVALID
                && p.path().equals(here.layout.relative(kept))), r.toString());
    }

    /**
     * Whoever can write the store can replace a kept peer digest and the peer key kept beside it together: with the
     * pins at hand (outside the store), the kept key must be the pinned one.
     */
    @Test
    void aKeptPeerKeyThatIsNotThePinnedOneIsReported_andItsDigestsAreNotTrusted() throws Exception {
        digests.checkPage("nas", page(), records());
        Path pinDir = hereKeys.resolve("audit-peers");
        assertTrue(verifyWithPins(pinDir).ok(), "the honest records match the pin");

        // the forger re-signs a kept digest with a key of its own and keeps that key beside it
        AuditKeys forger = AuditKeys.loadOrCreate(hereKeys.resolve("forger").resolve("k.key"));
        Path kept = here.layout.peerDigest("pi4", AuditFixture.D1, "pi4");
        Digest g = Digest.parse(Files.readAllBytes(kept));
        Digest forged = new Digest(g.node(), g.date(), g.count(), g.merkleRoot(), g.sealsBytes(), g.sealsSha256(),
                g.sequence(), g.previousDate(), g.previousSha256(), g.closedAt(), g.signer(), forger.keyId(), null);
        Files.write(kept, forged.withSignature(forger.sign(forged.signedBytes())).toBytes());
        for (String name : AuditLayout.names(here.layout.peerDir("pi4"))) {
            if (name.endsWith(".pub")) {
                Files.delete(here.layout.peerDir("pi4").resolve(name));
            }
        }
        Path forgedKey = here.layout.peerKey("pi4", forger.keyId());
        Files.writeString(forgedKey, forger.publicKeyPem());

        // without the pins, the store's own copy vouches for the forgery (and the report says what it trusted)
        AuditReport unpinned = here.verify();
        assertTrue(unpinned.notices().stream().anyMatch(n -> n.kind() == Finding.Kind.KEYS_FROM_STORE
                && n.path().equals(".audit/peers")), unpinned.toString());

        AuditReport r = verifyWithPins(pinDir);
        assertFalse(r.ok());
        Finding key = r.problems().stream().filter(p -> p.kind() == Finding.Kind.PEER_KEY_UNPINNED).findFirst()
                .orElseThrow(() -> new AssertionError(r.toString()));
        assertEquals(here.layout.relative(forgedKey), key.path());
        assertTrue(key.reason().startsWith("peer key in store differs from the pinned key " + pinDir.resolve("nas.pub")),
                key.reason());
        assertTrue(r.problems().stream().anyMatch(p -> p.kind() == Finding.Kind.WRONG_KEY
                && p.path().equals(here.layout.relative(kept))), "the forged digest is not trusted: " + r);

        // a pin named after the signer is the one it is checked against (and named), whatever else is pinned
        Files.writeString(pinDir.resolve("pi4.pub"), peer.keys.publicKeyPem());
        Files.writeString(pinDir.resolve("other.pub"), PeerKeyPinsTest.pem(PeerKeyPinsTest.newKey()));
        AuditReport named = verifyWithPins(pinDir);
        assertTrue(named.problems().stream().anyMatch(p -> p.kind() == Finding.Kind.PEER_KEY_UNPINNED
                && p.reason().startsWith("peer key in store differs from the pinned key " + pinDir.resolve("pi4.pub"))),
                named.toString());
    }

    AuditReport verifyWithPins(Path pinDir) throws IOException {
        return new Verifier(new Verifier.Options(here.store.root(), here.store.root().resolve(".archive"),
                List.of(here.keys.publicKey()), null, null, null, here.anchors.heads(), null, here.store.fileMaxBytes(), 2,
                pinDir), here.store.files()).verify();
    }
}
