package dev.homelab.events;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Timestamps of the format: the ISO 8601 form of the JSON content, the date of the partition directory, and the
 * supported range. The sortable form in file names belongs to the file-name codec
 * ({@code storage.EventFileName}), with the rest of the file-name grammar.
 */
public final class Timestamps {
    /** JSON form, always UTC with six fraction digits: {@code 2026-11-26T23:47:51.123456Z}. */
    public static final DateTimeFormatter JSON = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** Partition directory: the event's UTC date. */
    public static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    /**
     * The earliest timestamp an event may carry. Every writer (Java, bash, Python) refuses earlier ones, and
     * the reader skips a file holding one, so every stored time has a four-digit year in its file name and
     * date directory and fits the index's microsecond counter.
     */
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    /** The latest timestamp an event may carry (see {@link #EARLIEST}). */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private Timestamps() {
    }

    /** True when {@code t} is within {@link #EARLIEST} and {@link #LATEST}, both included. */
    public static boolean isSupported(Instant t) {
        return t != null && !t.isBefore(EARLIEST) && !t.isAfter(LATEST);
    }

    /**
     * Events carry microsecond precision. Writers refuse a timestamp with more fraction digits
     * ({@link #MAX_FRACTION_DIGITS}) rather than cut it silently; the reader truncates what a hand-written file
     * holds (it is read, not dropped), and so does this.
     */
    public static Instant truncate(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    public static Instant now() {
        return truncate(Instant.now());
    }

    /** Any ISO 8601 date-time with an offset ({@code Z}, {@code +02:00}); throws on anything else. */
    public static Instant parseIso(String text) throws DateTimeParseException {
        return truncate(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
    }

    /** The most fraction digits of a second a new event's timestamp may have: microseconds. */
    public static final int MAX_FRACTION_DIGITS = 6;

    /**
     * The number of digits after the decimal point of the seconds in an ISO 8601 date-time text
     * ({@code 2026-11-26T23:47:51.123456789Z} has 9), 0 when there is no fraction.
     */
    public static int fractionDigits(String text) {
        int t = text.indexOf('T');
        int dot = text.indexOf('.', Math.max(t, 0));
        if (t < 0 || dot < 0) {
            return 0;
        }
        int end = dot + 1;
        while (end < text.length() && text.charAt(end) >= '0' && text.charAt(end) <= '9') {
            end++;
        }
        return end - dot - 1;
    }

    public static String toJson(Instant t) {
        return JSON.format(t);
    }

    public static long toMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    public static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
