package dev.homelab.events.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PublicKey;

import org.jboss.logging.Logger;

import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.sync.PeerKeyCheck;

/**
 * Pins each sync peer's audit public key on first contact and refuses a pull whose peer later presents another key,
 * or none (trust on first use, as SSH does with host keys). Pins live beside this node's private key, outside the
 * event store ({@code <key dir>/audit-peers/<peer>.pub}, PEM), so whoever can write the store cannot re-pin them.
 * The key id is computed here from the key itself; what the peer claims as its id is not trusted.
 *
 * <p>
 * Thread-safety: {@link #check} is synchronized; a pin is written once (temp file, fsync, link that never
 * replaces).
 */
final class PeerKeyPins implements PeerKeyCheck {

    private static final Logger LOG = Logger.getLogger(PeerKeyPins.class);

    private final Path dir;

    PeerKeyPins(Path dir) {
        this.dir = dir;
    }

    Path pinFile(String peer) {
        return dir.resolve(pinStem(peer) + AuditLayout.PUB);
    }

    /**
     * The pin's file name without {@code .pub}: the peer's name, or for a name too long to be a file name with a
     * date added when the pin is moved aside (a NATS origin is {@code nats-} and up to 253 characters), a prefix of
     * it and a hash of the whole name.
     */
    static String pinStem(String peer) {
        return peer.length() <= 200
                ? peer
                : peer.substring(0, 183) + "~" + Hashes.sha256Hex(peer.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    /** The peer's pinned key, null when none is pinned (a peer without an audit trail, or never contacted). */
    synchronized PublicKey pinned(String peer) {
        return readPin(peer, pinFile(peer));
    }

    @Override
    public synchronized void check(String peer, String pem) {
        Path pin = pinFile(peer);
        PublicKey pinned = readPin(peer, pin);
        if (pem == null) {
            if (pinned != null) {
                throw new Refused("peer " + peer + " published an audit public key before (key id "
                        + Verifier.shortId(AuditKeys.keyId(pinned)) + ", pinned in " + pin + ") and publishes none now "
                        + "(GET /api/audit/public-key answers 404): nothing is imported from it. If its audit trail was "
                        + "switched off on purpose, remove " + pin);
            }
            return; // a peer without an audit trail: nothing to pin, nothing to check
        }
        PublicKey presented;
        try {
            presented = AuditKeys.parsePublicKey(pem);
        } catch (IllegalArgumentException e) {
            throw new Refused("peer " + peer + " publishes an audit public key this node cannot read (" + e.getMessage()
                    + "): nothing is imported from it");
        }
        String presentedId = AuditKeys.keyId(presented);
        if (pinned == null) {
            pinned = pin(peer, pin, presented);
        }
        String pinnedId = AuditKeys.keyId(pinned);
        if (!pinnedId.equals(presentedId)) {
            throw new Refused("peer " + peer + " presents another audit key (key id " + Verifier.shortId(presentedId)
                    + ") than the one pinned at first contact (key id " + Verifier.shortId(pinnedId) + ", in " + pin
                    + "): nothing is imported from it. If the peer's key was replaced on purpose, check the new key id "
                    + "on the peer (GET /api/audit/public-key) and move " + pin + " aside as " + pinStem(peer)
                    + ".<date>.pub in the "
                    + "same directory: the next sync pins the new key, and the records kept under the old one are still "
                    + "checked against it");
        }
    }

    private static PublicKey readPin(String peer, Path pin) {
        if (!Files.exists(pin, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return AuditKeys.parsePublicKey(Files.readString(pin, StandardCharsets.US_ASCII));
        } catch (IOException | IllegalArgumentException e) {
            throw new Refused("the pinned audit key of peer " + peer + " (" + pin + ") cannot be read (" + e
                    + "): nothing is imported from it until the file is fixed or removed");
        }
    }

    /** First contact: writes the pin; a pin another thread or process wrote meanwhile wins. */
    private PublicKey pin(String peer, Path pin, PublicKey key) {
        try {
            Files.createDirectories(dir);
            Path temp = DurableFiles.writeTemp(pin, AuditKeys.pem("PUBLIC KEY", key.getEncoded())
                    .getBytes(StandardCharsets.US_ASCII), DurableFiles.FSYNC);
            try {
                DurableFiles.linkNew(temp, pin); // COMMIT POINT of a pin: never replaces one
            } catch (FileAlreadyExistsException e) {
                return readPin(peer, pin);
            }
            DurableFiles.forceDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pin the audit key of peer " + peer + " in " + pin, e);
        }
        LOG.infof("Audit: pinned the audit key of peer %s (key id %s) in %s", peer,
                Verifier.shortId(AuditKeys.keyId(key)), pin);
        return key;
    }
}
