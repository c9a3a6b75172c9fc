package dev.homelab.events.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventFiles;
import dev.homelab.events.sync.ExportPage;
import dev.homelab.events.sync.PeerKeyCheck;

/**
 * Checks each sync page against the peer's own audit trail before anything of it is imported (docs/audit.md,
 * "Across nodes"). For every node-day of the page that the peer has closed, the peer's digest must verify with the
 * key pinned at first contact ({@link PeerKeyPins}), its seal record must hash to what the digest covers and give
 * its Merkle root and count, and every file of the page must have exactly the bytes the peer sealed. Any
 * difference refuses the whole page (the run fails naming the file; the cursor stays, so nothing is lost and
 * nothing is imported silently). Accepted records are kept under {@code .audit/peers/<signer>/}, write-once, so
 * {@link Verifier} (the API and {@code tools/verify}) checks this node's copies against the peer's signed roots
 * later, and a peer that re-signs a day it already gave is refused.
 *
 * <p>
 * Days the peer has not closed (404) are imported as before: there is no signed root to check yet. Files sealed
 * after the peer's day closed (late arrivals) are checked against their seal line, which no signature covers.
 *
 * <p>
 * Thread-safety: {@link #checkPage} is synchronized (one writer of the peer records).
 */
final class PeerDigests implements PeerKeyCheck {

    private static final Logger LOG = Logger.getLogger(PeerDigests.class);

    private final PeerKeyPins pins;
    private final AuditLayout layout;

    PeerDigests(PeerKeyPins pins, AuditLayout layout) {
        this.pins = pins;
        this.layout = layout;
    }

    @Override
    public void check(String peer, String pem) {
        // the key itself is PeerKeyPins' concern
    }

    @Override
    public synchronized void checkPage(String peer, List<ExportPage.Item> items, DayRecords records) {
        PublicKey key = pins.pinned(peer);
        if (key == null) {
            return; // a peer without an audit trail: nothing signed to check against (PeerKeyPins said so)
        }
        Map<NodeDay, List<ExportPage.Item>> byDay = new LinkedHashMap<>();
        for (ExportPage.Item item : items) {
            NodeDay d = item.path() == null ? null : NodeDay.ofPath(item.path());
            if (d != null) {
                byDay.computeIfAbsent(d, k -> new ArrayList<>()).add(item);
            } // a path that is no event path: the writer rejects it, nothing to check here
        }
        for (Map.Entry<NodeDay, List<ExportPage.Item>> e : byDay.entrySet()) {
            NodeDay d = e.getKey();
            Optional<DayRecord> record = records.day(d.date(), d.node());
            if (record.isPresent()) {
                checkDay(peer, key, d, record.get(), e.getValue());
            }
        }
    }

    private void checkDay(String peer, PublicKey key, NodeDay d, DayRecord record, List<ExportPage.Item> items) {
        String what = "peer " + peer + ", closed day " + d;
        byte[] digestBytes = record.digest().getBytes(StandardCharsets.UTF_8);
        Digest g;
        byte[] seals;
        try {
            g = Digest.parse(digestBytes);
            seals = Base64.getDecoder().decode(record.seals());
        } catch (IllegalArgumentException ex) {
            throw refused(what, "its digest or seal record cannot be read (" + ex.getMessage() + ")");
        }
        if (!g.date().equals(d.date()) || !g.node().equals(d.node())) {
            throw refused(what, "it sent the digest of " + g.date() + "/" + g.node() + " instead");
        }
        String pinnedId = AuditKeys.keyId(key);
        if (!pinnedId.equals(g.keyId()) || !AuditKeys.verify(key, g.signedBytes(), g.signature())) {
            throw refused(what, "its digest does not verify with the key pinned for it (key id "
                    + Verifier.shortId(pinnedId) + "): signed by key id " + Verifier.shortId(g.keyId())
                    + " or changed after signing");
        }
        if (seals.length < g.sealsBytes()
                || !Hashes.hex(Hashes.sha256(seals, (int) g.sealsBytes())).equals(g.sealsSha256())) {
            throw refused(what, "its seal record is not the one its digest covers (seal lines edited or removed)");
        }
        SealFile.Contents contents = SealFile.parse(seals);
        List<Seal> leaves = contents.leaves(g.sealsBytes());
        List<byte[]> hashes = new ArrayList<>(leaves.size());
        leaves.forEach(s -> hashes.add(s.leafHash()));
        if (leaves.size() != g.count() || !Hashes.hex(Merkle.root(hashes)).equals(g.merkleRoot())) {
            throw refused(what, "its digest's Merkle root or count (" + g.count() + ") does not match the "
                    + leaves.size() + " seals it covers");
        }
        Map<String, String> sealed = new HashMap<>();
        for (SealFile.Line line : contents.lines()) {
            sealed.putIfAbsent(line.seal().path(), line.seal().sha256());
        }
        for (ExportPage.Item item : items) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(item.content() == null ? "" : item.content());
            } catch (IllegalArgumentException ex) {
                continue; // the importer rejects it as damaged in transfer
            }
            String sha = Hashes.sha256Hex(bytes);
            String expected = sealed.get(item.path());
            if (expected == null) {
                throw refused(what, item.path() + " is not in the peer's seal record: a file added to a closed day "
                        + "(the peer's own verification reports it as unsealed until the peer seals it as a late "
                        + "arrival; the page is tried again at the next run)");
            }
            if (!expected.equals(sha)) {
                throw refused(what, item.path() + " differs from the peer's seal (sealed sha256 " + expected
                        + ", sent " + sha + "): changed on the peer after it was sealed");
            }
        }
        keep(peer, key, d, g, digestBytes, Arrays.copyOf(seals, (int) g.sealsBytes()));
    }

    /** Keeps the accepted record (write-once); another digest for a day already received is refused. */
    private void keep(String peer, PublicKey key, NodeDay d, Digest g, byte[] digestBytes, byte[] covered) {
        try {
            writeOnce(peer, d, layout.peerKey(g.signer(), g.keyId()),
                    AuditKeys.pem("PUBLIC KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII), "public key");
            writeOnce(peer, d, layout.peerSeals(g.signer(), d.date(), d.node()), covered, "seal record");
            writeOnce(peer, d, layout.peerDigest(g.signer(), d.date(), d.node()), digestBytes, "digest");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the audit record of peer " + peer + " for " + d, e);
        }
    }

    private void writeOnce(String peer, NodeDay d, Path target, byte[] bytes, String label) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            byte[] kept = EventFiles.readAtMost(target, SealFile.MAX_BYTES);
            if (!Arrays.equals(kept, bytes)) {
                throw refused("peer " + peer + ", closed day " + d, "it now presents another "
                        + label + " than the one received before ("
                        + layout.relative(target) + "): a closed day was re-signed or rewritten");
            }
            return;
        }
        layout.createParents(target);
        Path temp = DurableFiles.writeTemp(target, bytes, DurableFiles.FSYNC);
        try {
            DurableFiles.linkNew(temp, target); // COMMIT POINT of a peer record: never replaces one
        } catch (FileAlreadyExistsException raced) {
            Files.deleteIfExists(temp);
            writeOnce(peer, d, target, bytes, label);
            return;
        }
        DurableFiles.forceDirectory(target.getParent());
    }

    private static Refused refused(String what, String why) {
        String m = what + ": " + why + ". Nothing of this page is imported; the peer's own verification "
                + "(GET /api/audit/verify there) names what changed";
        LOG.warn(m);
        return new Refused(m);
    }
}
