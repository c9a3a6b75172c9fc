package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventWriter;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventStore;

/**
 * A store with its audit trail, wired as the server wires it (writer and reconciler tell the sealer), on a
 * clock the test moves. {@link #standard()} writes three days of pi4 and one of pi5 and closes them all.
 */
final class AuditFixture implements AutoCloseable {

    static final String D1 = "2026-11-20";
    static final String D2 = "2026-11-21";
    static final String D3 = "2026-11-22";
    static final Duration GRACE = Duration.ofHours(2);

    final Path root;
    final Path keyFile;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T08:00:00Z"));
    final EventStore store;
    final EventIndex index = new EventIndex();
    final EventWriter writer;
    final Reconciler reconciler;
    final AuditLayout layout;
    final AuditKeys keys;
    final Anchors anchors;
    Sealer sealer;
    DayCloser closer;
    final List<EventWriter.Written> written = new ArrayList<>();

    AuditFixture(Path root, Path keyDir) throws IOException {
        this.root = root;
        this.keyFile = keyDir.resolve("audit-ed25519.key");
        this.store = TestEvents.store(root);
        this.writer = new EventWriter(store, index);
        this.reconciler = new Reconciler(store, index, 1);
        this.layout = new AuditLayout(store.root());
        this.keys = AuditKeys.loadOrCreate(keyFile);
        keys.publish(layout, "pi4");
        this.anchors = new Anchors(Anchors.fileFor(keyFile, store.root()), store.root());
        startSealer();
        writer.addListener((p, e, b) -> sealer.eventFileSeen(p, e, b));
        reconciler.addListener((p, e, b) -> sealer.eventFileSeen(p, e, b));
    }

    /** A new sealer and closer, as after a restart (the old ones are dropped without a clean close). */
    void startSealer() {
        sealer = new Sealer(layout, store.files(), clock, 1024);
        closer = new DayCloser(layout, sealer, keys, "pi4", GRACE, clock, anchors);
    }

    /** Three days of pi4 (three events each) and one of pi5, sealed as written, all closed. */
    AuditFixture standard() throws IOException {
        for (String date : List.of(D1, D2, D3)) {
            for (int h = 10; h <= 12; h++) {
                write(date + "T" + h + ":00:00Z", "pi4"); // 10, 11, 12 o'clock
            }
        }
        write(D2 + "T12:00:00Z", "pi5");
        sealer.sealPending();
        clock.set(Instant.parse("2026-11-23T03:00:00Z"));
        closer.run();
        return this;
    }

    EventWriter.Written write(String at, String node) throws IOException {
        Event e = TestEvents.event("deployment_started", node, "web", "c-" + at, Instant.parse(at));
        EventWriter.Written w = writer.append(e);
        written.add(w);
        return w;
    }

    /** Writes an event file as bash would: plain bytes under the layout, unseen by the server. */
    String writeLikeBash(String at, String node) throws IOException {
        Event e = TestEvents.event("healthcheck_failed", node, "web", "bash-" + at, Instant.parse(at));
        Path rel = store.relativePathOf(e);
        Files.createDirectories(root.resolve(rel).getParent());
        Files.write(root.resolve(rel), store.codec().toBytes(e));
        return rel.toString();
    }

    Path file(String relative) {
        return root.resolve(relative);
    }

    Path digestOf(String date, String node) {
        return layout.digest(date, node);
    }

    Path sealsOf(String date, String node) {
        return layout.seals(date, node);
    }

    /** Verification as the server does it: against its own key, with its anchors. */
    AuditReport verify() throws IOException {
        return verify(List.of(keys.publicKey()), anchors.heads());
    }

    /** One day, every node, as the archiver's guard asks for it. */
    AuditReport verifyDay(java.time.LocalDate day) throws IOException {
        return new Verifier(new Verifier.Options(store.root(), store.root().resolve(".archive"), List.of(keys.publicKey()),
                day, day, null, anchors.heads(), null, store.fileMaxBytes(), 2), store.files()).verify();
    }

    AuditReport verify(List<PublicKey> trusted, Map<String, ChainHead> heads) throws IOException {
        return new Verifier(new Verifier.Options(store.root(), store.root().resolve(".archive"), trusted, null, null, null,
                heads, null, store.fileMaxBytes(), 2), store.files()).verify();
    }

    @Override
    public void close() {
        sealer.close();
        reconciler.close();
    }

    /** A clock a test sets. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void set(Instant at) {
            now = at;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
