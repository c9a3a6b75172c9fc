package dev.homelab.events.sync;

/**
 * Asked before a pull imports anything from a peer, with the audit public key the peer publishes
 * ({@code GET /api/audit/public-key}). The audit trail implements it above this package: it pins the key on first
 * contact and refuses a pull whose peer presents another key, so a changed key is reported, not imported through.
 */
@FunctionalInterface
public interface PeerKeyCheck {

    /**
     * @param peer the peer's configured name
     * @param pem  the peer's public key as it publishes it (PEM), or null when it publishes none (404: a server
     *             without an audit trail)
     * @throws Refused when nothing may be imported from this peer; its message says why and what to do
     */
    void check(String peer, String pem);

    /** A pull refused by a key check: the run fails with this message and imports nothing. */
    final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }
}
