package dev.homelab.events;

/**
 * The one home of message text handling: shortening a value before it reaches a message, and escaping it
 * before it reaches a log line or is echoed back. Every class that quotes a caller's value uses these, so a
 * value can neither flood a message nor forge a log line, whichever face received it.
 */
public final class Text {

    /** Appended where text was cut. */
    public static final String ELLIPSIS = "…";

    private Text() {
    }

    /**
     * At most {@code maxCodePoints} code points of {@code s}, followed by {@link #ELLIPSIS} when anything was
     * cut. Counts code points, so a surrogate pair is never split. Null stays null.
     */
    public static String shorten(String s, int maxCodePoints) {
        if (s == null || s.length() <= maxCodePoints) {
            return s;
        }
        if (s.codePointCount(0, s.length()) <= maxCodePoints) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, maxCodePoints)) + ELLIPSIS;
    }

    /**
     * For log lines: CR and LF as {@code \r} and {@code \n}, every other hidden character
     * ({@link Names#isHidden}: control, format, separator, lone surrogate) as {@code \}{@code uXXXX}, so a field holding them cannot forge or reorder a log entry. Null becomes
     * {@code "null"}.
     */
    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (Names.isHidden(cp)) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    /**
     * A rejected value as it is echoed in an error message: its first {@code maxCodePoints} code points, each
     * hidden character ({@link Names#isHidden}) written as {@code \}{@code uXXXX}, then {@link #ELLIPSIS} when the
     * value was longer. Null stays null.
     */
    public static String echo(String value, int maxCodePoints) {
        if (value == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        value.codePoints().limit(maxCodePoints).forEach(cp -> {
            if (Names.isHidden(cp)) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        if (Names.length(value) > maxCodePoints) {
            b.append(ELLIPSIS);
        }
        return b.toString();
    }
}
