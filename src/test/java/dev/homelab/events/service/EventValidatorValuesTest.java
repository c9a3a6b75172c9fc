package dev.homelab.events.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.ExactJson;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;

/**
 * The value rules of a new event (docs/format.md): valid Unicode everywhere, names without invisible or
 * look-alike characters, node names in lower case, no blank correlation id, timestamps of at most microseconds,
 * payload numbers kept exactly.
 */
class EventValidatorValuesTest {

    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    final ObjectMapper mapper = ExactJson.configure(new ObjectMapper());
    final EventValidator validator = new EventValidator(List.of(), "Build-Host", 65536, 16, Duration.ofHours(24),
            new ObjectMapper(), Clock.fixed(NOW, ZoneOffset.UTC));

    static EventDraft draft(String source, String service, String correlationId, JsonNode payload) {
        return new EventDraft(null, null, "deployment_started", "info", source, service, correlationId, payload);
    }

    JsonNode json(String text) {
        try {
            return mapper.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    Set<String> refusedFields(EventDraft d) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> validator.toEvent(d), d.toString());
        return e.errors().stream().map(FieldError::field).collect(Collectors.toSet());
    }

    String message(EventDraft d) {
        return assertThrows(InvalidInputException.class, () -> validator.toEvent(d)).getMessage();
    }

    @Test
    void payloadNumbersKeepTheirLiteral() throws Exception {
        String payload = "{\"ten\":1.10,\"e\":1E2,\"z\":-0,\"huge\":1e400,\"tiny\":1e-400,\"d\":12345678901234567890.123456789012345}";
        Event e = validator.toEvent(draft("s", "svc", null, json(payload)));
        assertEquals(payload, mapper.writeValueAsString(e.payload()));
    }

    @Test
    void thePayloadLimitCountsTheStoredUtf8BytesExactly() throws Exception {
        // multi-byte characters, a character beyond the BMP (four bytes, not an escaped pair), an escaped control
        // character and an exact number: the limit is on the compact UTF-8 the store writes, to the byte
        String head = "{\"k\":\"é€😀\\u001b\",\"n\":1.10,\"pad\":\"";
        int limit = 65536;
        int fixed = head.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 2; // and the closing "}
        String atLimit = head + "x".repeat(limit - fixed) + "\"}";
        JsonNode exact = json(atLimit);
        assertEquals(limit, mapper.writeValueAsString(exact).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        validator.toEvent(draft("s", "svc", null, exact));
        String over = head + "x".repeat(limit - fixed + 1) + "\"}";
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> validator.toEvent(draft("s", "svc", null, json(over))));
        assertEquals(List.of(new FieldError("payload", "65537 bytes", "is larger than 65536 bytes of compact JSON")),
                e.errors());
    }

    @Test
    void aLoneSurrogateIsRefusedInThePayloadAtAnyDepthAndInKeysNamingWhere() {
        String m = message(draft("s", "svc", null, json("{\"a\":[{\"b\":\"x\\ud800y\"}]}")));
        assertTrue(m.contains("payload.a[0].b") && m.contains("lone surrogate"), m);
        ObjectNode key = mapper.createObjectNode();
        key.putObject("o").put("k\uDFFF", 1);
        String keyMessage = message(draft("s", "svc", null, key));
        assertTrue(keyMessage.contains("payload.o.k\\uDFFF"), keyMessage);
    }

    @Test
    void aLoneSurrogateIsRefusedInEveryTextField() {
        assertEquals(Set.of("source"), refusedFields(draft("x\uD800y", "svc", null, null)));
        assertEquals(Set.of("service"), refusedFields(draft("s", "svc\uDC00", null, null)));
        assertEquals(Set.of("correlation_id"), refusedFields(draft("s", "svc", "\uD800", null)));
        assertEquals(Set.of("type"), refusedFields(new EventDraft(null, null, "deployment_started\uD800", "info", "s", "v",
                null, null)));
        assertEquals(Set.of("node"), refusedFields(new EventDraft(null, "pi\uD8004", "deployment_started", "info", "s", "v",
                null, null)));
        assertEquals(Set.of("timestamp"), refusedFields(new EventDraft("2026-11-26T10:00:00\uD800Z", null,
                "deployment_started", "info", "s", "v", null, null)));
        assertTrue(message(draft("x\uD800y", "svc", null, null)).contains("lone surrogate"));
    }

    @Test
    void aNonFiniteNumberBuiltByCodeIsRefused() {
        ObjectNode p = mapper.createObjectNode();
        p.put("x", Double.POSITIVE_INFINITY);
        assertEquals(Set.of("payload"), refusedFields(draft("s", "svc", null, p)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "mos\u200Bquitto", "\uFEFFmosquitto", "mosquitto\u2028", "mosquitto\u2029", "mos\u00ADquitto",
            "mos\u2060quitto", "mos\u200Dquitto", "mosquitto\uDB40\uDC41", "mos\u180Equitto", "\u0600x", "a\u200Eb" })
    void invisibleFormatCharactersAreRefusedInEveryName(String name) {
        assertEquals(Set.of("service"), refusedFields(draft("s", name, null, null)));
        assertEquals(Set.of("source"), refusedFields(draft(name, "svc", null, null)));
        assertEquals(Set.of("correlation_id"), refusedFields(draft("s", "svc", name, null)));
    }

    @Test
    void lookAlikeScriptsMixedInsideAWordAreRefused() {
        String cyrillicO = "m\u043Esquitto"; // mоsquitto
        assertEquals(Set.of("service"), refusedFields(draft("s", cyrillicO, null, null)));
        assertEquals(Set.of("source"), refusedFields(draft("p\u0430ypal", "svc", null, null))); // Cyrillic а
        assertEquals(Set.of("correlation_id"), refusedFields(draft("s", "svc", "dep\u03BFy-1", null))); // Greek ο
        assertTrue(message(draft("s", cyrillicO, null, null)).contains("look-alike scripts"));
        // one script per word is fine, and so are other scripts and accents
        for (String fine : List.of("mosquitto-\u0441\u0435\u0440\u0432\u0435\u0440", "\u0441\u0435\u0440\u0432\u0435\u0440",
                "caf\u00E9", "cafe\u0301", "\u03B1\u03B2\u03B3 abc", "\u76E3\u8996abc",
                "mosquitto \u00E9 \u05E9\u05DC\u05D5\u05DD")) {
            assertEquals(fine, validator.toEvent(draft("s", fine, null, null)).service());
        }
    }

    @Test
    void nodeNamesAreStoredInLowerCase() {
        Event e = validator.toEvent(new EventDraft(null, "PI4.Home.ARPA", "deployment_started", "info", "s", "v", null, null));
        assertEquals("pi4.home.arpa", e.node());
        assertEquals("build-host", validator.toEvent(draft("s", "v", null, null)).node(), "the default node too");
        assertEquals("build-host", validator.defaultNode());
    }

    @Test
    void aBlankCorrelationIdIsRefusedAndAnEmptyOneMeansNone() {
        assertEquals(Set.of("correlation_id"), refusedFields(draft("s", "v", "   ", null)));
        assertEquals(Set.of("correlation_id"), refusedFields(draft("s", "v", "\u3000", null)));
        Event e = validator.toEvent(draft("s", "v", "", null));
        assertEquals(e.id().toString(), e.correlationId());
    }

    @Test
    void timestampsWithMoreThanMicrosecondsAreRefusedNotCut() {
        for (String ts : List.of("2026-11-26T10:00:00.1234567Z", "2026-11-26T10:00:00.123456789Z",
                "2026-11-26T11:00:00.123456000+01:00")) {
            EventDraft d = new EventDraft(ts, null, "deployment_started", "info", "s", "v", null, null);
            assertEquals(Set.of("timestamp"), refusedFields(d), ts);
            assertTrue(message(d).contains("at most 6 fraction digits"), message(d));
        }
        Event e = validator.toEvent(new EventDraft("2026-11-26T10:00:00.123456+01:00", null, "deployment_started", "info",
                "s", "v", null, null));
        assertEquals(Instant.parse("2026-11-26T09:00:00.123456Z"), e.timestamp());
    }
}
