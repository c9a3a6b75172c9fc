package dev.homelab.events.audit;

import java.util.Comparator;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * One thing a verification found, about one file (an event file or an audit file, relative to the store root).
 * {@code kind} says what it is in one word; {@code reason} says it for a person.
 */
public record Finding(String path, String reason, Kind kind) {

    static final Comparator<Finding> ORDER = Comparator.comparing(Finding::path).thenComparing(Finding::reason);

    public enum Kind {
        // ---- problems: the record is not the one that was written
        /** A sealed file's bytes differ from its seal. */
        MODIFIED(true),
        /** A sealed file is neither in the store nor in an archive. */
        DELETED(true),
        /** An event file in a closed day that was never sealed: added after the day closed, unseen by the server. */
        UNSEALED(true),
        /** A digest that does not read, does not verify, or sits at another node-day's place. */
        DIGEST_INVALID(true),
        /** A digest signed by a key that is not trusted. */
        WRONG_KEY(true),
        /** A digest (and perhaps its whole day) missing from the chain. */
        DIGEST_MISSING(true),
        /** Digests that do not link up: a predecessor was replaced, or two claim one place. */
        CHAIN_BROKEN(true),
        /** The part of a seal record that a digest covers was changed, shortened or removed. */
        SEALS_EDITED(true),
        /** A file copied from a sync peer differs from the peer's signed seal of it. */
        PEER_MISMATCH(true),
        /** A sync peer's public key kept in the store is not the key pinned for it outside the store. */
        PEER_KEY_UNPINNED(true),
        // ---- notices: nothing was tampered with
        /** Sealed after its day closed (sync, an offline writer): outside the signed root, still checked. */
        LATE_ARRIVAL(false),
        /** A seal line cut short by a crash; the file it was for is sealed again by the next sweep. */
        TORN_LINE(false),
        /** A day not closed yet: its files are checked against their seals, there is no signed root yet. */
        OPEN_DAY(false),
        /** An event file of an open day not sealed yet (just written, or the server has not seen it yet). */
        NOT_SEALED_YET(false),
        /** A sealed file whose day's archive was deleted by the retention policy. */
        EXPIRED(false),
        /** The public keys were taken from the store itself. */
        KEYS_FROM_STORE(false),
        /** The store's record of an archived day is gone: checked against the copy its archive carries. */
        ARCHIVED_RECORD(false);

        private final boolean problem;

        Kind(boolean problem) {
            this.problem = problem;
        }

        public boolean problem() {
            return problem;
        }

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
