package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.ExactJson;
import dev.homelab.events.ExactJsonTest;
import dev.homelab.events.Severity;

/**
 * The codec keeps every value exactly, comparing stored bytes: numbers as their literals on the write path and
 * the read path, strings as the bash and Python writers write them; and it reports, never serves, a file that
 * is not valid Unicode.
 */
class EventCodecExactValuesTest {

    static final String HEAD = "{\"timestamp\":\"2026-11-26T23:47:51.123456Z\",\"node\":\"pi4\",\"type\":\"deployment_started\","
            + "\"severity\":\"info\",\"source\":\"deploy.sh\",\"service\":\"mosquitto\",\"correlation_id\":\"c-1\",";

    /** A plain mapper, as tests and tools hand the codec: the codec applies the format's rules itself. */
    final EventCodec codec = new EventCodec(new ObjectMapper());
    final ObjectMapper exact = ExactJson.configure(new ObjectMapper());

    static byte[] file(String payload) {
        return (HEAD + "\"payload\":" + payload + "}\n").getBytes(StandardCharsets.UTF_8);
    }

    Event read(byte[] bytes) {
        ReadResult r = codec.fromBytes(bytes, "2026-11-26/pi4/x.json", Optional.empty());
        return assertInstanceOf(ReadResult.Ok.class, r, () -> "not read: " + r).event();
    }

    @Test
    void aFileIsReadAndWrittenBackByteForByteWhateverItsNumbers() {
        for (String literal : ExactJsonTest.AWKWARD) {
            byte[] bytes = file("{\"n\":" + literal + ",\"list\":[" + literal + ",{\"deep\":" + literal + "}]}");
            Event e = read(bytes);
            assertEquals(new String(bytes, StandardCharsets.UTF_8), new String(codec.toBytes(e), StandardCharsets.UTF_8),
                    literal);
        }
    }

    @Test
    void theWritePathStoresTheNumbersItWasGiven() throws Exception {
        String payload = "{\"ten\":1.10,\"e\":1E2,\"neg_zero\":-0,\"neg_zero_f\":-0.0,\"digits\":12345678901234567890.123456789012345,"
                + "\"huge\":1e400,\"tiny\":1e-400,\"int\":123456789012345678901234567890}";
        Event e = new Event(UUID.randomUUID(), Instant.parse("2026-11-26T23:47:51.123456Z"), "pi4", "deployment_started",
                Severity.INFO, "deploy.sh", "mosquitto", "c-1", (ObjectNode) exact.readTree(payload), Map.of());
        String stored = new String(codec.toBytes(e), StandardCharsets.UTF_8);
        assertEquals(HEAD + "\"payload\":" + payload + "}\n", stored);
    }

    @Test
    void stringsAreStoredAsBashAndPythonStoreThem() {
        // the bytes Python's json.dumps(ensure_ascii=False, separators=(",", ":")) writes, which bash keeps as given
        String payload = "{\"emoji\":\"\uD83D\uDE00\",\"key_\uD83D\uDE80\":\"\u00fc\",\"esc\":\"\\u001b\\u0001\u007f\",\"sep\":\"a\u2028b\"}";
        byte[] bytes = file(payload);
        assertEquals(new String(bytes, StandardCharsets.UTF_8), new String(codec.toBytes(read(bytes)), StandardCharsets.UTF_8));
        // the same values written with other escapes are read as the same values
        Event escaped = read(
                file("{\"emoji\":\"\\ud83d\\ude00\",\"key_\\uD83D\\uDE80\":\"\\u00FC\",\"esc\":\"\\u001B\\u0001\\u007f\","
                        + "\"sep\":\"a\\u2028b\"}"));
        assertEquals(new String(bytes, StandardCharsets.UTF_8), new String(codec.toBytes(escaped), StandardCharsets.UTF_8));
    }

    @Test
    void aLoneSurrogateAnywhereMakesTheFileInvalidNamingWhere() {
        assertInvalid(file("{\"a\":{\"b\":[\"x\\ud800y\"]}}"), "payload.a.b[0]");
        // in a key, Jackson's byte parser refuses it itself: skipped as corrupt JSON, never served either
        ReadResult key = codec.fromBytes(file("{\"k\\udc00\":1}"), "2026-11-26/pi4/x.json", Optional.empty());
        assertInstanceOf(ReadResult.Skipped.class, key, () -> "served: " + key);
        assertInvalid((HEAD.replace("\"deploy.sh\"", "\"dep\\ud800\"") + "\"payload\":{}}\n").getBytes(StandardCharsets.UTF_8),
                "source");
        assertInvalid((HEAD + "\"payload\":{},\"extra\":[\"\\ud800\"]}\n").getBytes(StandardCharsets.UTF_8), "extra[0]");
    }

    private void assertInvalid(byte[] bytes, String where) {
        ReadResult r = codec.fromBytes(bytes, "2026-11-26/pi4/x.json", Optional.empty());
        ReadResult.Skipped s = assertInstanceOf(ReadResult.Skipped.class, r, () -> "served: " + r);
        assertEquals(FileProblem.Reason.INVALID_EVENT, s.reason());
        assertTrue(s.detail().startsWith(where + " holds a lone surrogate"), s.detail());
    }

    @Test
    void aRepeatedKeyInThePayloadMakesTheFileCorrupt() {
        ReadResult r = codec.fromBytes(file("{\"x\":1,\"x\":2}"), "2026-11-26/pi4/x.json", Optional.empty());
        assertEquals(FileProblem.Reason.CORRUPT_JSON, assertInstanceOf(ReadResult.Skipped.class, r).reason());
    }

    @Test
    void nodeNamesAreReadInLowerCase() {
        Event e = read((HEAD.replace("\"node\":\"pi4\"", "\"node\":\"PI4.Home\"") + "\"payload\":{}}\n")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("pi4.home", e.node());
    }

    @Test
    void aHandWrittenTimestampWithNanosecondsIsReadAndTruncated() {
        Event e = read((HEAD.replace("51.123456Z", "51.123456789Z") + "\"payload\":{}}\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(Instant.parse("2026-11-26T23:47:51.123456Z"), e.timestamp());
    }
}
