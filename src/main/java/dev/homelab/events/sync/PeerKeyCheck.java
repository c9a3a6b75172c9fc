package dev.homelab.events.sync;

import java.util.List;
import java.util.Optional;

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

    /**
     * Asked before each export page is imported, after {@link #check} accepted the peer's key: the audit trail
     * checks the page's files of the peer's closed days against the peer's signed digests and seal records.
     *
     * @param peer    the peer's configured name
     * @param items   the page's files, not imported yet
     * @param records the peer's record of a node-day, fetched on demand (cached for the run)
     * @throws Refused when the page must not be imported (a file differs from the peer's signed record)
     */
    default void checkPage(String peer, List<ExportPage.Item> items, DayRecords records) {
    }

    /** The peer's audit record of one node-day: {@code GET /api/audit/days/{date}/{node}} on the peer. */
    @FunctionalInterface
    interface DayRecords {
        /** Empty when the peer has no digest for that node-day (open, or no audit trail). */
        Optional<DayRecord> day(String date, String node);
    }

    /**
     * @param digest the digest file's text, as the peer stores it
     * @param seals  the peer's seal record of the node-day (base64 of its bytes)
     */
    record DayRecord(String digest, String seals) {
    }

    /** A pull refused by a key check: the run fails with this message and imports nothing. */
    final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }
}
