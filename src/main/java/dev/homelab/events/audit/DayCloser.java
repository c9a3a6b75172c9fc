package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventFiles;

/**
 * Closes node-days: once a day's grace period past midnight UTC is over, its directory is swept (every event
 * file sealed), and a signed {@link Digest} over its seal record is written, chained to the node's previous
 * digest. Days close oldest first, so a chain follows the dates except for days that first appear after later
 * ones closed (an old day brought by sync), which join the chain when they close.
 *
 * <p>
 * The first run after start also sweeps every open node-day (files written while the server was down, seals a
 * crash lost) and every closed one whose directory changed after it closed (late arrivals the index had already
 * seen before the crash). Later runs sweep open days only when something was dropped.
 *
 * <p>
 * Thread-safety: {@link #run} is synchronized; the sealer's lock keeps appends out while a digest is computed.
 */
final class DayCloser {

    private static final Logger LOG = Logger.getLogger(DayCloser.class);

    private final AuditLayout layout;
    private final Sealer sealer;
    private final AuditKeys keys;
    private final String signer;
    private final Duration grace;
    private final Clock clock;
    private final Anchors anchors;
    private final Map<String, ChainHead> heads = new HashMap<>();
    private final Set<NodeDay> closed = new HashSet<>();
    private boolean started;

    DayCloser(AuditLayout layout, Sealer sealer, AuditKeys keys, String signer, Duration grace, Clock clock, Anchors anchors) {
        this.layout = layout;
        this.sealer = sealer;
        this.keys = keys;
        this.signer = AuditLayout.checkNode(signer);
        this.grace = grace;
        this.clock = clock;
        this.anchors = anchors;
    }

    /** When a node-day closes: midnight UTC after it, plus the grace period. */
    Instant closesAt(NodeDay d) {
        return d.day().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(grace);
    }

    /** True once a first run (the one that sweeps every open node-day) has completed. */
    synchronized boolean hasRun() {
        return started;
    }

    /** Sweeps what needs it and closes every due node-day, oldest first. Returns the digests written. */
    synchronized List<Digest> run() throws IOException {
        if (!started) {
            loadHeads();
        }
        Instant now = clock.instant();
        List<Digest> written = new ArrayList<>();
        for (NodeDay d : layout.nodeDays()) {
            try {
                if (closed.contains(d) || Files.exists(layout.digest(d.date(), d.node()), LinkOption.NOFOLLOW_LINKS)) {
                    if ((!started && changedSinceClosed(d)) || sealer.isDirty(d)) {
                        sealer.sweep(d); // late arrivals: sealed after the digest, reported as such
                    }
                    closed.add(d);
                    continue;
                }
                boolean due = !closesAt(d).isAfter(now);
                if (due || !started || sealer.isDirty(d)) {
                    sealer.sweep(d);
                }
                if (due) {
                    sealer.sealPending();
                    Digest g = close(d);
                    if (g != null) {
                        written.add(g);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Audit: node-day %s not sealed or closed now (%s); trying again at the next run", d, e.toString());
            }
        }
        started = true;
        return written;
    }

    /** True when the node-day's directory changed after its digest was written (a file added since). */
    private boolean changedSinceClosed(NodeDay d) throws IOException {
        Path dir = layout.root().resolve(d.date()).resolve(d.node());
        Path digest = layout.digest(d.date(), d.node());
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !Files.exists(digest, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        FileTime dirTime = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS);
        FileTime closedTime = Files.getLastModifiedTime(digest, LinkOption.NOFOLLOW_LINKS);
        // a second of slack: file systems with coarse times
        return dirTime.toInstant().isAfter(closedTime.toInstant().minusSeconds(1));
    }

    /**
     * Writes the digest of one node-day from its seal record as it is now: every sealed file, once, in listing
     * order. Returns null when nothing was sealed (a directory of files that are not events).
     */
    private Digest close(NodeDay d) throws IOException {
        return sealer.withRecord(d, contents -> {
            if (contents.lines().isEmpty()) {
                return null;
            }
            List<Seal> leaves = contents.leaves(contents.length());
            List<byte[]> hashes = new ArrayList<>(leaves.size());
            for (Seal s : leaves) {
                hashes.add(s.leafHash());
            }
            ChainHead prev = heads.get(d.node());
            Digest unsigned = new Digest(d.node(), d.date(), leaves.size(), Hashes.hex(Merkle.root(hashes)),
                    contents.length(), Hashes.hex(Hashes.sha256(contents.bytes())), prev == null ? 1 : prev.sequence() + 1,
                    prev == null ? null : prev.date(), prev == null ? null : prev.sha256(), clock.instant(), signer,
                    keys.keyId(), null);
            Digest signed = unsigned.withSignature(keys.sign(unsigned.signedBytes()));
            byte[] bytes = signed.toBytes();
            Path target = layout.digest(d.date(), d.node());
            layout.createParents(target);
            Path temp = DurableFiles.writeTemp(target, bytes, DurableFiles.FSYNC);
            DurableFiles.linkNew(temp, target); // COMMIT POINT: a digest is never replaced
            DurableFiles.forceDirectory(target.getParent());
            ChainHead head = new ChainHead(signed.sequence(), d.date(), Hashes.sha256Hex(bytes));
            heads.put(d.node(), head);
            closed.add(d);
            if (anchors != null) {
                anchors.record(d.node(), head);
            }
            LOG.infof("Audit: closed %s: %d event files, Merkle root %s, digest #%d", d, signed.count(),
                    signed.merkleRoot().substring(0, 16), signed.sequence());
            return signed;
        });
    }

    /** Finds each node's newest digest in the store (the chain continues from it), and warns when the anchor is ahead. */
    private void loadHeads() throws IOException {
        heads.clear();
        for (NodeDay d : layout.recorded()) {
            Path file = layout.digest(d.date(), d.node());
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            byte[] bytes = EventFiles.readAtMost(file, 1 << 20);
            Digest g;
            try {
                g = Digest.parse(bytes);
            } catch (IllegalArgumentException e) {
                LOG.warnf("Audit: digest %s is unreadable (%s); verify reports it", layout.relative(file), e.getMessage());
                continue;
            }
            closed.add(d);
            ChainHead known = heads.get(d.node());
            if (known == null || g.sequence() > known.sequence()) {
                heads.put(d.node(), new ChainHead(g.sequence(), d.date(), Hashes.sha256Hex(bytes)));
            }
        }
        if (anchors != null) {
            anchors.heads().forEach((node, anchored) -> {
                ChainHead inStore = heads.get(node);
                if (inStore == null || inStore.sequence() < anchored.sequence()) {
                    LOG.warnf("Audit: the store's newest digest for %s is #%s but this server wrote up to #%d (%s): "
                            + "digests were removed; verify reports it", node, inStore == null ? "none" : inStore.sequence(),
                            anchored.sequence(), anchored.date());
                    // the chain goes on from what was written, so the gap stays visible in the store itself
                    heads.put(node, anchored);
                }
            });
        }
    }
}
