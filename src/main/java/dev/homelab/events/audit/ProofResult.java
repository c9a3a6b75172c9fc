package dev.homelab.events.audit;

/** What {@code proof} answers: a {@link Proof}, or why there is none (yet). */
public sealed interface ProofResult {

    record Available(Proof proof) implements ProofResult {
    }

    record Unavailable(Reason reason, String detail) implements ProofResult {
    }

    enum Reason {
        /** The event's day has no digest yet: a proof exists once it closes. */
        DAY_OPEN,
        /** Sealed after its day closed: checked by verify, but not under a signed root. */
        LATE_ARRIVAL,
        /** Not sealed (yet). */
        NOT_SEALED,
        /** The seal record or digest does not match: verify says what is wrong. */
        RECORD_DAMAGED
    }
}
