package dev.homelab.events.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Timestamps;

class TimeExpressionsTest {

    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    @Test
    void acceptsEveryDocumentedForm() {
        assertEquals(NOW, TimeExpressions.parse("since", "now", NOW));
        assertEquals(NOW.minusSeconds(3600), TimeExpressions.parse("since", "now-1h", NOW));
        assertEquals(NOW.minusSeconds(86_400), TimeExpressions.parse("since", "24h", NOW));
        assertEquals(NOW.minusSeconds(7 * 86_400), TimeExpressions.parse("since", "1w", NOW));
        assertEquals(Instant.parse("2026-11-26T21:00:00Z"), TimeExpressions.parse("since", "2026-11-26T23:00:00+02:00", NOW));
    }

    @Test
    void boundsFarOutsideTheEventRangeButWithinFourDigitYearsAreAccepted() {
        // "everything in the last century" is a fair question, even though no event is older than 1970
        assertEquals(Instant.parse("1900-01-01T00:00:00Z"), TimeExpressions.parse("since", "1900-01-01T00:00:00Z", NOW));
        assertTrue(TimeExpressions.parse("since", "36500d", NOW).isBefore(Timestamps.EARLIEST));
        assertEquals(TimeExpressions.EARLIEST_BOUND, TimeExpressions.parse("since", "0001-01-01T00:00:00Z", NOW));
        assertEquals(TimeExpressions.LATEST_BOUND, TimeExpressions.parse("until", "9999-12-31T23:59:59.999999Z", NOW));
    }

    @Test
    void boundsBeyondTheSupportedRangeAreRefusedNamingFieldAndRange() {
        for (String text : List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
                "-0001-12-31T23:59:59Z", "now-99999999999d", "now-999999999w", "999999999w", "now-" + "9".repeat(5000) + "s",
                "now-0000000000000000000000000000000000000000999999999999d")) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> TimeExpressions.parse("until", text, NOW), text);
            assertEquals("until", e.errors().get(0).field(), text);
            assertTrue(e.getMessage().contains("out of range") && e.getMessage().contains("0001-01-01T00:00:00Z")
                    && e.getMessage().contains("9999-12-31T23:59:59.999999Z"), e.getMessage());
        }
    }

    @Test
    void aRelativeTimeOfManyLeadingZerosIsStillItsValue() {
        assertEquals(NOW.minusSeconds(60), TimeExpressions.parse("since", "now-" + "0".repeat(100) + "1m", NOW));
    }

    @Test
    void malformedTextIsRefusedWithTheAllowedForms() {
        for (String text : List.of("yesterday", "now+1h", "1y", "2026-11-26", "2026-11-26T23:00:00", "-1h", "")) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> TimeExpressions.parse("since", text, NOW), text);
            assertTrue(e.getMessage().contains("ISO 8601"), e.getMessage());
        }
    }
}
