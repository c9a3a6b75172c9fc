package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.ZipFile;

import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.audit.Finding.Kind;
import dev.homelab.events.storage.EventFileName;
import dev.homelab.events.storage.EventFiles;

/**
 * Checks the records kept from sync peers ({@code .audit/peers/<signer>/}, see {@link PeerDigests}), the part of
 * {@link Verifier} that is not this node's own trail: each digest must verify with the peer's key kept beside it,
 * its seal record must be the part it covers and give its root, and every file of it this store holds (live or
 * archived) must have the bytes the peer sealed. Files not here (not pulled yet) are not findings: the peer's own
 * verification covers them.
 *
 * <p>
 * The kept key is a copy in the store, which whoever can write the store can replace together with the digests. So
 * when the pins are at hand (the server's {@code audit-peers/} beside its key, {@code --peer-pins} offline), every
 * kept key must be a pinned one: the pin {@code <signer>.pub}, or a pin moved aside as {@code <signer>.<any>.pub}
 * when the peer's key was replaced on purpose; for a signer with no pin of its name (the sync peer is named
 * otherwise), any pin in the directory.
 */
final class PeerRecordsCheck {

    private final Verifier.Options o;
    private final AuditLayout layout;
    private final Predicate<String> inRange;

    PeerRecordsCheck(Verifier.Options o, AuditLayout layout, Predicate<String> inRange) {
        this.o = o;
        this.layout = layout;
        this.inRange = inRange;
    }

    void check(List<Finding> found) throws IOException {
        List<String> signers = new ArrayList<>();
        for (String signer : AuditLayout.names(layout.peers())) {
            if (EventFileName.isNodeDirectory(signer)) {
                signers.add(signer);
            }
        }
        if (signers.isEmpty()) {
            return;
        }
        Pins pins = Pins.read(o.peerPins(), found);
        for (String signer : signers) {
            Path dir = layout.peerDir(signer);
            Map<String, PublicKey> keys = new LinkedHashMap<>();
            List<String> dates = new ArrayList<>();
            for (String name : AuditLayout.names(dir)) {
                if (name.endsWith(".pub")) {
                    String path = layout.relative(dir.resolve(name));
                    try {
                        PublicKey k = AuditKeys.parsePublicKey(Files.readString(dir.resolve(name)));
                        if (pins.accepts(signer, k, path, found)) {
                            keys.put(AuditKeys.keyId(k), k);
                        }
                    } catch (IOException | IllegalArgumentException e) {
                        found.add(new Finding(path, "not a readable Ed25519 public key of peer " + signer + ", ignored",
                                Kind.DIGEST_INVALID));
                    }
                } else if (EventFileName.isDateDirectory(name) && inRange.test(name)) {
                    dates.add(name);
                }
            }
            for (String date : dates) {
                for (String name : AuditLayout.names(dir.resolve(date))) {
                    String node = AuditLayout.nameOf(name, AuditLayout.DIGEST);
                    if (node != null && (o.node() == null || o.node().equals(node))) {
                        checkDay(signer, new NodeDay(date, node), keys, found);
                    }
                }
            }
        }
    }

    /** The pinned peer keys outside the store: by pin file, the key it holds. */
    private record Pins(Path dir, Map<String, PublicKey> byFile) {

        static Pins read(Path dir, List<Finding> found) throws IOException {
            Map<String, PublicKey> byFile = new LinkedHashMap<>();
            if (dir == null) {
                found.add(new Finding(AuditLayout.DIR + "/peers", "peers' records were checked against the peers' keys "
                        + "kept in the store, which whoever can write the store can replace; give the pinned keys "
                        + "(--peer-pins, the audit-peers directory beside the server's key) to rule that out",
                        Kind.KEYS_FROM_STORE));
                return new Pins(null, byFile);
            }
            for (String name : AuditLayout.names(dir)) {
                if (name.endsWith(".pub") && !name.startsWith(".")) {
                    try {
                        byFile.put(name,
                                AuditKeys.parsePublicKey(new String(EventFiles.readAtMost(dir.resolve(name), 64 * 1024),
                                        StandardCharsets.US_ASCII)));
                    } catch (IOException | IllegalArgumentException e) {
                        // an unreadable pin refuses every sync from that peer (PeerKeyPins); here it pins nothing
                    }
                }
            }
            return new Pins(dir, byFile);
        }

        /** Whether a kept key of {@code signer} may be used; a finding says why not. */
        boolean accepts(String signer, PublicKey kept, String keptPath, List<Finding> found) {
            if (dir == null) {
                return true;
            }
            String id = AuditKeys.keyId(kept);
            List<String> own = new ArrayList<>();
            String stem = PeerKeyPins.pinStem(signer);
            for (Map.Entry<String, PublicKey> e : byFile.entrySet()) {
                if (e.getKey().equals(stem + AuditLayout.PUB) || e.getKey().startsWith(stem + ".")) {
                    own.add(e.getKey());
                }
            }
            List<String> candidates = own.isEmpty() ? new ArrayList<>(byFile.keySet()) : own;
            for (String pin : candidates) {
                if (AuditKeys.keyId(byFile.get(pin)).equals(id)) {
                    return true;
                }
            }
            if (candidates.isEmpty()) {
                return true; // no pin at all: nothing outside the store to check the kept key against
            }
            // the pin to name: the signer's own, else the only one there is (the sync peer is named otherwise)
            String pin = own.contains(stem + AuditLayout.PUB)
                    ? stem + AuditLayout.PUB
                    : candidates.size() == 1 ? candidates.get(0) : null;
            found.add(new Finding(keptPath, (pin != null
                    ? "peer key in store differs from the pinned key " + dir.resolve(pin) + " (key id " + Verifier.shortId(id)
                            + " in the store, " + Verifier.shortId(AuditKeys.keyId(byFile.get(pin))) + " pinned)"
                    : "peer key in store differs from every key pinned in " + dir + " (key id " + Verifier.shortId(id)
                            + " in the store; no pin is named after " + signer + ")")
                    + ": the kept key and the digests it signs were replaced, or its pin was removed; not trusted",
                    Kind.PEER_KEY_UNPINNED));
            return false;
        }
    }

    private void checkDay(String signer, NodeDay d, Map<String, PublicKey> keys, List<Finding> found) throws IOException {
        Path digestFile = layout.peerDigest(signer, d.date(), d.node());
        String path = layout.relative(digestFile);
        Digest g;
        try {
            g = Digest.parse(EventFiles.readAtMost(digestFile, 1 << 20));
        } catch (FileSystemException | IllegalArgumentException e) {
            found.add(new Finding(path, "unreadable digest of peer " + signer + " (" + e.getMessage() + "): edited or "
                    + "damaged", Kind.DIGEST_INVALID));
            return;
        }
        if (!g.node().equals(d.node()) || !g.date().equals(d.date()) || !g.signer().equals(signer)) {
            found.add(new Finding(path, "this is " + g.signer() + "'s digest of " + g.date() + "/" + g.node()
                    + ", copied or moved here", Kind.DIGEST_INVALID));
            return;
        }
        PublicKey key = keys.get(g.keyId());
        if (key == null) {
            found.add(new Finding(path, "signed by key id " + Verifier.shortId(g.keyId()) + ", not by the key pinned for "
                    + "peer " + signer, Kind.WRONG_KEY));
            return;
        }
        if (!AuditKeys.verify(key, g.signedBytes(), g.signature())) {
            found.add(new Finding(path, "the signature of peer " + signer + " does not verify: the digest was changed "
                    + "after it was signed", Kind.DIGEST_INVALID));
            return;
        }
        Path sealsFile = layout.peerSeals(signer, d.date(), d.node());
        SealFile.Contents c;
        try {
            c = SealFile.read(sealsFile);
        } catch (FileSystemException e) {
            c = SealFile.Contents.EMPTY;
        }
        List<Finding> coverage = new ArrayList<>();
        DayCheck.checkCoverage(path, g, c, layout.relative(sealsFile), coverage);
        if (!coverage.isEmpty()) {
            coverage.forEach(f -> found.add(new Finding(f.path(), "peer " + signer + ": " + f.reason(), f.kind())));
            return;
        }
        ZipFile archive = null;
        try {
            for (Seal s : c.leaves(g.sealsBytes())) {
                if (!s.path().startsWith(d + "/")) {
                    found.add(new Finding(layout.relative(sealsFile), "a seal for " + s.path() + ", which is not a file "
                            + "of " + d, Kind.SEALS_EDITED));
                    continue;
                }
                byte[] bytes;
                try {
                    bytes = EventFiles.readAtMost(layout.root().resolve(s.path()), o.fileMaxBytes() + 1);
                } catch (NoSuchFileException gone) {
                    if (archive == null) {
                        archive = ArchivedRecords.open(o.archiveDir(), d.date());
                    }
                    bytes = ArchivedRecords.entry(archive, s.path(), o.fileMaxBytes() + 1);
                    if (bytes == null) {
                        continue; // not pulled (yet), or gone with this node's retention: the peer vouches for it
                    }
                } catch (FileSystemException notAFile) {
                    found.add(new Finding(s.path(), "sealed by peer " + signer + " as a file, here a symlink or special "
                            + "file", Kind.PEER_MISMATCH));
                    continue;
                }
                String now = Hashes.sha256Hex(bytes);
                if (!now.equals(s.sha256())) {
                    found.add(new Finding(s.path(), "differs from the seal of peer " + signer + " (signed in " + path
                            + ": sha256 " + s.sha256().substring(0, 16) + "...; here " + now.substring(0, 16) + "...)",
                            Kind.PEER_MISMATCH));
                }
            }
        } finally {
            if (archive != null) {
                archive.close();
            }
        }
    }
}
