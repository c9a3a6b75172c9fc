package dev.homelab.events.security;

/**
 * At most {@code perMinute} log lines a minute for one kind of message that a client can provoke at will (a refused
 * request, an unexpected error), so a hostile client can fill neither the disk nor the journal. Lines over the budget
 * are counted, and the count is handed to the next line that gets through. Thread-safe.
 */
final class LogBudget {

    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final int perMinute;
    private long windowStart = System.nanoTime();
    private int used;
    private long suppressed;

    LogBudget(int perMinute) {
        this.perMinute = perMinute;
    }

    /**
     * Whether a line may be written now; when it may, returns how many lines were suppressed since the last one
     * written ({@code >= 0}), else {@code -1}.
     */
    synchronized long admit() {
        long now = System.nanoTime();
        if (now - windowStart > MINUTE_NANOS) {
            windowStart = now;
            used = 0;
        }
        if (used >= perMinute) {
            suppressed++;
            return -1;
        }
        used++;
        long s = suppressed;
        suppressed = 0;
        return s;
    }

    /** A note for a line that follows suppressed ones, or the empty string. */
    static String suppressedNote(long suppressed) {
        return suppressed <= 0 ? "" : " (" + suppressed + " similar lines before this one were not logged)";
    }
}
