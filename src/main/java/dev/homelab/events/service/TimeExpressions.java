package dev.homelab.events.service;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Timestamps;

/**
 * Time bounds as people and agents write them: an ISO 8601 instant with an offset, {@code now},
 * {@code now-1h}, or a bare duration such as {@code 24h} meaning that long ago. Units: s, m, h, d, w.
 */
public final class TimeExpressions {

    public static final String ALLOWED = "an ISO 8601 instant with offset (2026-11-26T23:00:00Z), 'now', 'now-<n><unit>' "
            + "or '<n><unit>' meaning that long ago, with unit s, m, h, d or w (e.g. now-1h, 24h, 7d)";

    private static final Pattern RELATIVE = Pattern.compile("(?:now-)?(\\d{1,9})([smhdw])");

    private TimeExpressions() {
    }

    /** Parses {@code text} relative to {@code now}; throws {@link InvalidInputException} naming {@code field}. */
    public static Instant parse(String field, String text, Instant now) {
        String t = text.trim();
        if (t.equals("now")) {
            return now;
        }
        Matcher m = RELATIVE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration unit = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                case "d" -> Duration.ofDays(1);
                default -> Duration.ofDays(7);
            };
            return now.minus(unit.multipliedBy(n));
        }
        try {
            return Timestamps.parseIso(t);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, text, "must be " + ALLOWED);
        }
    }
}
