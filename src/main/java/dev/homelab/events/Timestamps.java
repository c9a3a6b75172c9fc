package dev.homelab.events;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** The two timestamp forms of the format: ISO 8601 in JSON, and the sortable form in file names. */
public final class Timestamps {
    /** JSON form, always UTC with six fraction digits: {@code 2026-11-26T23:47:51.123456Z}. */
    public static final DateTimeFormatter JSON = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** File-name form: {@code 20261126T234751.123456Z}. */
    public static final DateTimeFormatter FILE_NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** Partition directory: the event's UTC date. */
    public static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    /** Events carry microsecond precision; finer digits are dropped so every writer agrees. */
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
