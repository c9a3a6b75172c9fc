package dev.homelab.events.service;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Timestamps;

/**
 * Time bounds as people and agents write them: an ISO 8601 instant with an offset, {@code now},
 * {@code now-1h}, or a bare duration such as {@code 24h} meaning that long ago. Units: s, m, h, d, w.
 *
 * <p>
 * A bound must lie within {@link #EARLIEST_BOUND} and {@link #LATEST_BOUND} (four-digit years): wider than the
 * range events may carry ({@link Timestamps#EARLIEST} to {@link Timestamps#LATEST}), so "since 100 years ago"
 * simply finds everything, yet narrow enough that every bound fits the index's microsecond counter. Anything
 * outside ({@code +999999999-12-31T23:59:59Z}, {@code now-999999999w}) is refused naming the field and the range,
 * rather than overflowing further down.
 */
public final class TimeExpressions {

    public static final String ALLOWED = "an ISO 8601 instant with offset (2026-11-26T23:00:00Z), 'now', 'now-<n><unit>' "
            + "or '<n><unit>' meaning that long ago, with unit s, m, h, d or w (e.g. now-1h, 24h, 7d)";

    /** The earliest accepted time bound. */
    public static final Instant EARLIEST_BOUND = Instant.parse("0001-01-01T00:00:00Z");
    /** The latest accepted time bound. */
    public static final Instant LATEST_BOUND = Timestamps.LATEST;

    /** What a caller is told when a bound is outside the supported range. */
    public static final String RANGE = "is out of range: time bounds must lie between " + EARLIEST_BOUND + " and "
            + LATEST_BOUND + " (relative times no further back than that)";

    private static final Pattern RELATIVE = Pattern.compile("(?:now-)?(\\d+)([smhdw])");

    private TimeExpressions() {
    }

    /** Parses {@code text} relative to {@code now}; throws {@link InvalidInputException} naming {@code field}. */
    public static Instant parse(String field, String text, Instant now) {
        String t = text.trim();
        if (t.equals("now")) {
            return inRange(field, text, now);
        }
        Matcher m = RELATIVE.matcher(t);
        if (m.matches()) {
            long unitSeconds = switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3_600;
                case "d" -> 86_400;
                default -> 7 * 86_400;
            };
            // "now-99999999999999999999d" is refused as out of range, never overflowed; more than 18 significant
            // digits is out of range whatever the unit, and is not even converted
            String digits = m.group(1).replaceFirst("^0+(?=\\d)", "");
            if (digits.length() > 18) {
                throw new InvalidInputException(field, text, RANGE);
            }
            long back;
            try {
                back = Math.multiplyExact(Long.parseLong(digits), unitSeconds);
            } catch (ArithmeticException e) {
                throw new InvalidInputException(field, text, RANGE);
            }
            if (back > Duration.between(EARLIEST_BOUND, now).getSeconds()) {
                throw new InvalidInputException(field, text, RANGE);
            }
            return inRange(field, text, now.minusSeconds(back));
        }
        Instant parsed;
        try {
            parsed = Timestamps.parseIso(t);
        } catch (DateTimeException | ArithmeticException e) {
            throw new InvalidInputException(field, text, "must be " + ALLOWED);
        }
        return inRange(field, text, parsed);
    }

    private static Instant inRange(String field, String text, Instant t) {
        if (t.isBefore(EARLIEST_BOUND) || t.isAfter(LATEST_BOUND)) {
            throw new InvalidInputException(field, text, RANGE);
        }
        return t;
    }
}
