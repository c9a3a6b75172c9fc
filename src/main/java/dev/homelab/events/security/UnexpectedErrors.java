package dev.homelab.events.security;

import java.util.UUID;

import org.jboss.logging.Logger;

import dev.homelab.events.Text;

/**
 * The one answer to a failure nobody planned for, on every HTTP route: a generic 500 problem carrying an incident
 * id, and one ERROR line with that id, the request's method and path, the exception's class and where it was thrown:
 * never the query, headers, body or exception message, which may hold a payload or a token. The message and the
 * stack trace go to DEBUG.
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
            LOG.errorf("Unexpected error %s answering 500 to %s %s: %s%s", id, method, Text.shorten(Text.escape(path), 200),
                    where(failure), LogBudget.suppressedNote(suppressed));
        }
        LOG.debugf(failure, "Unexpected error %s: %s", id, Text.escape(failure.getMessage()));
        return new Problem("https://homelab.dev/problems/internal-error", "Internal server error", 500,
                "the server failed unexpectedly while answering this request; quote incident " + id
                        + " when reporting it (the server log has the details under that id)",
                null, id);
    }

    /**
     * The exception's class and causes' classes, with the top frame and the first frame of our own code: enough to
     * find the bug, while the messages, which may quote what the client sent, stay at DEBUG.
     */
    static String where(Throwable failure) {
        StringBuilder b = new StringBuilder(failure.getClass().getName());
        StackTraceElement[] stack = failure.getStackTrace();
        if (stack.length > 0) {
            b.append(" at ").append(stack[0]);
            for (StackTraceElement e : stack) {
                if (e.getClassName().startsWith(OWN_CODE)) {
                    if (e != stack[0]) {
                        b.append(" via ").append(e);
                    }
                    break;
                }
            }
        }
        int depth = 0;
        for (Throwable c = failure.getCause(); c != null && c != failure && depth < 5; c = c.getCause(), depth++) {
            b.append(", caused by ").append(c.getClass().getName());
        }
        return b.toString();
    }

    private static final String OWN_CODE = "dev.homelab.";
}
