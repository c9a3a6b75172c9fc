package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Names;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.archive.ArchiveService;
import dev.homelab.events.config.ArchiveConfig;
import dev.homelab.events.config.AuditConfig;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventWriter;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.IndexRefresher;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventFileName;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.sync.LocalNode;
import dev.homelab.events.sync.SyncService;

/**
 * The audit trail of this server (docs/audit.md): seals every event file it writes or sees ({@link Sealer}),
 * closes node-days with signed digests ({@link DayCloser}, every {@code homelab.audit.close-interval} on the
 * scheduler), and answers what the faces ask: verification ({@link Verifier}), inclusion proofs
 * ({@link Proofs}) and the public key. The REST resource and the agent tool call it directly.
 */
@ApplicationScoped
public class AuditService {

    private static final Logger LOG = Logger.getLogger(AuditService.class);

    @Inject
    AuditConfig config;
    @Inject
    ArchiveConfig archiveConfig;
    @Inject
    ArchiveService archives;
    @Inject
    EventStore store;
    @Inject
    EventWriter writer;
    @Inject
    Reconciler reconciler;
    @Inject
    EventIndex index;
    @Inject
    IndexRefresher refresher;
    @Inject
    LocalNode localNode;
    @Inject
    SyncService sync;
    @Inject
    MeterRegistry metrics;

    private AuditLayout layout;
    private volatile AuditKeys keys;
    private volatile Sealer sealer;
    private volatile DayCloser closer;
    private volatile Anchors anchors;
    private volatile Path peerPins;
    private volatile boolean running;

    /** Before the index's first scan starts (APPLICATION priority), so every file it reads is handed over. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION - 100) StartupEvent ev) throws IOException {
        layout = new AuditLayout(store.root());
        if (!config.enabled()) {
            LOG.info("Audit trail disabled (homelab.audit.enabled=false): nothing is sealed; verify checks what exists");
            return;
        }
        Path keyFile = keyFile(config.keyFile(), System.getenv(), Path.of(System.getProperty("user.home")));
        boolean existed = Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS);
        try {
            keys = AuditKeys.loadOrCreate(keyFile);
        } catch (IOException | RuntimeException e) {
            // the events matter more than their seals: serve them, and say loudly what is missing and how to fix it
            LOG.errorf("Audit trail OFF: the signing key %s cannot be %s (%s). Nothing is sealed until it can: set "
                    + "HOMELAB_AUDIT_KEY_FILE to a file this user can create, outside the event store", keyFile,
                    existed ? "read" : "created", e.toString());
            return;
        }
        if (!existed) {
            LOG.infof("Audit: created the Ed25519 signing key %s (mode 0600, key id %s); keep it out of the store and "
                    + "back it up apart from it", keyFile, Verifier.shortId(keys.keyId()));
        } else if (AuditKeys.tooOpen(keyFile)) {
            LOG.warnf("Audit: the signing key %s can be read by others than its owner: chmod 600 it", keyFile);
        }
        String signer = localNode.nodeName();
        publishPublicKey(signer);
        Path anchorFile = Anchors.fileFor(keyFile, store.root());
        try {
            anchors = new Anchors(anchorFile, store.root());
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Audit: the chain heads %s are unreadable (%s); starting from the store's own chain", anchorFile,
                    e.toString());
            Files.deleteIfExists(anchorFile);
            anchors = new Anchors(anchorFile, store.root());
        }
        // peers' audit keys, pinned on first contact beside this node's key (outside the store)
        peerPins = keyFile.getParent().resolve("audit-peers");
        PeerKeyPins pins = new PeerKeyPins(peerPins);
        sync.addPeerKeyCheck(pins);
        // then each page against the peer's signed digests, before anything of it is imported
        sync.addPeerKeyCheck(new PeerDigests(pins, layout));
        Sealer s = new Sealer(layout, store.files(), Clock.systemUTC(), config.queueCapacity());
        closer = new DayCloser(layout, s, keys, signer, config.grace(), Clock.systemUTC(), anchors);
        sealer = s;
        writer.addListener(s);
        reconciler.addListener(s);
        archives.addRemovalGuard(new ArchiveGuard(day -> {
            // files the server has not sealed yet are sealed now (late arrivals, as the watcher would make them);
            // what is refused is a file changed or removed after its seal, or a broken digest or chain
            for (AuditLayout.NodeDay d : layout.nodeDays()) {
                if (d.day().equals(day)) {
                    s.sweep(d);
                }
            }
            sealNow();
            return verifyDays(day, day, null);
        }, layout, () -> List.of(keys.publicKey())));
        // the first scan of a store the audit trail never saw hands over every file: hash them once it is built,
        // and sweep (what did not fit the queue) right then rather than at the next scheduled run
        s.holdWhile(() -> !refresher.ready());
        s.start(config.sealWindow());
        refresher.afterFirstBuild(() -> {
            if (refresher.ready()) {
                closeDueDays();
            }
        });
        FunctionCounter.builder("homelab.audit.sealed", s, Sealer::sealedCount)
                .description("Event files sealed into the audit trail").register(metrics);
        FunctionCounter.builder("homelab.audit.seal.dropped", s, Sealer::droppedCount)
                .description("Files that found the seal queue full; their day is swept instead").register(metrics);
        Gauge.builder("homelab.audit.seal.queue", s, Sealer::queued).description("Files waiting for their seal")
                .register(metrics);
        running = true;
        LOG.infof("Audit trail on: sealing into %s, days close %s after midnight UTC, signer %s (key id %s)",
                layout.dir(), config.grace(), signer, Verifier.shortId(keys.keyId()));
    }

    /** The key file: configured, else {@code $XDG_CONFIG_HOME/homelab-events/audit-ed25519.key} (~/.config by default). */
    static Path keyFile(Optional<String> configured, Map<String, String> env, Path home) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return Path.of(configured.get()).toAbsolutePath().normalize();
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config");
        return base.resolve("homelab-events").resolve("audit-ed25519.key").toAbsolutePath().normalize();
    }

    private void publishPublicKey(String signer) throws IOException {
        if (keys.publish(layout, signer)) {
            LOG.warnf("Audit: %s held another public key; it now holds this node's (key id %s). Digests signed by the "
                    + "old key verify only with that key", layout.relative(layout.publicKey(signer)),
                    Verifier.shortId(keys.keyId()));
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        Sealer s = sealer;
        if (s != null) {
            s.close();
        }
    }

    /** Closes due node-days and sweeps what needs it; the scheduler calls it, tests may too. Returns the digests written. */
    public int closeDueDays() {
        DayCloser c = closer;
        if (c == null || !running) {
            return 0;
        }
        try {
            return c.run().size();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Audit: closing days failed (%s); trying again at the next run", e.toString());
            return 0;
        }
    }

    @Scheduled(identity = "audit-close", every = "${homelab.audit.close-interval:PT1M}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Off.class)
    void scheduledClose() {
        closeDueDays();
    }

    /**
     * Skips scheduled runs while the audit trail is off, and while the index is first built: the first run sweeps
     * every open node-day, which on a store never sealed means hashing every file, on the cores the scan needs.
     */
    @Singleton
    public static class Off implements Scheduled.SkipPredicate {
        @Inject
        AuditConfig config;
        @Inject
        IndexRefresher refresher;

        @Override
        public boolean test(ScheduledExecution execution) {
            return !config.enabled() || !refresher.ready();
        }
    }

    /** Seals what is queued now (the consumer thread does it within one window anyway). */
    public void sealNow() {
        Sealer s = sealer;
        if (s != null) {
            try {
                s.sealPending();
            } catch (IOException e) {
                LOG.warnf("Audit: sealing failed (%s)", e.toString());
            }
        }
    }

    /**
     * Verifies the store against its audit trail: every node-day whose date lies in [since, until] (UTC dates,
     * inclusive; null for no bound), one node or all. Digests are checked against this node's public key.
     */
    public AuditReport verify(String since, String until, String node) {
        LocalDate from = day("since", since);
        LocalDate to = day("until", until);
        if (node != null && !node.isBlank() && !Names.isValidNode(node)) {
            throw new InvalidInputException("node", node, "is not a valid node name (a hostname)");
        }
        if (from != null && to != null && to.isBefore(from)) {
            throw new InvalidInputException("until", until, "is before since (" + since + ")");
        }
        DayCloser c = closer;
        if (c != null && running && !c.hasRun()) {
            // just after a start, files written while the server was down (or whose seals a crash lost) are not sealed
            // until the first run has swept them: do it now rather than report them
            closeDueDays();
        }
        sealNow();
        try {
            return verifyDays(from, to, node == null || node.isBlank() ? null : node);
        } catch (IOException e) {
            throw new StoreUnavailableException("the store could not be read for verification: " + e.getMessage(), false, e);
        }
    }

    private AuditReport verifyDays(LocalDate from, LocalDate to, String node) throws IOException {
        AuditKeys k = keys;
        List<PublicKey> trusted = k == null ? List.of() : List.of(k.publicKey());
        Anchors a = anchors;
        LocalDate expiredBefore = archiveConfig.deleteArchivesAfterDays()
                .map(n -> LocalDate.now(ZoneOffset.UTC).minusDays(n)).orElse(null);
        Verifier.Options options = new Verifier.Options(store.root(), archives.archiveDir(), trusted, from, to, node,
                a == null ? Map.of() : a.heads(), expiredBefore, store.fileMaxBytes(),
                Runtime.getRuntime().availableProcessors(), peerPins);
        return new Verifier(options, store.files()).verify();
    }

    /**
     * The audit record of a closed node-day, as a sync peer fetches it ({@code GET /api/audit/days/{date}/{node}}):
     * the digest file's text and the seal record's bytes (base64). {@link NotFoundException} while the day is open.
     */
    public AuditDay dayRecord(String date, String node) {
        if (date == null || !EventFileName.isDateDirectory(date)) {
            throw new InvalidInputException("date", date, "is not a date (yyyy-MM-dd)");
        }
        if (node == null || !EventFileName.isNodeDirectory(node)) {
            throw new InvalidInputException("node", node, "is not a valid node name (a hostname)");
        }
        try {
            return AuditDay.read(layout(), date, node).orElseThrow(() -> new NotFoundException("no digest for " + date
                    + "/" + node + ": the day is not closed here"));
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read the audit record of " + date + "/" + node + ": " + e, false, e);
        }
    }

    /** The inclusion proof of a live event; {@link NotFoundException} for an id the index does not hold. */
    public ProofResult proof(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("id", id, "is not a UUID");
        }
        IndexEntry entry = index.get(uuid).orElseThrow(() -> new NotFoundException("no event with id " + id));
        AuditKeys k = keys;
        try {
            return Proofs.prove(layout(), uuid.toString(), entry.relativePath(), k == null ? null : k.publicKeyPem());
        } catch (IOException e) {
            throw new StoreUnavailableException("the audit record could not be read: " + e.getMessage(), false, e);
        }
    }

    public PublicKeyInfo publicKey() {
        AuditKeys k = keys;
        if (k == null) {
            throw new NotFoundException("the audit trail is disabled on this node (homelab.audit.enabled=false)");
        }
        String node = localNode.nodeName();
        return new PublicKeyInfo(node, AuditKeys.ALGORITHM, k.keyId(), k.publicKeyPem(),
                layout.relative(layout.publicKey(node)));
    }

    private AuditLayout layout() {
        return layout != null ? layout : new AuditLayout(store.root());
    }

    /** A UTC date from {@code yyyy-MM-dd} or an ISO 8601 date-time with an offset. */
    static LocalDate day(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeException e) {
            try {
                return OffsetDateTime.parse(value).atZoneSameInstant(ZoneOffset.UTC).toLocalDate();
            } catch (DateTimeException e2) {
                try {
                    return LocalDate.ofInstant(Instant.parse(value), ZoneOffset.UTC);
                } catch (DateTimeException e3) {
                    throw new InvalidInputException(field, value, "is not a date (yyyy-MM-dd) or an ISO 8601 date-time");
                }
            }
        }
    }
}
