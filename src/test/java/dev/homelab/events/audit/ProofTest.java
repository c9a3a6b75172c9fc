package dev.homelab.events.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.homelab.events.index.EventWriter;

/**
 * Inclusion proofs, checked the way an auditor without this code would: hash the file, build the leaf, fold the
 * audit path (RFC 9162, section 2.1.3.2, written out again here), rebuild the signed text from the digest's JSON
 * as docs/audit.md describes it, and check the Ed25519 signature with the published PEM key.
 */
class ProofTest {

    @TempDir
    Path root;
    @TempDir
    Path keyDir;

    AuditFixture f;

    @BeforeEach
    void setUp() throws IOException {
        f = new AuditFixture(root, keyDir);
        // an odd, unbalanced day: 13 events
        for (int i = 0; i < 13; i++) {
            f.write(String.format("2026-11-20T10:%02d:00Z", i * 4), "pi4");
        }
        f.sealer.sealPending();
        f.clock.set(Instant.parse("2026-11-21T03:00:00Z"));
        f.closer.run();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void everyEventOfAClosedDayHasAProofThatAnOutsiderCanCheck() throws Exception {
        for (EventWriter.Written w : f.written) {
            ProofResult r = Proofs.prove(f.layout, w.event().id().toString(), w.relativePath(), f.keys.publicKeyPem());
            Proof p = assertInstanceOf(ProofResult.Available.class, r).proof();
            assertTrue(checkIndependently(p, Files.readAllBytes(f.file(w.relativePath()))), "proof of " + w.relativePath());
            assertEquals(13, p.treeSize());
        }
    }

    @Test
    void aProofDoesNotCheckForChangedBytesOrAnotherPath() throws Exception {
        EventWriter.Written w = f.written.get(5);
        Proof p = ((ProofResult.Available) Proofs.prove(f.layout, "x", w.relativePath(), f.keys.publicKeyPem())).proof();
        byte[] bytes = Files.readAllBytes(f.file(w.relativePath()));
        bytes[10] ^= 1;
        assertTrue(!checkIndependently(p, bytes));
        Proof moved = new Proof(p.id(), f.written.get(6).relativePath(), p.fileSha256(), p.leafIndex(), p.treeSize(),
                p.leafHash(), p.auditPath(), p.merkleRoot(), p.digest(), p.signedText(), p.publicKey(), p.keyId());
        assertTrue(!checkIndependently(moved, Files.readAllBytes(f.file(w.relativePath()))));
    }

    @Test
    void noProofForAnOpenDayNorForALateArrival() throws IOException {
        var open = f.write("2026-11-21T10:00:00Z", "pi4");
        f.sealer.sealPending();
        var r = (ProofResult.Unavailable) Proofs.prove(f.layout, "x", open.relativePath(), null);
        assertEquals(ProofResult.Reason.DAY_OPEN, r.reason());

        String late = f.writeLikeBash("2026-11-20T23:00:00Z", "pi4");
        f.sealer.sweep(new AuditLayout.NodeDay("2026-11-20", "pi4"));
        r = (ProofResult.Unavailable) Proofs.prove(f.layout, "x", late, null);
        assertEquals(ProofResult.Reason.LATE_ARRIVAL, r.reason());
    }

    // ------------------------------------------------------------------ the outsider's side, from the docs only

    static boolean checkIndependently(Proof p, byte[] fileBytes) throws Exception {
        HexFormat hex = HexFormat.of();
        byte[] fileSha = MessageDigest.getInstance("SHA-256").digest(fileBytes);
        if (!hex.formatHex(fileSha).equals(p.fileSha256())) {
            return false;
        }
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update((byte) 0);
        md.update(fileSha);
        md.update(p.path().getBytes(StandardCharsets.UTF_8));
        byte[] r = md.digest();
        long fn = p.leafIndex();
        long sn = p.treeSize() - 1;
        for (String step : p.auditPath()) {
            byte[] s = hex.parseHex(step);
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = inner(s, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = inner(r, s);
            }
            fn >>= 1;
            sn >>= 1;
        }
        JsonNode d = p.digest();
        if (sn != 0 || !hex.formatHex(r).equals(d.get("merkle_root").asText())
                || d.get("count").asLong() != p.treeSize()) {
            return false;
        }
        String signed = "homelab-events audit digest v1\n" + List.of("version", "node", "date", "count", "merkle_root",
                "seals_bytes", "seals_sha256", "sequence", "previous_date", "previous_sha256", "closed_at", "signer",
                "key_id", "algorithm").stream().map(k -> k + "=" + (d.get(k).isNull() ? "" : d.get(k).asText()) + "\n")
                .reduce("", String::concat);
        String pem = p.publicKey().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PublicKey key = KeyFactory.getInstance("Ed25519")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Signature v = Signature.getInstance("Ed25519");
        v.initVerify(key);
        v.update(signed.getBytes(StandardCharsets.UTF_8));
        return signed.equals(p.signedText()) && v.verify(Base64.getDecoder().decode(d.get("signature").asText()));
    }

    private static byte[] inner(byte[] l, byte[] r) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update((byte) 1);
        md.update(l);
        md.update(r);
        return md.digest();
    }

}
