package dev.homelab.events.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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
 * The tamper matrix of issue 16: each way of changing the record is found and named, and nothing that happens
 * legitimately (late arrivals, archived days, a restart) is.
 */
class AuditTrailTest {

    @TempDir
    Path root;
    @TempDir
    Path keyDir;

    AuditFixture f;

    @BeforeEach
    void setUp() throws IOException {
        f = new AuditFixture(root, keyDir).standard();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    static Finding only(AuditReport r, Kind kind) {
        List<Finding> of = Stream.concat(r.problems().stream(), r.notices().stream()).filter(x -> x.kind() == kind).toList();
        assertEquals(1, of.size(), "one " + kind + " in " + r);
        return of.get(0);
    }

    static void assertOk(AuditReport r) {
        assertTrue(r.ok(), "no problem expected: " + r.problems());
    }

    @Test
    void untouchedStoreVerifiesWithEveryFileChecked() throws IOException {
        AuditReport r = f.verify();
        assertOk(r);
        assertEquals(10, r.checked());
        assertEquals(4, r.digests());
        assertEquals(4, r.days());
        assertEquals(List.of(), r.notices());
        Digest d2 = Digest.parse(Files.readAllBytes(f.digestOf(AuditFixture.D2, "pi4")));
        assertEquals(3, d2.count());
        assertEquals(2, d2.sequence());
        assertEquals(AuditFixture.D1, d2.previousDate());
        assertEquals(Hashes.sha256Hex(Files.readAllBytes(f.digestOf(AuditFixture.D1, "pi4"))), d2.previousSha256());
    }

    @Test
    void aChangedByteInASealedFileIsReportedOnThatFile() throws IOException {
        String path = f.written.get(4).relativePath();
        byte[] b = Files.readAllBytes(f.file(path));
        b[b.length / 2] ^= 1;
        Files.write(f.file(path), b);

        AuditReport r = f.verify();
        assertFalse(r.ok());
        Finding p = only(r, Kind.MODIFIED);
        assertEquals(path, p.path());
        assertEquals(1, r.problems().size(), r.problems().toString());
    }

    @Test
    void aDeletedSealedFileIsReported() throws IOException {
        String path = f.written.get(0).relativePath();
        Files.delete(f.file(path));

        AuditReport r = f.verify();
        assertEquals(path, only(r, Kind.DELETED).path());
        assertEquals(1, r.problems().size());
    }

    @Test
    void aFileAddedToAClosedDayIsUnsealedUntilTheServerSeesItThenALateArrival() throws IOException {
        String added = f.writeLikeBash(AuditFixture.D2 + "T15:00:00Z", "pi4");

        AuditReport r = f.verify();
        assertFalse(r.ok());
        assertEquals(added, only(r, Kind.UNSEALED).path());

        // the server sees it (the reconciler reads it): sealed after the close, a late arrival, not tampering
        f.clock.set(Instant.parse("2026-11-23T04:00:00Z"));
        f.reconciler.reconcile();
        f.sealer.sealPending();
        r = f.verify();
        assertOk(r);
        Finding late = only(r, Kind.LATE_ARRIVAL);
        assertEquals(added, late.path());
        assertTrue(late.reason().contains("after the day closed"), late.reason());
        assertEquals(11, r.checked(), "late arrivals are still checked against their seals");
    }

    @Test
    void aLateArrivalThatIsChangedAfterItsSealIsStillCaught() throws IOException {
        String added = f.writeLikeBash(AuditFixture.D1 + "T20:00:00Z", "pi4");
        f.sealer.sweep(new AuditLayout.NodeDay(AuditFixture.D1, "pi4"));
        Files.write(f.file(added), "{}\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

        AuditReport r = f.verify();
        assertEquals(added, only(r, Kind.MODIFIED).path());
    }

    @Test
    void filesSealedBeforeTheCloseAreInTheRootWhateverTheirTimestampSays() throws IOException {
        // an offline writer's file for D3 that arrived (and was sealed) before D3 closed: no finding at all
        f.write("2026-11-24T09:00:00Z", "pi4");
        String lateish = f.writeLikeBash("2026-11-24T01:00:00Z", "pi4");
        f.reconciler.reconcile();
        f.sealer.sealPending();
        f.clock.set(Instant.parse("2026-11-25T03:00:00Z"));
        f.closer.run();

        AuditReport r = f.verify();
        assertOk(r);
        assertEquals(List.of(), r.notices());
        Digest d4 = Digest.parse(Files.readAllBytes(f.digestOf("2026-11-24", "pi4")));
        assertEquals(2, d4.count());
        assertTrue(Files.readString(f.sealsOf("2026-11-24", "pi4")).contains(lateish));
    }

    @Test
    void anEditedDigestIsReported() throws IOException {
        Path digest = f.digestOf(AuditFixture.D2, "pi4");
        ObjectNode o = (ObjectNode) Seal.JSON.readTree(Files.readAllBytes(digest));
        o.put("count", 2);
        Files.write(digest, (Seal.JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8));

        AuditReport r = f.verify();
        assertFalse(r.ok());
        Finding p = r.problems().stream().filter(x -> x.kind() == Kind.DIGEST_INVALID).findFirst().orElseThrow();
        assertEquals(".audit/" + AuditFixture.D2 + "/pi4.digest", p.path());
        assertTrue(p.reason().contains("signature does not verify"), p.reason());
        // and its successor no longer chains to it
        assertTrue(r.problems().stream().anyMatch(x -> x.kind() == Kind.CHAIN_BROKEN && x.path().equals(p.path())),
                r.problems().toString());
    }

    @Test
    void aDigestRemovedFromTheMiddleOfTheChainIsReported() throws IOException {
        Files.delete(f.digestOf(AuditFixture.D2, "pi4"));

        AuditReport r = f.verify();
        Finding p = only(r, Kind.DIGEST_MISSING);
        assertEquals(".audit/" + AuditFixture.D2 + "/pi4.digest", p.path());
        assertTrue(p.reason().contains("digest #2 was removed from the middle of the chain"), p.reason());
    }

    @Test
    void aDayRemovedFromTheMiddleOfTheChainIsReported() throws IOException {
        deleteTree(f.root.resolve(AuditFixture.D2).resolve("pi4"));
        Files.delete(f.digestOf(AuditFixture.D2, "pi4"));
        Files.delete(f.sealsOf(AuditFixture.D2, "pi4"));

        AuditReport r = f.verify();
        Finding p = only(r, Kind.DIGEST_MISSING);
        assertTrue(p.reason().startsWith("day " + AuditFixture.D2 + " of pi4 was removed from the middle of the chain"),
                p.reason());
        assertEquals(1, r.problems().size(), r.problems().toString());
    }

    @Test
    void aDigestSignedByAnotherKeyIsReported() throws Exception {
        Path digest = f.digestOf(AuditFixture.D3, "pi4");
        Digest g = Digest.parse(Files.readAllBytes(digest));
        var other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Digest forged = new Digest(g.node(), g.date(), g.count(), g.merkleRoot(), g.sealsBytes(), g.sealsSha256(),
                g.sequence(), g.previousDate(), g.previousSha256(), g.closedAt(), g.signer(),
                AuditKeys.keyId(other.getPublic()), null);
        var s = java.security.Signature.getInstance("Ed25519");
        s.initSign(other.getPrivate());
        s.update(forged.signedBytes());
        Files.write(digest, forged.withSignature(Base64.getEncoder().encodeToString(s.sign())).toBytes());

        AuditReport r = f.verify();
        Finding p = only(r, Kind.WRONG_KEY);
        assertEquals(".audit/" + AuditFixture.D3 + "/pi4.digest", p.path());
        assertTrue(p.reason().startsWith("signed by another key"), p.reason());
    }

    @Test
    void aCoveredSealLineEditedIsReported() throws IOException {
        Path seals = f.sealsOf(AuditFixture.D1, "pi4");
        String text = Files.readString(seals);
        Files.writeString(seals,
                text.replaceFirst("\"sealed_at\":\"2026-11-20T08:00:00Z\"", "\"sealed_at\":\"2026-11-20T07:00:00Z\""));

        AuditReport r = f.verify();
        assertEquals(".audit/" + AuditFixture.D1 + "/pi4.seals", only(r, Kind.SEALS_EDITED).path());
    }

    @Test
    void aSealRecordRemovedFromAClosedDayIsReported() throws IOException {
        Files.delete(f.sealsOf(AuditFixture.D1, "pi4"));

        AuditReport r = f.verify();
        assertFalse(r.ok());
        assertTrue(only(r, Kind.SEALS_EDITED).reason().contains("was removed"));
    }

    @Test
    void theNewestDigestRemovedIsFoundByTheAnchorAndThenByTheChain() throws IOException {
        Files.delete(f.digestOf(AuditFixture.D3, "pi4"));

        AuditReport withAnchor = f.verify();
        Finding p = only(withAnchor, Kind.DIGEST_MISSING);
        assertTrue(p.reason().contains("the newest this server wrote"), p.reason());

        // offline, without the anchor, the store alone looks like an open day; once the server (which remembers
        // the head) closes the next day, the gap is in the chain for everyone to see
        AuditReport offline = f.verify(List.of(f.keys.publicKey()), Map.of());
        assertTrue(offline.ok(), offline.problems().toString());
        f.startSealer();
        f.write("2026-11-23T09:00:00Z", "pi4");
        f.sealer.sealPending();
        f.clock.set(Instant.parse("2026-11-24T03:00:00Z"));
        f.closer.run();
        offline = f.verify(List.of(f.keys.publicKey()), Map.of());
        assertFalse(offline.ok());
        assertTrue(offline.problems().stream().anyMatch(x -> x.kind() == Kind.CHAIN_BROKEN || x.kind() == Kind.DIGEST_MISSING),
                offline.problems().toString());
    }

    @Test
    void aTornLastLineAfterACrashIsANoticeAndTheFileIsSealedAgain() throws IOException {
        f.write("2026-11-23T09:00:00Z", "pi4");
        f.sealer.sealPending();
        var crashed = f.write("2026-11-23T10:00:00Z", "pi4");
        String unsealedAtCrash = crashed.relativePath();
        // the crash: half a line of its seal reached the disk, the process died before the rest
        Path seals = f.sealsOf("2026-11-23", "pi4");
        String line = new String(Seal.of(unsealedAtCrash, Files.readAllBytes(f.file(unsealedAtCrash)), f.clock.instant(),
                crashed.event()).toLine(), StandardCharsets.UTF_8);
        Files.writeString(seals, line.substring(0, line.length() / 2), StandardOpenOption.APPEND);

        AuditReport before = f.verify();
        assertOk(before);
        assertTrue(only(before, Kind.TORN_LINE).reason().contains("at the end"), before.notices().toString());

        f.startSealer(); // the restart: its first run sweeps open days
        f.closer.run();
        AuditReport after = f.verify();
        assertOk(after);
        Finding torn = only(after, Kind.TORN_LINE);
        assertTrue(torn.reason().contains("for " + unsealedAtCrash), torn.reason());
        assertTrue(Files.readString(seals).endsWith("\n"));
        assertEquals(2, SealFile.read(seals).lines().size(), "sealed again, on a line of its own");
        assertFalse(after.notices().stream().anyMatch(x -> x.kind() == Kind.NOT_SEALED_YET), after.notices().toString());

        // closing the day after the crash still gives a valid digest
        f.clock.set(Instant.parse("2026-11-24T03:00:00Z"));
        f.closer.run();
        assertOk(f.verify());
        assertTrue(Files.exists(f.digestOf("2026-11-23", "pi4")));
    }

    @Test
    void filesWrittenWhileTheServerWasDownAreSealedAtTheNextStart() throws IOException {
        String offline = f.writeLikeBash("2026-11-23T07:00:00Z", "pi4");
        f.startSealer();
        f.closer.run();
        assertTrue(Files.readString(f.sealsOf("2026-11-23", "pi4")).contains(offline));
        AuditReport r = f.verify();
        assertOk(r);
        assertTrue(r.notices().stream().anyMatch(x -> x.kind() == Kind.OPEN_DAY), r.notices().toString());
    }

    @Test
    void aClosedDayIsNeverClosedTwiceAndTheChainContinuesAfterARestart() throws IOException {
        byte[] before = Files.readAllBytes(f.digestOf(AuditFixture.D3, "pi4"));
        f.startSealer();
        f.closer.run();
        assertEquals(new String(before, StandardCharsets.UTF_8),
                Files.readString(f.digestOf(AuditFixture.D3, "pi4")));
        f.write("2026-11-23T09:00:00Z", "pi4");
        f.sealer.sealPending();
        f.clock.set(Instant.parse("2026-11-24T03:00:00Z"));
        f.closer.run();
        Digest d4 = Digest.parse(Files.readAllBytes(f.digestOf("2026-11-23", "pi4")));
        assertEquals(4, d4.sequence());
        assertEquals(Hashes.sha256Hex(before), d4.previousSha256());
        assertOk(f.verify());
    }

    @Test
    void anArchivedDayVerifiesFromItsArchiveAndAChangeInsideTheArchiveIsCaught() throws Exception {
        var archiver = new dev.homelab.events.archive.DayArchiver(f.store.files(), f.root.resolve(".archive"),
                new com.fasterxml.jackson.databind.ObjectMapper());
        archiver.archive(java.time.LocalDate.parse(AuditFixture.D1));
        assertFalse(Files.exists(f.root.resolve(AuditFixture.D1)));

        AuditReport r = f.verify();
        assertOk(r);
        assertEquals(10, r.checked(), "archived files are checked too");

        // rewrite the archive with one event changed (and a matching manifest: the archive alone cannot tell)
        Path zip = f.root.resolve(".archive").resolve(AuditFixture.D1 + ".zip");
        var archive = archiver.read(zip);
        String victim = archive.files().keySet().stream().filter(p -> p.endsWith(".json")).findFirst().orElseThrow();
        deleteTree(zip);
        Path restoreTo = f.root.resolve(victim);
        Files.createDirectories(restoreTo.getParent());
        for (var e : archive.files().entrySet()) {
            Files.write(f.root.resolve(e.getKey()), e.getKey().equals(victim)
                    ? new String(e.getValue(), StandardCharsets.UTF_8).replace("\"info\"", "\"error\"")
                            .getBytes(StandardCharsets.UTF_8)
                    : e.getValue());
        }
        archiver.archive(java.time.LocalDate.parse(AuditFixture.D1));
        r = f.verify();
        Finding p = only(r, Kind.MODIFIED);
        assertEquals(victim, p.path());
        assertTrue(p.reason().startsWith("archived copy"), p.reason());
    }

    @Test
    void aDayIsRemovedByTheArchiverOnlyWhenItVerifies() throws Exception {
        var archiver = new DayArchiver(f.store.files(), f.root.resolve(".archive"), new ObjectMapper());
        archiver.addRemovalGuard(new ArchiveGuard(f::verifyDay, f.layout, () -> List.of(f.keys.publicKey())));
        String path = f.written.get(1).relativePath();
        byte[] original = Files.readAllBytes(f.file(path));
        Files.writeString(f.file(path), new String(original, StandardCharsets.UTF_8).replace("\"web\"", "\"wab\""));

        ConflictException refused = assertThrows(ConflictException.class,
                () -> archiver.archive(LocalDate.parse(AuditFixture.D1)));
        assertEquals("date", refused.errors().get(0).field());
        assertTrue(refused.getMessage().contains(path), refused.getMessage());
        assertTrue(Files.exists(f.file(path)), "the day stays live");
        assertFalse(Files.exists(f.root.resolve(".archive").resolve(AuditFixture.D1 + ".zip")), "and no archive is written");
        assertEquals(3, f.written.stream().filter(w -> Files.exists(f.file(w.relativePath()))
                && w.relativePath().startsWith(AuditFixture.D1)).count());

        Files.write(f.file(path), original);
        assertEquals("archived", archiver.archive(LocalDate.parse(AuditFixture.D1)).outcome());
        assertFalse(Files.exists(f.file(path)));
        assertOk(f.verify());
    }

    @Test
    void aSealForAFileOfAnotherNodeDayIsASealsEditedProblem() throws IOException {
        assertTrue(DayCheck.isFileOf("2026-11-20/pi4/", "2026-11-20/pi4/a.json"));
        assertFalse(DayCheck.isFileOf("2026-11-20/pi4/", "2026-11-20/pi4/"));
        assertFalse(DayCheck.isFileOf("2026-11-20/pi4/", "2026-11-20/pi4/x/a.json"));
        assertFalse(DayCheck.isFileOf("2026-11-20/pi4/", "2026-11-20/pi40/a.json"));
        // a seal line of pi5's day put into pi4's (not covered by the digest: appended after it)
        String foreign = Files.readString(f.sealsOf(AuditFixture.D2, "pi5"));
        Files.writeString(f.sealsOf(AuditFixture.D1, "pi4"), foreign, StandardOpenOption.APPEND);
        AuditReport r = f.verify();
        assertTrue(r.problems().stream().anyMatch(p -> p.kind() == Kind.SEALS_EDITED
                && p.reason().contains("which is not a file of " + AuditFixture.D1 + "/pi4")), r.toString());
    }

    @Test
    void verifyingADateRangeChecksOnlyThoseDays() throws IOException {
        Files.delete(f.file(f.written.get(0).relativePath())); // D1
        AuditReport r = new Verifier(new Verifier.Options(f.store.root(), null, List.of(f.keys.publicKey()),
                java.time.LocalDate.parse(AuditFixture.D2), null, "pi4", Map.of(), null, f.store.fileMaxBytes(), 1),
                f.store.files()).verify();
        assertOk(r);
        assertEquals(6, r.checked());
        assertEquals(2, r.days());
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
