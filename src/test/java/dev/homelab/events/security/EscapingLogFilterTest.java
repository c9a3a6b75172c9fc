package dev.homelab.events.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

class EscapingLogFilterTest {

    @Test
    void escapesControlAndBidiCharactersInParametersOnly() {
        LogRecord r = new LogRecord(Level.WARNING, "Refused %s from %s\nsecond line of ours");
        Object[] params = { "/api/events\r\n2026-11-27 INFO [forged] admin logged in", 42, "\u202Egnp.exe" };
        r.setParameters(params);
        assertTrue(new EscapingLogFilter().isLoggable(r));
        assertArrayEquals(new Object[]{ "/api/events\\r\\n2026-11-27 INFO [forged] admin logged in", 42, "\\u202Egnp.exe" },
                r.getParameters());
        assertEquals("Refused %s from %s\nsecond line of ours", r.getMessage(), "format strings are ours and left alone");
    }

    @Test
    void leavesCleanRecordsUntouched() {
        LogRecord r = new LogRecord(Level.INFO, "x %s");
        Object[] params = { "clean value" };
        r.setParameters(params);
        new EscapingLogFilter().isLoggable(r);
        assertSame(params, r.getParameters());
    }
}
