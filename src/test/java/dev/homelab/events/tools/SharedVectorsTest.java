package dev.homelab.events.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.TestEvents;
import dev.homelab.events.Timestamps;
import dev.homelab.events.service.EventValidator;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.ReadResult;

/**
 * tools/tests/vectors.json through the three writers: every valid vector written by bash, Python and Java
 * is read back by the Java store field for field; every invalid vector is refused by all three, naming the
 * same field, and leaves nothing on disk.
 */
class SharedVectorsTest {

    private static final List<String> FIELDS = List.of("timestamp", "node", "type", "severity", "source", "service",
            "correlation_id", "payload");

    /** Emits vectors with the Python library; prints one JSON line per vector: id, or the refused field. */
    private static final String PYTHON_DRIVER = """
            import json, sys
            from scripts.lib.events import emit_event, EventValidationError
            vectors = json.load(open(sys.argv[1], encoding="utf-8"))
            for i, vec in enumerate(vectors[sys.argv[2]]):
                if "python" not in vec.get("writers", ["java", "bash", "python"]) or "payload_text" in vec["event"]:
                    continue
                ev = vec["event"]
                try:
                    e = emit_event(event_type=ev["type"], severity=ev["severity"], source=ev["source"],
                                   service=ev["service"], correlation_id=ev.get("correlation_id"),
                                   payload=ev.get("payload"), node=ev.get("node"), timestamp=ev.get("timestamp"))
                    print(json.dumps({"index": i, "id": e["id"]}))
                except EventValidationError as x:
                    print(json.dumps({"index": i, "field": x.field, "message": str(x)}))
            """;

    @TempDir
    Path tmp;

    @Test
    void validVectorsWrittenByEveryWriterAreReadBackByTheJavaStoreFieldForField() throws Exception {
        Tools.assumeInstalled("bash", "python3");
        JsonNode vectors = Tools.vectors();
        List<String> problems = new ArrayList<>();
        int checked = 0;

        // bash, one process per vector (the payload pretty-printed: the library must compact it)
        Path bashRoot = tmp.resolve("bash");
        Map<Integer, String> bashIds = new java.util.TreeMap<>();
        Instant bashStart = Timestamps.now();
        JsonNode valid = vectors.get("valid");
        for (int i = 0; i < valid.size(); i++) {
            JsonNode v = valid.get(i);
            if (!Tools.appliesTo(v, "bash")) {
                continue;
            }
            Map<String, String> env = new java.util.HashMap<>(Tools.libraryEnv(bashRoot, vectors));
            if (v.get("event").has("node")) {
                env.put("HOMELAB_NODE", v.get("event").get("node").asText());
            }
            Tools.Result r = Tools.run(Tools.bashEmit(bashArgs(v.get("event"))), env, Duration.ofMinutes(1));
            if (r.exitCode() != 0 || !r.stderr().isEmpty()) {
                problems.add("bash refused valid vector '" + name(v) + "': " + r.describe());
            } else {
                bashIds.put(i, r.stdout().strip());
            }
        }
        Instant bashEnd = Timestamps.now();
        checked += readBack("bash", bashRoot, vectors, bashIds, bashStart, bashEnd, problems);

        // Python, one process for all vectors
        Path pyRoot = tmp.resolve("python");
        Instant pyStart = Timestamps.now();
        Tools.Result r = Tools.run(List.of("python3", "-c", PYTHON_DRIVER, Tools.VECTORS.toString(), "valid"),
                Tools.libraryEnv(pyRoot, vectors), Duration.ofMinutes(2));
        Instant pyEnd = Timestamps.now();
        assertEquals(0, r.exitCode(), r.describe());
        Map<Integer, String> pyIds = new java.util.TreeMap<>();
        for (String line : r.lines()) {
            JsonNode out = Tools.MAPPER.readTree(line);
            if (out.has("id")) {
                pyIds.put(out.get("index").asInt(), out.get("id").asText());
            } else {
                problems.add("python refused valid vector '" + name(valid.get(out.get("index").asInt())) + "': " + line);
            }
        }
        checked += readBack("python", pyRoot, vectors, pyIds, pyStart, pyEnd, problems);

        // Java itself: the vectors must be valid for the server's validator too
        Path javaRoot = Files.createDirectories(tmp.resolve("java")); // the server creates its root at start
        EventStore store = TestEvents.store(javaRoot);
        EventValidator validator = Tools.validator(vectors);
        Map<Integer, String> javaIds = new java.util.TreeMap<>();
        Instant javaStart = Timestamps.now();
        for (int i = 0; i < valid.size(); i++) {
            JsonNode v = valid.get(i);
            if (!Tools.appliesTo(v, "java")) {
                continue;
            }
            try {
                Event e = validator.toEvent(draft(v.get("event")));
                store.append(e);
                javaIds.put(i, e.id().toString());
            } catch (InvalidInputException e) {
                problems.add("java refused valid vector '" + name(v) + "': " + e.getMessage());
            }
        }
        checked += readBack("java", javaRoot, vectors, javaIds, javaStart, Timestamps.now(), problems);

        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
        System.out.println("[tools] valid vectors read back field for field: " + checked + " (bash " + bashIds.size()
                + ", python " + pyIds.size() + ", java " + javaIds.size() + ")");
        assertTrue(bashIds.size() >= 15 && pyIds.size() == valid.size() && javaIds.size() == valid.size(),
                "every writer wrote its vectors");
    }

    @Test
    void invalidVectorsAreRefusedByAllThreeWritersNamingTheSameField() throws Exception {
        Tools.assumeInstalled("bash", "python3");
        JsonNode vectors = Tools.vectors();
        JsonNode invalid = vectors.get("invalid");
        List<String> problems = new ArrayList<>();
        int bash = 0;
        int python = 0;
        int java = 0;

        Path bashRoot = tmp.resolve("bash");
        for (JsonNode v : invalid) {
            if (!Tools.appliesTo(v, "bash")) {
                continue;
            }
            Map<String, String> env = new java.util.HashMap<>(Tools.libraryEnv(bashRoot, vectors));
            if (v.get("event").has("node")) {
                env.put("HOMELAB_NODE", v.get("event").get("node").asText());
            }
            Tools.Result r = Tools.run(Tools.bashEmit(bashArgs(v.get("event"))), env, Duration.ofMinutes(1));
            String field = v.get("field").asText();
            if (r.exitCode() != 2 || !r.stdout().isEmpty() || r.stderr().split("\n", -1).length != 2
                    || !r.stderr().startsWith("emit_event: invalid " + field + " \"")) {
                problems.add("bash, vector '" + name(v) + "' (field " + field + "): " + r.describe());
            }
            bash++;
        }
        assertEquals(List.of(), filesUnder(bashRoot), "bash wrote nothing");

        Path pyRoot = tmp.resolve("python");
        Tools.Result r = Tools.run(List.of("python3", "-c", PYTHON_DRIVER, Tools.VECTORS.toString(), "invalid"),
                Tools.libraryEnv(pyRoot, vectors), Duration.ofMinutes(2));
        assertEquals(0, r.exitCode(), r.describe());
        for (String line : r.lines()) {
            JsonNode out = Tools.MAPPER.readTree(line);
            JsonNode v = invalid.get(out.get("index").asInt());
            if (!v.get("field").asText().equals(out.path("field").asText())) {
                problems.add("python, vector '" + name(v) + "' (field " + v.get("field").asText() + "): " + line);
            }
            python++;
        }
        assertEquals(List.of(), filesUnder(pyRoot), "python wrote nothing");

        EventValidator validator = Tools.validator(vectors);
        for (JsonNode v : invalid) {
            if (!Tools.appliesTo(v, "java")) {
                continue;
            }
            String field = v.get("field").asText();
            java++;
            EventDraft d;
            try {
                d = draft(v.get("event"));
            } catch (IOException e) {
                if (!field.equals("payload")) {
                    problems.add("java, vector '" + name(v) + "': unparseable payload but field " + field);
                }
                continue; // refused before validation, like the REST face's 400 Malformed JSON
            }
            try {
                Event e = validator.toEvent(d);
                problems.add("java accepted invalid vector '" + name(v) + "' (field " + field + "): " + e);
            } catch (InvalidInputException e) {
                Set<String> fields = e.errors().stream().map(FieldError::field).collect(Collectors.toCollection(TreeSet::new));
                if (!fields.equals(Set.of(field))) {
                    problems.add("java, vector '" + name(v) + "': expected field " + field + ", got " + e.errors());
                }
            }
        }

        System.out.println("[tools] invalid vectors refused: bash " + bash + ", python " + python + ", java " + java);
        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
        assertTrue(bash > 80 && python > 80 && java > 100, "every writer was given the invalid vectors");
    }

    /** Reads each written vector back through the Java store and compares it with what the vector asked for. */
    private static int readBack(String writer, Path root, JsonNode vectors, Map<Integer, String> ids, Instant start,
            Instant end, List<String> problems) throws IOException {
        EventStore store = TestEvents.store(root);
        int n = 0;
        for (Map.Entry<Integer, String> entry : ids.entrySet()) {
            JsonNode v = vectors.get("valid").get(entry.getKey());
            JsonNode ev = v.get("event");
            String id = entry.getValue();
            Path file = Tools.fileOf(root, id);
            String what = writer + ", vector '" + name(v) + "': ";
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (!text.endsWith("\n") || text.indexOf('\n') != text.length() - 1) {
                problems.add(what + "not one line with a trailing newline");
            }
            List<String> order = new ArrayList<>();
            Tools.MAPPER.readTree(bytes).fieldNames().forEachRemaining(order::add);
            if (!order.equals(FIELDS)) {
                problems.add(what + "field order " + order);
            }
            ReadResult result = store.read(root.relativize(file));
            if (!(result instanceof ReadResult.Ok ok)) {
                problems.add(what + "the Java store did not read it: " + result);
                continue;
            }
            Event e = ok.event();
            String node = ev.has("node") ? ev.get("node").asText() : vectors.get("default_node").asText();
            compare(problems, what + "id", id, e.id().toString());
            compare(problems, what + "node", node, e.node());
            compare(problems, what + "type", ev.get("type").asText(), e.type());
            compare(problems, what + "severity", ev.get("severity").asText(), e.severity().wireName());
            compare(problems, what + "source", ev.get("source").asText(), e.source());
            compare(problems, what + "service", ev.get("service").asText(), e.service());
            compare(problems, what + "correlation_id", ev.has("correlation_id") ? ev.get("correlation_id").asText() : id,
                    e.correlationId());
            JsonNode payload = ev.has("payload") ? ev.get("payload") : Tools.MAPPER.createObjectNode();
            if (!payload.equals(e.payload())) {
                problems.add(what + "payload differs:\n  expected " + payload + "\n  read     " + e.payload());
            }
            if (v.has("expect") && v.get("expect").has("timestamp")) {
                compare(problems, what + "timestamp", v.get("expect").get("timestamp").asText(),
                        Timestamps.toJson(e.timestamp()));
            } else if (e.timestamp().isBefore(start) || e.timestamp().isAfter(end)) {
                problems.add(what + "timestamp " + e.timestamp() + " not within the write (" + start + " .. " + end + ")");
            }
            n++;
        }
        return n;
    }

    private static void compare(List<String> problems, String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            problems.add(what + ": expected [" + expected + "], read [" + actual + "]");
        }
    }

    /** The arguments of emit_event for a vector; the payload pretty-printed, or its raw text. */
    private static List<String> bashArgs(JsonNode ev) throws IOException {
        List<String> args = new ArrayList<>(List.of(ev.get("type").asText(), ev.get("severity").asText(),
                ev.get("source").asText(), ev.get("service").asText(),
                ev.has("correlation_id") ? ev.get("correlation_id").asText() : ""));
        if (ev.has("payload_text")) {
            args.add(ev.get("payload_text").asText());
        } else if (ev.has("payload")) {
            args.add(Tools.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(ev.get("payload")));
        }
        return args;
    }

    /**
     * The draft the server would build from a vector. A payload_text is parsed strictly (trailing tokens
     * refused); a parse error is thrown as the refusal it is.
     */
    private static EventDraft draft(JsonNode ev) throws IOException {
        JsonNode payload = ev.get("payload");
        if (ev.has("payload_text")) {
            payload = Tools.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(ev.get("payload_text").asText());
        }
        return new EventDraft(text(ev, "timestamp"), text(ev, "node"), text(ev, "type"), text(ev, "severity"),
                text(ev, "source"), text(ev, "service"), text(ev, "correlation_id"), payload);
    }

    private static String text(JsonNode ev, String field) {
        return ev.has(field) ? ev.get(field).asText() : null;
    }

    private static String name(JsonNode v) {
        return v.get("name").asText();
    }

    private static List<Path> filesUnder(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
