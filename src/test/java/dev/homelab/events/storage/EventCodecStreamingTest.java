package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.Event;
import dev.homelab.events.Timestamps;

/**
 * The index reads files without building payload trees ({@link EventFiles#readForIndex}); it must decide exactly
 * as the full read does: same verdict, same reason and detail, same fields, for good files and hostile ones.
 */
class EventCodecStreamingTest {

    static final String HEAD = EventCodecExactValuesTest.HEAD;
    static final String PATH = "2026-11-26/pi4/x.json";

    final EventCodec codec = new EventCodec(new ObjectMapper());

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Documents that must be refused, or read, the same way with and without the payload tree. */
    static List<byte[]> documents() {
        List<String> texts = new ArrayList<>(List.of(
                HEAD + "\"payload\":{\"a\":1,\"b\":[1,2,{\"c\":\"x\"}]}}\n",
                HEAD + "\"payload\":{\"a\":1,\"a\":2}}\n", // repeated key inside the payload
                HEAD + "\"payload\":{\"a\":{\"b\":1,\"b\":1}}}\n", // repeated key deeper down
                HEAD + "\"payload\":{\"a\":[1,2}}\n", // broken syntax inside the payload
                HEAD + "\"payload\":{\"s\":\"\\ud800\"}}\n", // lone surrogate in the payload
                HEAD + "\"payload\":{\"s\":\"\\uD83D\\uDE00\"}}\n", // a proper pair
                HEAD + "\"payload\":{\"k\\udc00\":1}}\n", // lone surrogate in a key
                HEAD + "\"payload\":{}} {}\n", // a second document
                HEAD + "\"payload\":{}} x\n", // trailing garbage
                HEAD + "\"payload\":{}", // not closed
                HEAD + "\"payload\":[1]}\n", // payload not an object
                HEAD + "\"payload\":\"text\"}\n",
                HEAD + "\"payload\":null}\n",
                HEAD.substring(0, HEAD.length() - 1) + "}\n", // no payload
                HEAD + "\"payload\":{},\"extra\":{\"x\":[true,null]},\"id\":\"not-a-uuid\"}\n",
                HEAD + "\"payload\":{},\"node\":\"pi5\"}\n", // repeated top-level key
                "[1,2]\n", "\"text\"\n", "null\n", "   \n", "{}\n", "{\"timestamp\":5}\n",
                "{\"timestamp\":\"2026-02-30T00:00:00.000000Z\",\"node\":\"pi4\",\"type\":\"node_online\","
                        + "\"severity\":\"info\",\"source\":\"s\",\"service\":\"s\"}",
                "{\"timestamp\":\"2026-11-26T24:00:00.000000Z\",\"node\":\"pi4\",\"type\":\"node_online\","
                        + "\"severity\":\"info\",\"source\":\"s\",\"service\":\"s\"}",
                "{\"timestamp\":\"2026-11-26T23:47:51+02:00\",\"node\":\"PI4\",\"type\":\"node_online\","
                        + "\"severity\":\"info\",\"source\":\"s\",\"service\":\"s\",\"correlation_id\":null}",
                HEAD.replace("\"pi4\"", "\"bad node!\"") + "\"payload\":{}}",
                HEAD.replace("\"info\"", "7") + "\"payload\":{}}",
                HEAD.replace("deployment_started", "Bad-Type") + "\"payload\":{}}"));
        List<byte[]> out = new ArrayList<>();
        texts.forEach(t -> out.add(bytes(t)));
        out.add(new byte[]{ '{', '"', (byte) 0xC3, '"', '}' }); // not UTF-8
        out.add(bytes(HEAD + "\"payload\":{\"deep\":" + "[".repeat(2000) + "]".repeat(2000) + "}}"));
        return out;
    }

    @Test
    void theIndexReadDecidesExactlyAsTheFullRead() {
        for (byte[] b : documents()) {
            String text = new String(b, StandardCharsets.UTF_8);
            ReadResult full = codec.fromBytes(b, PATH, Optional.empty(), true);
            ReadResult index = codec.fromBytes(b, PATH, Optional.empty(), false);
            assertEquals(full.getClass(), index.getClass(), text);
            if (full instanceof ReadResult.Skipped s) {
                assertEquals(s, index, text);
            } else {
                Event f = ((ReadResult.Ok) full).event();
                Event i = ((ReadResult.Ok) index).event();
                assertNull(i.payload(), "the index read builds no payload tree: " + text);
                assertEquals(new Event(f.id(), f.timestamp(), f.node(), f.type(), f.severity(), f.source(), f.service(),
                        f.correlationId(), null, f.extra()), i, text);
            }
        }
    }

    @Test
    void hostileFilesAreStillRefusedWithoutTheTree() {
        String[] refused = { "\"payload\":{\"a\":1,\"a\":2}}", "\"payload\":{\"s\":\"\\ud800\"}}", "\"payload\":{\"a\":[1,2}}",
                "\"payload\":{}} {}" };
        for (String tail : refused) {
            ReadResult r = codec.fromBytes(bytes(HEAD + tail), PATH, Optional.empty(), false);
            assertInstanceOf(ReadResult.Skipped.class, r, tail);
        }
        ReadResult deep = codec.fromBytes(bytes(HEAD + "\"payload\":{\"d\":" + "[".repeat(2000) + "]".repeat(2000) + "}}"),
                PATH, Optional.empty(), false);
        assertEquals(FileProblem.Reason.CORRUPT_JSON, ((ReadResult.Skipped) deep).reason(), "nesting limit: " + deep);
        ReadResult lone = codec.fromBytes(bytes(HEAD + "\"payload\":{\"s\":\"\\ud800\"}}"), PATH, Optional.empty(), false);
        assertEquals(FileProblem.Reason.INVALID_EVENT, ((ReadResult.Skipped) lone).reason());
        assertTrue(((ReadResult.Skipped) lone).detail().startsWith("payload.s holds a lone surrogate"), lone.toString());
    }

    @Test
    void theApplicationsNestingLimitHoldsForTheSkippedPayloadToo() {
        ObjectMapper strict = new ObjectMapper();
        strict.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(5).build());
        EventCodec limited = new EventCodec(strict);
        byte[] b = bytes(HEAD + "\"payload\":{\"d\":[[[[[[1]]]]]]}}");
        for (boolean tree : new boolean[]{ true, false }) {
            ReadResult r = limited.fromBytes(b, PATH, Optional.empty(), tree);
            assertEquals(FileProblem.Reason.CORRUPT_JSON, assertInstanceOf(ReadResult.Skipped.class, r).reason(),
                    "tree " + tree);
        }
    }

    @Test
    void theTimestampFastPathAgreesWithTheGeneralParser() {
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            long micros = Timestamps.toMicros(Timestamps.EARLIEST)
                    + (long) (rnd.nextDouble()
                            * (Timestamps.toMicros(Timestamps.LATEST) - Timestamps.toMicros(Timestamps.EARLIEST)));
            String text = Timestamps.toJson(Timestamps.fromMicros(micros));
            assertEquals(Timestamps.parseIso(text), EventCodec.parseTimestamp(text), text);
        }
        for (String bad : new String[]{ "2026-02-29T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z",
                "2026-11-26T23:60:00.000000Z", "2026-11-26T23:00:60.000000Z", "2026-11-00T00:00:00.000000Z",
                "2026-11-26T23:47:5x.000000Z", "2026-11-26 23:47:51.000000Z" }) {
            assertThrows(DateTimeParseException.class, () -> EventCodec.parseTimestamp(bad), bad);
            assertThrows(DateTimeParseException.class, () -> Timestamps.parseIso(bad), bad);
        }
        assertEquals(Instant.parse("2024-02-29T12:00:00.5Z"), EventCodec.parseTimestamp("2024-02-29T12:00:00.500000Z"));
    }

    @Test
    void theIndexReadOfAFileGoesThroughTheSameFileRules(@TempDir Path root) throws Exception {
        EventFiles files = new EventFiles(root, codec, 1 << 20);
        Path dir = Files.createDirectories(root.resolve("2026-11-26/pi4"));
        String name = "20261126T234751.123456Z_deployment_started_0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11.json";
        Files.write(dir.resolve(name), bytes(HEAD + "\"payload\":{\"a\":1}}\n"));
        EventFiles.Entry.Candidate c = (EventFiles.Entry.Candidate) files.classify(Path.of("2026-11-26/pi4/" + name),
                Files.readAttributes(dir.resolve(name), java.nio.file.attribute.BasicFileAttributes.class));
        Event full = ((ReadResult.Ok) files.read(c)).event();
        ReadResult.Ok index = (ReadResult.Ok) files.readForIndex(c);
        assertEquals(full.id(), index.event().id());
        assertEquals("0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11", index.event().id().toString());
        assertEquals(1, full.payload().get("a").intValue());
        assertTrue(new String(index.bytes(), StandardCharsets.UTF_8).contains("\"a\":1"));
    }
}
