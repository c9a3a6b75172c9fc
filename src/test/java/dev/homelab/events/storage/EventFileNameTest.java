package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.homelab.events.Timestamps;

/** The file-name codec: the one home of the path grammar. */
class EventFileNameTest {

    static final String ID = "0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11";
    /** A strict formatter as the reference the hand-written parse must agree with. */
    static final DateTimeFormatter REFERENCE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC).withResolverStyle(ResolverStyle.STRICT);

    @Test
    void theFastParseAgreesWithAStrictFormatter() {
        Random rnd = new Random(3);
        List<String> names = new ArrayList<>(List.of("20260229T000000.000000Z_x_" + ID + ".json",
                "20240229T235959.999999Z_node_online_" + ID + ".json", "20261131T120000.000000Z_x_" + ID + ".json",
                "20261126T240000.000000Z_x_" + ID + ".json", "20261326T000000.000000Z_x_" + ID + ".json",
                "20261100T000000.000000Z_x_" + ID + ".json", "20261126T236000.000000Z_x_" + ID + ".json",
                "20261126T234751.123456Z_deployment_failed_" + ID + ".json", "not-an-event.json",
                "20261126T234751.123456Z_Bad_" + ID + ".json", "19691231T235959.999999Z_x_" + ID + ".json"));
        for (int i = 0; i < 2000; i++) {
            names.add(String.format("%04d%02d%02dT%02d%02d%02d.%06dZ_t_%s.json", 1990 + rnd.nextInt(60), rnd.nextInt(14),
                    rnd.nextInt(33), rnd.nextInt(26), rnd.nextInt(62), rnd.nextInt(62), rnd.nextInt(1_000_000), ID));
        }
        for (String n : names) {
            assertEquals(reference(n), EventFileName.parse(n), n);
        }
    }

    /** The branch-free date arithmetic agrees with java.time on every day of years 0 to 9999 and on every impossible one. */
    @Test
    void epochSecondIsLocalDateTimeOf() {
        for (java.time.LocalDate d = java.time.LocalDate.of(0, 1, 1); d.getYear() <= 9999; d = d.plusDays(1)) {
            assertEquals(d.toEpochDay() * 86_400L, EventFileName.epochSecond(d.getYear(), d.getMonthValue(), d.getDayOfMonth(),
                    0, 0, 0), d.toString());
        }
        int[] years = { 0, 1, 1900, 1970, 2000, 2023, 2024, 2100, 2400, 9999, 10_000, -1 };
        for (int year : years) {
            for (int month = -1; month <= 14; month++) {
                for (int day = -1; day <= 33; day++) {
                    int hour = Math.floorMod(day * 7, 26);
                    int minute = Math.floorMod(day * 13, 62);
                    int second = Math.floorMod(month * 17 + day, 62);
                    long expected;
                    try {
                        expected = year < 0 || year > 9999
                                ? EventFileName.NO_INSTANT
                                : java.time.LocalDateTime.of(year, month, day, hour, minute, second)
                                        .toEpochSecond(ZoneOffset.UTC);
                    } catch (java.time.DateTimeException e) {
                        expected = EventFileName.NO_INSTANT;
                    }
                    assertEquals(expected, EventFileName.epochSecond(year, month, day, hour, minute, second),
                            year + "-" + month + "-" + day + " " + hour + ":" + minute + ":" + second);
                }
            }
        }
    }

    private static Optional<EventFileName> reference(String name) {
        if (!name.matches("\\d{8}T\\d{6}\\.\\d{6}Z_[a-z][a-z0-9_]{0,63}_[0-9a-f-]{36}\\.json")) {
            return Optional.empty();
        }
        try {
            Instant t = Instant.from(REFERENCE.parse(name.substring(0, 23)));
            if (!Timestamps.isSupported(t)) {
                return Optional.empty();
            }
            return Optional.of(new EventFileName(t, name.substring(24, name.length() - 42),
                    UUID.fromString(name.substring(name.length() - 41, name.length() - 5))));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @Test
    void formatAndRelativePathRoundTripThroughParse() {
        Random rnd = new Random(7);
        for (int i = 0; i < 1000; i++) {
            long micros = Timestamps.toMicros(Timestamps.EARLIEST)
                    + (long) (rnd.nextDouble()
                            * (Timestamps.toMicros(Timestamps.LATEST) - Timestamps.toMicros(Timestamps.EARLIEST)));
            Instant t = Timestamps.fromMicros(micros);
            UUID id = UUID.randomUUID();
            EventFileName name = new EventFileName(t, "node_online", id);
            assertEquals(REFERENCE.format(t) + "_node_online_" + id + ".json", name.format());
            assertEquals(Optional.of(name), EventFileName.parse(name.format()));
            assertEquals(EventFileName.directory(t, "pi4").resolve(name.format()).toString(),
                    EventFileName.relativePath(micros, "pi4", "node_online", id));
        }
    }

    @Test
    void layoutPathsKeepNonStandardNamesButRefuseWhatCannotBeAnEventFile() {
        EventFileName.checkLayoutPath(Path.of("2026-11-20/pi4/20261120T100000.000001Z_x_" + ID + ".json"));
        EventFileName.checkLayoutPath(Path.of("2026-11-20/pi4/written-by-hand.json"));
        for (String bad : List.of("2026-11-20/pi4/.hidden.json", "2026-11-20/pi4/notes.txt", "2026-11-31/pi4/a.json",
                "2026-11-20/bad_node!/a.json", "2026-11-20/pi4/a\nb.json", "2026-11-20/a.json", "/2026-11-20/pi4/a.json",
                "2026-11-20/pi4/20261121T100000.000001Z_x_" + ID + ".json")) {
            assertThrows(IllegalArgumentException.class, () -> EventFileName.checkLayoutPath(Path.of(bad)), bad);
        }
        assertTrue(EventFileName.isDateDirectory("2024-02-29"));
        assertFalse(EventFileName.isDateDirectory("2026-02-29"));
    }

    @Test
    void theHandParseAcceptsExactlyWhatTheGrammarMatches() {
        Random rnd = new Random(11);
        String good = "20261126T234751.123456Z_deployment_failed_" + ID + ".json";
        String alphabet = "0123456789abcdefxyzAF_-.TZjson/ \u00e9";
        List<String> names = new ArrayList<>(List.of(good, "20261126T234751.123456Z_" + "a".repeat(64) + "_" + ID + ".json",
                "20261126T234751.123456Z_" + "a".repeat(65) + "_" + ID + ".json", "20261126T234751.123456Z__" + ID + ".json",
                "20261126T234751.123456Z_a__" + ID + ".json", "20261126T234751.123456Z_9a_" + ID + ".json",
                "20261126T234751.123456Z_a_" + ID.toUpperCase() + ".json", "20261126T234751.123456Z_a_" + ID + ".JSON",
                "20261126T234751.123456Z_a_" + ID + ".json.tmp", "", ".json", "_" + ID + ".json"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(good);
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                int at = rnd.nextInt(b.length());
                switch (rnd.nextInt(3)) {
                    case 0 -> b.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                    case 1 -> b.deleteCharAt(at);
                    default -> b.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            names.add(b.toString());
        }
        int matched = 0;
        for (String name : names) {
            java.util.regex.Matcher m = EventFileName.GRAMMAR.matcher(name);
            Optional<EventFileName> parsed = EventFileName.parse(name);
            if (!m.matches()) {
                assertTrue(parsed.isEmpty(), name);
                continue;
            }
            Optional<Instant> instant = strict(m.group(1));
            assertEquals(instant.filter(Timestamps::isSupported).isPresent(), parsed.isPresent(), name);
            if (parsed.isPresent()) {
                matched++;
                assertEquals(instant.get(), parsed.get().timestamp(), name);
                assertEquals(m.group(2), parsed.get().type(), name);
                assertEquals(UUID.fromString(m.group(3)), parsed.get().id(), name);
            }
        }
        assertTrue(matched > 1_000, "the mutations keep many names valid: " + matched);
    }

    private static Optional<Instant> strict(String timestamp) {
        try {
            return Optional.of(Instant.from(REFERENCE.parse(timestamp)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
