package dev.homelab.events.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/** The application's ObjectMapper (REST bodies, tool arguments, event files) carries our explicit read limits. */
@QuarkusTest
class JsonLimitsTest {

    @Inject
    ObjectMapper mapper;

    @Test
    void limitsAreOursNotJacksonsDefaults() {
        StreamReadConstraints c = mapper.getFactory().streamReadConstraints();
        assertEquals(64, c.getMaxNestingDepth());
        assertEquals(1_048_576, c.getMaxStringLength());
        assertEquals(1000, c.getMaxNumberLength());
        assertEquals(1024, c.getMaxNameLength());
    }

    @Test
    void aThirtyMegabyteStringIsRefusedByTheParserItself() {
        // over HTTP the body cap answers 413 first; a file or an in-process caller meets this limit
        String doc = "{\"s\":\"" + "x".repeat(30 * 1024 * 1024) + "\"}";
        StreamConstraintsException e = assertThrows(StreamConstraintsException.class, () -> mapper.readTree(doc));
        assertTrue(e.getMessage().contains("String value length"), e.getMessage());
    }

    @Test
    void deepNestingAndLongNumbersAreRefusedWithoutBuildingATree() {
        assertThrows(StreamConstraintsException.class, () -> mapper.readTree("[".repeat(1_000_000)));
        assertThrows(StreamConstraintsException.class, () -> mapper.readTree("{\"n\":" + "1".repeat(5000) + "}"));
        assertThrows(StreamConstraintsException.class, () -> mapper.readTree("{\"" + "k".repeat(5000) + "\":1}"));
    }
}
