package dev.homelab.events.audit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PublicKey;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.sync.PeerKeyCheck;

/** Peers' audit keys: pinned on first contact, the same key accepted, another key or none refused with a clear reason. */
class PeerKeyPinsTest {

    @TempDir
    Path dir;

    static PublicKey newKey() throws GeneralSecurityException {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
    }

    static String pem(PublicKey key) {
        return AuditKeys.pem("PUBLIC KEY", key.getEncoded());
    }

    @Test
    void theFirstKeyIsPinnedAndTheSameKeyIsAcceptedAfterwards() throws Exception {
        PeerKeyPins pins = new PeerKeyPins(dir.resolve("audit-peers"));
        PublicKey key = newKey();
        pins.check("nas", pem(key));
        Path pin = dir.resolve("audit-peers/nas.pub");
        assertEquals(AuditKeys.keyId(key), AuditKeys.keyId(AuditKeys.parsePublicKey(Files.readString(pin))));
        assertDoesNotThrow(() -> pins.check("nas", pem(key)));
        // a restarted node reads the pin from its file
        assertDoesNotThrow(() -> new PeerKeyPins(dir.resolve("audit-peers")).check("nas", pem(key)));
    }

    @Test
    void anotherKeyIsRefusedNamingThePeerBothKeyIdsAndThePin() throws Exception {
        PeerKeyPins pins = new PeerKeyPins(dir.resolve("audit-peers"));
        PublicKey first = newKey();
        PublicKey second = newKey();
        pins.check("nas", pem(first));
        byte[] pinned = Files.readAllBytes(pins.pinFile("nas"));

        PeerKeyCheck.Refused refused = assertThrows(PeerKeyCheck.Refused.class, () -> pins.check("nas", pem(second)));
        String m = refused.getMessage();
        assertTrue(m.startsWith("peer nas presents another audit key"), m);
        assertTrue(m.contains(Verifier.shortId(AuditKeys.keyId(first))), m);
        assertTrue(m.contains(Verifier.shortId(AuditKeys.keyId(second))), m);
        assertTrue(m.contains(pins.pinFile("nas").toString()), m);
        assertEquals(new String(pinned, StandardCharsets.US_ASCII),
                Files.readString(pins.pinFile("nas"), StandardCharsets.US_ASCII), "the pin is never replaced");
        // each peer has its own pin
        assertDoesNotThrow(() -> pins.check("pi5", pem(second)));
    }

    @Test
    void aPinnedPeerThatStopsPublishingItsKeyIsRefused() throws Exception {
        PeerKeyPins pins = new PeerKeyPins(dir.resolve("audit-peers"));
        pins.check("nas", pem(newKey()));
        PeerKeyCheck.Refused refused = assertThrows(PeerKeyCheck.Refused.class, () -> pins.check("nas", null));
        assertTrue(refused.getMessage().contains("publishes none now"), refused.getMessage());
    }

    @Test
    void aPeerWithoutAnAuditTrailIsNeitherPinnedNorRefused() {
        PeerKeyPins pins = new PeerKeyPins(dir.resolve("audit-peers"));
        assertDoesNotThrow(() -> pins.check("nas", null));
        assertFalse(Files.exists(pins.pinFile("nas")));
    }

    @Test
    void anUnreadableKeyIsRefusedAndNothingIsPinned() {
        PeerKeyPins pins = new PeerKeyPins(dir.resolve("audit-peers"));
        PeerKeyCheck.Refused refused = assertThrows(PeerKeyCheck.Refused.class, () -> pins.check("nas", "not a key"));
        assertTrue(refused.getMessage().contains("cannot read"), refused.getMessage());
        assertFalse(Files.exists(pins.pinFile("nas")));
    }

    @Test
    void aNatsOriginWithTheLongestNodeNameIsPinnedUnderAShortenedName() throws Exception {
        String label = "a".repeat(63);
        String peer = "nats-" + String.join(".", label, label, label, "b".repeat(61)); // "nats-" and 253 characters
        PeerKeyPins pins = new PeerKeyPins(dir.resolve("audit-peers"));
        PublicKey key = newKey();
        pins.check(peer, pem(key));
        Path pin = pins.pinFile(peer);
        assertTrue(Files.isRegularFile(pin), "pinned in " + pin);
        assertTrue(pin.getFileName().toString().length() + ".2026-11-30".length() <= AuditLayout.NAME_MAX,
                "room left to move the pin aside with a date: " + pin.getFileName());
        assertDoesNotThrow(() -> new PeerKeyPins(dir.resolve("audit-peers")).check(peer, pem(key)));
        PeerKeyCheck.Refused refused = assertThrows(PeerKeyCheck.Refused.class, () -> pins.check(peer, pem(newKey())));
        assertTrue(refused.getMessage().contains(pin.toString()), refused.getMessage());
        // another long name sharing the first 183 characters has a pin of its own
        String other = peer.substring(0, peer.length() - 1) + "c";
        assertDoesNotThrow(() -> pins.check(other, pem(newKey())));
        assertFalse(pins.pinFile(other).equals(pin));
    }
}
