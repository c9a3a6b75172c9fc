package dev.homelab.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON rules of the format (ExactJson): numbers keep their literal through every way the server reads and
 * writes JSON (trees for REST and files, untyped maps for Vert.x and so MCP, conversions between them), keys are
 * unique, strings are written like the bash and Python writers write them.
 */
public class ExactJsonTest {

    /** Every awkward kind of number: each must come back as exactly this text. */
    public static final List<String> AWKWARD = List.of("1.10", "1E2", "1e2", "-0", "-0.0", "0.0", "2.50e-3", "1e+300", "1E-7",
            "12345678901234567890.123456789012345", "1e400", "-1e400", "1e-400", "123456789012345678901234567890",
            "9007199254740993", "0", "-1", "1.5", "100", "1.0E300", "-3.0E-7");

    final ObjectMapper mapper = ExactJson.configure(new ObjectMapper());

    @Test
    void everyNumberIsWrittenBackAsTheLiteralItWasReadAs() throws Exception {
        for (String literal : AWKWARD) {
            String json = "{\"n\":" + literal + ",\"a\":[" + literal + "],\"o\":{\"m\":" + literal + "}}";
            JsonNode tree = mapper.readTree(json);
            assertEquals(json, mapper.writeValueAsString(tree), literal + " through a tree");
            assertEquals(json, tree.toString(), literal + " through JsonNode.toString()");
            Map<String, Object> untyped = mapper.readValue(json, new TypeReference<Map<String, Object>>() {
            });
            assertEquals(json, mapper.writeValueAsString(untyped), literal + " through an untyped map (Vert.x, MCP)");
            assertEquals(json, mapper.writeValueAsString(mapper.readValue(json, Object.class)), literal + " as Object");
            assertEquals(json, mapper.writeValueAsString(mapper.convertValue(untyped, JsonNode.class)),
                    literal + " from a map to a tree");
            assertEquals(json, mapper.writeValueAsString(mapper.convertValue(tree, Map.class)), literal + " tree to map");
            assertEquals(json, mapper.writeValueAsString(mapper.treeToValue(tree, ObjectNode.class)),
                    literal + " tree to tree");
            assertEquals(json, mapper.writeValueAsString(mapper.valueToTree(untyped)), literal + " valueToTree");
        }
    }

    @Test
    void numbersThatJacksonPrintsIdenticallyStayOrdinaryNodes() throws Exception {
        JsonNode tree = mapper.readTree("{\"i\":42,\"d\":1.5,\"big\":123456789012345678901234567890,\"x\":1.10}");
        assertTrue(tree.get("i").isInt());
        assertTrue(tree.get("d").isDouble());
        assertTrue(tree.get("big").isBigInteger());
        assertInstanceOf(ExactNumberNode.class, tree.get("x"));
        // so trees built by other code still compare equal where the text is the same
        assertEquals(new ObjectMapper().readTree("{\"i\":42,\"d\":1.5}"), mapper.readTree("{\"i\":42,\"d\":1.5}"));
    }

    @Test
    void noNumberBecomesInfinityNaNOrAString() throws Exception {
        String json = "{\"big\":1e400,\"small\":1e-400,\"neg\":-1e400}";
        String out = mapper.writeValueAsString(mapper.readTree(json));
        assertEquals(json, out);
        assertFalse(out.contains("Infinity") || out.contains("NaN") || out.contains("\"1e400\""), out);
        // what plain Jackson does, for the record of why this class exists
        assertEquals("{\"big\":\"Infinity\",\"small\":0.0,\"neg\":\"-Infinity\"}",
                new ObjectMapper().writeValueAsString(new ObjectMapper().readValue(json, Map.class)));
    }

    @Test
    void conversionsOfHugeExponentsAreCheapAndBounded() throws Exception {
        JsonNode n = mapper.readTree("1e999999999");
        JsonNode tiny = mapper.readTree("1e-999999999");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertFalse(n.canConvertToInt());
            assertFalse(n.canConvertToLong());
            assertEquals(Integer.MAX_VALUE, n.intValue());
            assertEquals(Double.POSITIVE_INFINITY, n.doubleValue());
            assertThrows(ArithmeticException.class, n::bigIntegerValue);
            assertEquals(0, tiny.intValue());
            assertEquals(java.math.BigInteger.ZERO, tiny.bigIntegerValue());
            assertEquals("1e999999999", n.asText());
        });
        JsonNode negZero = mapper.readTree("-0");
        assertTrue(negZero.isIntegralNumber());
        assertTrue(negZero.canConvertToInt());
        assertEquals(0, negZero.intValue());
    }

    @Test
    void integralLiteralsBindToIntegersAndFractionsDoNot() throws Exception {
        record Args(Integer limit) {
        }
        assertEquals(0, mapper.treeToValue(mapper.readTree("{\"limit\":-0}"), Args.class).limit());
        assertEquals(100, mapper.treeToValue(mapper.readTree("{\"limit\":100}"), Args.class).limit());
        assertTrue(mapper.readTree("1E2").isFloatingPointNumber(), "1E2 is written as a fraction-or-exponent literal");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"type\":\"a\",\"type\":\"b\"}", "{\"p\":{\"x\":1,\"x\":1}}", "[{\"k\":1,\"k\":2}]" })
    void aRepeatedKeyIsRefusedByEveryReader(String json) {
        assertThrows(JsonProcessingException.class, () -> mapper.readTree(json), "tree");
        assertThrows(JsonProcessingException.class, () -> mapper.readValue(json, Object.class), "untyped");
        // the readers refuse it themselves too, whatever the parser is told
        ObjectMapper lenient = ExactJson.configure(new ObjectMapper())
                .disable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        assertThrows(JsonProcessingException.class, () -> lenient.readTree(json), "tree, lenient parser");
        assertThrows(JsonProcessingException.class, () -> lenient.readValue(json, Object.class), "untyped, lenient parser");
    }

    @Test
    void stringsAreWrittenAsRawUtf8WithLowerCaseEscapesLikePython() throws Exception {
        JsonNode tree = mapper
                .readTree("{\"e\":\"\\ud83d\\ude00 \\u00e9\",\"c\":\"\\u001b\\u007f\\u0001\\n\\t\",\"s\":\"a/b\"}");
        String out = new String(mapper.writeValueAsBytes(tree), StandardCharsets.UTF_8);
        // what Python's json.dumps(ensure_ascii=False, separators=(",", ":")) writes for the same value
        assertEquals("{\"e\":\"\uD83D\uDE00 \u00e9\",\"c\":\"\\u001b\u007f\\u0001\\n\\t\",\"s\":\"a/b\"}", out);
    }

    @Test
    void loneSurrogatesAreFoundInValuesAndKeysAtAnyDepth() throws Exception {
        assertEquals(Optional.empty(), ExactJson.firstLoneSurrogate(mapper.readTree("{\"a\":\"\\ud83d\\ude00\"}"), "payload"));
        assertEquals(Optional.of("payload.a"),
                ExactJson.firstLoneSurrogate(mapper.readTree("{\"a\":\"x\\ud800y\"}"), "payload"));
        assertEquals(Optional.of("payload.a[1].b"),
                ExactJson.firstLoneSurrogate(mapper.readTree("{\"a\":[1,{\"b\":\"\\udc00\"}]}"), "payload"));
        assertEquals(Optional.of("payload.k\\uD800"),
                ExactJson.firstLoneSurrogate(mapper.readTree("{\"k\\ud800\":1}"), "payload"));
        assertEquals(Optional.of("payload.x"),
                ExactJson.firstLoneSurrogate(mapper.readTree("{\"x\":\"\\ude00\\ud83d\"}"), "payload"), "reversed pair");
    }
}
