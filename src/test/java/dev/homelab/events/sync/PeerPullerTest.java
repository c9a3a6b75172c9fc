package dev.homelab.events.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.Event;

/** The puller against a peer over real HTTP, with real stores on both sides. */
class PeerPullerTest {

    @TempDir
    Path peerRoot;
    @TempDir
    Path localRoot;

    private FakePeer peer;
    private Fixtures.Node local;
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T00:00:00Z"));
    private final RecordingAnnouncer announcer = new RecordingAnnouncer();
    private final PeerPuller.Settings settings = new PeerPuller.Settings(Duration.ofSeconds(5), 4, Duration.ofSeconds(1),
            Duration.ofSeconds(8), Duration.ofSeconds(60));

    @BeforeEach
    void start() throws IOException {
        peer = new FakePeer(peerRoot, "peer-node");
        local = Fixtures.Node.at(localRoot);
    }

    @AfterEach
    void stop() {
        peer.close();
    }

    private PeerPuller puller() {
        return new PeerPuller("nas", peer.url(), Optional.of("secret"), Optional.empty(), HttpClient.newHttpClient(),
                new Importer(local.writer(), Importer.ArchiveLookup.NONE), Fixtures.MAPPER,
                localRoot.resolve(".sync/peers/nas.json"), announcer, settings, now::get);
    }

    private PeerPuller pullerWithKeyCheck(PeerKeyCheck check) {
        return new PeerPuller("nas", peer.url(), Optional.of("secret"), Optional.empty(), HttpClient.newHttpClient(),
                new Importer(local.writer(), Importer.ArchiveLookup.NONE), Fixtures.MAPPER,
                localRoot.resolve(".sync/peers/nas.json"), announcer, settings, now::get, List.of(check));
    }

    @Test
    void aPullRefusedByTheKeyCheckImportsNothingAndSaysWhy() throws IOException {
        emitOnPeer(5, Instant.parse("2026-05-30T00:00:00Z"));
        peer.auditPem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n";
        List<String> seen = new ArrayList<>();
        PeerPuller.RunResult refused = pullerWithKeyCheck((name, pem) -> {
            seen.add(name + ":" + pem);
            throw new PeerKeyCheck.Refused("peer " + name + " presents another audit key");
        }).pull();
        assertEquals(List.of("nas:" + peer.auditPem), seen, "the check gets the key the peer publishes");
        assertFalse(refused.ok());
        assertEquals("peer nas presents another audit key", refused.error());
        assertEquals(0, refused.pages());
        assertEquals(0, Fixtures.files(localRoot).size(), "nothing imported");
        assertEquals(0, peer.pagesServed.get(), "no page even asked for");

        // a peer without an audit trail (404): the check is told so, and may let the pull go on
        peer.auditPem = null;
        seen.clear();
        PeerPuller.RunResult ok = pullerWithKeyCheck((name, pem) -> seen.add(name + ":" + pem)).pull();
        assertTrue(ok.ok(), ok.error());
        assertEquals(List.of("nas:null"), seen);
        assertEquals(5, ok.written());
    }

    private void emitOnPeer(int n, Instant from) throws IOException {
        for (int i = 0; i < n; i++) {
            peer.node.emit(from.plusSeconds(i * 3600L), "peer-node", null);
        }
    }

    @Test
    void aSyncInterruptedByAKilledPeerResumesWithoutLossOrDuplication() throws IOException {
        emitOnPeer(25, Instant.parse("2026-05-30T00:00:00Z"));
        peer.dieAfterPages = 3;
        PeerPuller.RunResult first = puller().pull();
        assertFalse(first.ok());
        assertEquals(12, Fixtures.files(localRoot).size(), "three pages of four were imported before the peer died");

        // this node crashes mid-page too: the first two files of the next page are already here
        ExportPage next = peer.exporter.export(SyncCursor.decode(readCursor()).orElseThrow(), 4);
        Importer importer = new Importer(local.writer(), Importer.ArchiveLookup.NONE);
        importer.importItem(next.items().get(0));
        importer.importItem(next.items().get(1));

        peer.revive();
        // while it was away the peer received late events with old timestamps (from an offline node)
        emitOnPeer(3, Instant.parse("2026-01-01T00:00:00Z"));
        PeerPuller again = puller(); // a restarted node: state comes from the file
        PeerPuller.RunResult second = again.pull();
        assertTrue(second.ok(), second.error());
        assertEquals(2, second.identical(), "the interrupted page came again and its stored files were skipped");
        assertEquals(28 - 12 - 2, second.written());
        assertSameFiles();
        assertEquals(28, local.index().size());
        assertEquals(26, again.status().eventsPulled(), "12 + 14 written by the puller; 2 were written by hand above");
        assertEquals(0, again.status().lagEvents());

        PeerPuller.RunResult third = again.pull();
        assertEquals(0, third.written() + third.identical(), "nothing new: the cursor is at the end");
    }

    @Test
    void conflictsAreReportedAndNeverOverwrite() throws IOException {
        emitOnPeer(3, Instant.parse("2026-05-30T00:00:00Z"));
        List<String> paths = new ArrayList<>(Fixtures.files(peerRoot).keySet());
        // same path, different content
        Path clash = Path.of(paths.get(0));
        byte[] theirs = Files.readAllBytes(peerRoot.resolve(clash));
        byte[] mine = new String(theirs, StandardCharsets.UTF_8).replace("\"web\"", "\"db\"").getBytes(StandardCharsets.UTF_8);
        local.store().importFile(clash, mine);
        // same id, another path (another timestamp)
        Path second = Path.of(paths.get(1));
        String name = second.getFileName().toString();
        Event moved = Fixtures.event(Instant.parse("2026-05-29T10:00:00Z"), "peer-node", null);
        Event sameId = new Event(java.util.UUID.fromString(name.substring(name.length() - 41, name.length() - 5)),
                moved.timestamp(),
                moved.node(), moved.type(), moved.severity(), moved.source(), moved.service(), moved.correlationId(),
                moved.payload(),
                Map.of());
        local.writer().append(sameId);

        PeerPuller p = puller();
        PeerPuller.RunResult r = p.pull();
        assertTrue(r.ok(), r.error());
        assertEquals(2, r.conflicts());
        assertEquals(1, r.written());
        assertArrayEquals(mine, Files.readAllBytes(localRoot.resolve(clash)), "the local file is kept");
        assertFalse(Files.exists(localRoot.resolve(second)));
        assertEquals(2, p.status().conflicts());
        assertTrue(p.status().recentConflicts().stream().anyMatch(c -> c.contains(clash.toString())));

        PeerPuller.RunResult again = p.pull();
        assertEquals(0, again.conflicts() + again.written(), "conflicts are not retried forever: the cursor moved past them");
    }

    @Test
    void aPeerSilentLongerThanTheWindowIsOfflineOnceAndOnlineOnceAcrossRestarts() throws IOException {
        emitOnPeer(1, Instant.parse("2026-05-30T00:00:00Z"));
        PeerPuller p = puller();
        assertTrue(p.pull().ok());
        assertEquals("peer-node", p.status().node(), "the node name is learned from the peer");
        peer.dead = true;
        for (int s = 0; s <= 120; s += 10) {
            p.tick();
            now.set(now.get().plusSeconds(10));
        }
        assertEquals(List.of("node_offline peer-node"), announcer.summary());
        assertEquals("offline", p.status().state());

        PeerPuller restarted = puller();
        restarted.tick();
        now.set(now.get().plusSeconds(30));
        restarted.tick();
        assertEquals(1, announcer.recorded.size(), "a restart does not record the outage again");

        peer.revive();
        now.set(now.get().plusSeconds(30)); // past the backoff
        restarted.tick();
        restarted.tick();
        puller().pull();
        assertEquals(List.of("node_offline peer-node", "node_online peer-node"), announcer.summary());
        assertEquals(announcer.recorded.get(0).correlationId(), announcer.recorded.get(1).correlationId(),
                "both transitions of one outage share a correlation id");
        assertEquals("online", puller().status().state());
    }

    @Test
    void aTransitionInterruptedBeforeItsEventIsRecordedAfterRestartExactlyOnce() throws IOException {
        PeerPuller p = puller();
        peer.dead = true;
        announcer.failNext.set(1); // the node dies while writing node_offline
        p.tick();
        now.set(now.get().plusSeconds(61));
        p.tick();
        assertTrue(announcer.recorded.isEmpty());
        puller().tick(); // restart: the pending transition is finished
        puller().tick();
        assertEquals(1, announcer.recorded.size());
        assertEquals("node_offline", announcer.recorded.get(0).type());
        assertEquals("nas", announcer.recorded.get(0).node(), "never reached: the peer's name stands in for its node");
    }

    @Test
    void aPeerThatAnswersWithErrorsIsFailingButNotOffline() throws IOException {
        emitOnPeer(1, Instant.parse("2026-05-30T00:00:00Z"));
        PeerPuller p = puller();
        assertTrue(p.pull().ok());
        peer.dead = true;
        for (int s = 0; s <= 70; s += 10) {
            p.tick();
            now.set(now.get().plusSeconds(10));
        }
        assertEquals(List.of("node_offline peer-node"), announcer.summary());
        peer.dead = false;
        peer.failWithStatus = 401; // back, but refusing our token: it answers, so it is online
        PeerPuller.RunResult r = p.pull();
        assertFalse(r.ok());
        assertTrue(r.error().contains("token"), r.error());
        assertEquals(List.of("node_offline peer-node", "node_online peer-node"), announcer.summary());
        for (int s = 0; s <= 120; s += 10) {
            p.tick();
            now.set(now.get().plusSeconds(10));
        }
        assertEquals(2, announcer.recorded.size(), "errors for longer than the window are not silence");
        assertEquals("failing", p.status().state());
    }

    @Test
    void backsOffExponentiallyWhileUnreachable() {
        peer.dead = true;
        PeerPuller p = puller();
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            p.pull();
            waits.add(Duration.between(now.get(), p.status().nextAttempt()).toSeconds());
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 8L, 8L), waits);
        int before = peer.pagesServed.get();
        assertTrue(p.tick().isEmpty(), "no attempt while backing off");
        assertEquals(before, peer.pagesServed.get());
    }

    private String readCursor() throws IOException {
        return Fixtures.MAPPER.readTree(localRoot.resolve(".sync/peers/nas.json").toFile()).path("cursor").asText();
    }

    private void assertSameFiles() throws IOException {
        Map<String, byte[]> a = Fixtures.files(peerRoot);
        Map<String, byte[]> b = Fixtures.files(localRoot);
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
    }

    record Announcement(String type, String node, String correlationId) {
    }

    static final class RecordingAnnouncer implements PeerPuller.Announcer {
        final List<Announcement> recorded = new ArrayList<>();
        final AtomicInteger failNext = new AtomicInteger();

        @Override
        public boolean alreadyRecorded(String correlationId, String type) {
            return recorded.stream().anyMatch(a -> a.correlationId().equals(correlationId) && a.type().equals(type));
        }

        @Override
        public void record(String type, String node, String correlationId, Map<String, Object> payload) {
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("simulated crash while writing");
            }
            recorded.add(new Announcement(type, node, correlationId));
        }

        List<String> summary() {
            return recorded.stream().map(a -> a.type() + " " + a.node()).toList();
        }
    }
}
