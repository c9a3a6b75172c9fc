package dev.homelab.events.security;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

import dev.homelab.events.Text;

/**
 * Defence in depth behind {@link Text#escape}: escapes CR, LF and other control or bidirectional characters in
 * the string parameters of every log record on the console, so no value (a header, a file name found on disk, a
 * framework's message argument) can forge a log line, even where a call site forgot to escape it. Format
 * strings are left alone: they are ours.
 */
@LoggingFilter(name = "escape-values")
public final class EscapingLogFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        Object[] params = record.getParameters();
        if (params != null) {
            Object[] escaped = null;
            for (int i = 0; i < params.length; i++) {
                if (params[i] instanceof CharSequence s && needsEscape(s)) {
                    if (escaped == null) {
                        escaped = params.clone();
                    }
                    escaped[i] = Text.escape(s.toString());
                }
            }
            if (escaped != null) {
                record.setParameters(escaped);
            }
        }
        return true;
    }

    private static boolean needsEscape(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || dev.homelab.events.Names.isBidiControl(c)) {
                return true;
            }
        }
        return false;
    }
}
