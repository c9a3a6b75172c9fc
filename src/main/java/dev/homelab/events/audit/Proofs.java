package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.audit.ProofResult.Reason;
import dev.homelab.events.audit.ProofResult.Unavailable;
import dev.homelab.events.storage.EventFiles;

/** Builds inclusion proofs from a node-day's digest and seal record (the same leaves the digest was computed from). */
final class Proofs {

    private Proofs() {
    }

    static ProofResult prove(AuditLayout layout, String id, String relativePath, String publicKeyPem) throws IOException {
        NodeDay d = NodeDay.ofPath(relativePath);
        if (d == null) {
            return new Unavailable(Reason.NOT_SEALED, relativePath + " is not a file of the <date>/<node> layout");
        }
        Path digestFile = layout.digest(d.date(), d.node());
        byte[] digestBytes;
        try {
            digestBytes = EventFiles.readAtMost(digestFile, 1 << 20);
        } catch (NoSuchFileException e) {
            return new Unavailable(Reason.DAY_OPEN, "day " + d + " is not closed yet: a proof exists once its digest is "
                    + "written (after midnight UTC plus the grace period)");
        }
        Digest g;
        try {
            g = Digest.parse(digestBytes);
        } catch (IllegalArgumentException e) {
            return new Unavailable(Reason.RECORD_DAMAGED, "the digest of " + d + " is unreadable: " + e.getMessage());
        }
        SealFile.Contents c = SealFile.read(layout.seals(d.date(), d.node()));
        if (c.length() < g.sealsBytes()
                || !Hashes.hex(Hashes.sha256(c.bytes(), (int) g.sealsBytes())).equals(g.sealsSha256())) {
            return new Unavailable(Reason.RECORD_DAMAGED, "the seal record of " + d + " no longer matches its digest");
        }
        boolean late = c.lines().stream()
                .anyMatch(line -> line.end() > g.sealsBytes() && line.seal().path().equals(relativePath));
        List<Seal> leaves = c.leaves(g.sealsBytes());
        int index = -1;
        List<byte[]> hashes = new ArrayList<>(leaves.size());
        for (int i = 0; i < leaves.size(); i++) {
            hashes.add(leaves.get(i).leafHash());
            if (leaves.get(i).path().equals(relativePath)) {
                index = i;
            }
        }
        if (index < 0) {
            return late
                    ? new Unavailable(Reason.LATE_ARRIVAL, relativePath + " was sealed after its day closed (a late "
                            + "arrival): verify checks it against its seal, but no signed root includes it")
                    : new Unavailable(Reason.NOT_SEALED, relativePath + " is not sealed");
        }
        byte[] root = Merkle.root(hashes);
        if (!Hashes.hex(root).equals(g.merkleRoot())) {
            return new Unavailable(Reason.RECORD_DAMAGED, "the seals of " + d + " no longer give the signed Merkle root");
        }
        List<String> path = Merkle.path(index, hashes).stream().map(Hashes::hex).toList();
        Seal s = leaves.get(index);
        return new ProofResult.Available(
                new Proof(id, relativePath, s.sha256(), index, leaves.size(), Hashes.hex(hashes.get(index)),
                        path, g.merkleRoot(), Seal.JSON.readTree(digestBytes), g.signedText(), publicKeyPem, g.keyId()));
    }
}
