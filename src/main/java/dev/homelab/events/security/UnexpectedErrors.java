package dev.homelab.events.security;

import java.util.UUID;

import org.jboss.logging.Logger;

import dev.homelab.events.Text;

/**
 * The one answer to a failure nobody planned for, on every HTTP route: a generic 500 problem carrying an incident
 * id, and one ERROR line with that id, the request's method and path (never its query, headers or body: they may
 * hold a payload or a token) and the exception's class, message and top frame. The stack trace goes to DEBUG.
 *
 * <p>
 * A client that found a way to fail requests must not be able to flood the log: at most {@link #PER_MINUTE} ERROR
 * lines are written a minute ({@link LogBudget}); the rest are counted, and the count is written with the next line
 * that gets through. Thread-safe.
 */
public final class UnexpectedErrors {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrors.class);

    /** ERROR lines per minute at most. */
    static final int PER_MINUTE = 20;
    private static final LogBudget BUDGET = new LogBudget(PER_MINUTE);

    private UnexpectedErrors() {
    }

    /** Logs {@code failure} once (within the budget) and returns the 500 problem to answer with. */
    public static Problem report(String method, String path, Throwable failure) {
        String id = UUID.randomUUID().toString();
        long suppressed = BUDGET.admit();
        if (suppressed >= 0) {
            StackTraceElement[] stack = failure.getStackTrace();
            LOG.errorf("Unexpected error %s answering 500 to %s %s: %s: %s%s%s", id, method,
                    Text.shorten(Text.escape(path), 200), failure.getClass().getName(),
                    Text.shorten(Text.escape(failure.getMessage()), 300), stack.length == 0 ? "" : " at " + stack[0],
                    LogBudget.suppressedNote(suppressed));
        }
        LOG.debugf(failure, "Stack trace of unexpected error %s", id);
        return new Problem("https://homelab.dev/problems/internal-error", "Internal server error", 500,
                "the server failed unexpectedly while answering this request; quote incident " + id
                        + " when reporting it (the server log has the details under that id)",
                null, id);
    }
}
