package dev.homelab.events.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Standard input of the MCP stdio transport as {@link Utf8Console} hands it on when the default charset is not
 * UTF-8: pure ASCII JSON that means exactly what the UTF-8 lines meant, read line by line with US-ASCII as the
 * transport's reader would.
 */
class Utf8ConsoleTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void utf8JsonLinesArriveAsAsciiJsonWithTheSameMeaning() throws Exception {
        String first = "{\"service\":\"gr\u00FC\u00DFe\",\"text\":\"\uD83D\uDE00 \u76E3\u8996 \u05E9\u05DC\u05D5\u05DD\",\"n\":1.10}";
        String second = "{\"plain\":\"ascii \\\" \\\\ \\u00e9\"}";
        byte[] in = (first + "\n" + second + "\n").getBytes(StandardCharsets.UTF_8);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new Utf8Console.JsonEscapingInput(new ByteArrayInputStream(in)), StandardCharsets.US_ASCII))) {
            String a = r.readLine();
            String b = r.readLine();
            assertTrue(a.chars().allMatch(c -> c < 0x80), a);
            assertTrue(a.contains("\\u00fc\\u00df") && a.contains("\\ud83d\\ude00") && a.contains("\"n\":1.10"), a);
            assertEquals(MAPPER.readTree(first), MAPPER.readTree(a));
            assertEquals(second, b, "ASCII passes unchanged");
            assertEquals(null, r.readLine());
        }
    }

    @Test
    void malformedUtf8BecomesTheReplacementCharacterNotAnError() throws Exception {
        byte[] in = { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}', '\n' };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Utf8Console.JsonEscapingInput(new ByteArrayInputStream(in)).transferTo(out);
        JsonNode n = MAPPER.readTree(out.toByteArray());
        assertEquals("\uFFFD", n.get("a").asText());
    }
}
