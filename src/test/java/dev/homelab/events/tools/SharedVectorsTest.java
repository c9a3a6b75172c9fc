package dev.homelab.events.tools;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * tools/tests/vectors.json through the three writers: the server (its REST face, which is how Java writes
 * events), bash and Python.
 * <ul>
 * <li>every valid vector is stored by each writer as exactly the bytes the vector gives ({@code stored}), and the
 * server serves what bash and Python wrote;</li>
 * <li>every invalid vector is refused by all three, naming the same field, and leaves nothing on disk;</li>
 * <li>the remediation-pairing cases give the same steps on the server ({@code get_remediation_history}) as the
 * vectors say, and the same latest step through bash and Python {@code latest_remediation}.</li>
 * </ul>
 * Where a writer does not store a vector's bytes yet, the vector is listed in {@code known_divergent} of the
 * vectors (KNOWN_DIVERGENT in make_vectors.py, issue 13): such a vector must still differ, so the list can only
 * shrink.
 */
@QuarkusTest
@TestProfile(SharedVectorsTest.VectorsServer.class)
class SharedVectorsTest {

    /** A server of its own, configured as the vectors expect (node, custom types). */
    public static class VectorsServer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                JsonNode vectors = Tools.vectors();
                List<String> custom = new ArrayList<>();
                vectors.get("custom_types").forEach(t -> custom.add(t.asText()));
                return Map.of("homelab.events.dir", Files.createTempDirectory("shared-vectors").resolve("events").toString(),
                        "homelab.node", vectors.get("default_node").asText(),
                        "homelab.events.custom-types", String.join(",", custom));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Emits vectors with the Python library; prints one JSON line per vector: id, or the refused field. */
    private static final String PYTHON_DRIVER = """
            import json, sys
            from scripts.lib.events import emit_event, EventValidationError
            vectors = json.load(open(sys.argv[1], encoding="utf-8"))
            for i, vec in enumerate(vectors[sys.argv[2]]):
                if "python" not in vec.get("writers", ["java", "bash", "python"]):
                    continue
                ev = vec["event"]
                # text where Python's parser would change the numbers (payload_as_text) or is the point
                payload = ev["payload_json"] if vec.get("payload_as_text") else ev.get("payload_text", ev.get("payload"))
                try:
                    e = emit_event(event_type=ev["type"], severity=ev["severity"], source=ev["source"],
                                   service=ev["service"], correlation_id=ev.get("correlation_id"),
                                   payload=payload, node=ev.get("node"), timestamp=ev.get("timestamp"))
                    print(json.dumps({"index": i, "id": e["id"]}))
                except EventValidationError as x:
                    print(json.dumps({"index": i, "field": x.field, "message": str(x)}))
            """;

    /** Prints, per service given, the latest start and its completion (or "no") as Python pairs them. */
    private static final String PYTHON_LATEST = """
            import sys
            from scripts.lib.events import latest_remediation
            for service in sys.argv[1:]:
                r = latest_remediation(service)
                print(service, r["started"]["id"] if r else "none", r["completed"]["id"] if r and r["completed"] else "no")
            """;

    private static final Pattern TIMESTAMP = Pattern.compile("^\\{\"timestamp\":\"([^\"]+)\"");

    @TempDir
    Path tmp;

    @Test
    void validVectorsAreStoredByteForByteByTheServerBashAndPython() throws Exception {
        Tools.assumeInstalled("bash", "python3");
        JsonNode vectors = Tools.vectors();
        JsonNode valid = vectors.get("valid");
        Path serverRoot = serverRoot();
        List<String> problems = new ArrayList<>();
        List<String> stillDivergent = new ArrayList<>();

        // the server, through its REST face: the body is built as text, so the payload reaches it as written
        Map<Integer, String> javaIds = new TreeMap<>();
        Instant javaStart = Instant.now();
        for (int i = 0; i < valid.size(); i++) {
            JsonNode v = valid.get(i);
            if (!Tools.appliesTo(v, "java")) {
                continue;
            }
            Response r = post(body(v.get("event")));
            if (r.statusCode() == 201) {
                javaIds.put(i, r.path("id"));
            } else {
                problems.add("server refused valid vector '" + name(v) + "': " + r.statusCode() + " " + r.asString());
            }
        }
        Instant javaEnd = Instant.now();
        compareBytes("java", serverRoot, vectors, javaIds, javaStart, javaEnd, problems, stillDivergent);

        // bash, one process per vector (payload_json is pretty-printed: the library must compact it)
        Path bashRoot = tmp.resolve("bash");
        Map<Integer, String> bashIds = new TreeMap<>();
        Instant bashStart = Instant.now();
        for (int i = 0; i < valid.size(); i++) {
            JsonNode v = valid.get(i);
            if (!Tools.appliesTo(v, "bash")) {
                continue;
            }
            Tools.Result r = Tools.run(Tools.bashEmit(bashArgs(v.get("event"))), env(bashRoot, vectors, v),
                    Duration.ofMinutes(1));
            if (r.exitCode() != 0 || !r.stderr().isEmpty()) {
                problems.add("bash refused valid vector '" + name(v) + "': " + r.describe());
            } else {
                bashIds.put(i, r.stdout().strip());
            }
        }
        Instant bashEnd = Instant.now();
        compareBytes("bash", bashRoot, vectors, bashIds, bashStart, bashEnd, problems, stillDivergent);

        // Python, one process for all vectors
        Path pyRoot = tmp.resolve("python");
        Instant pyStart = Instant.now();
        Tools.Result py = Tools.run(List.of("python3", "-c", PYTHON_DRIVER, Tools.VECTORS.toString(), "valid"),
                Tools.libraryEnv(pyRoot, vectors), Duration.ofMinutes(2));
        Instant pyEnd = Instant.now();
        assertEquals(0, py.exitCode(), py.describe());
        Map<Integer, String> pyIds = new TreeMap<>();
        for (String line : py.lines()) {
            JsonNode out = Tools.MAPPER.readTree(line);
            if (out.has("id")) {
                pyIds.put(out.get("index").asInt(), out.get("id").asText());
            } else {
                problems.add("python refused valid vector '" + name(valid.get(out.get("index").asInt())) + "': " + line);
            }
        }
        compareBytes("python", pyRoot, vectors, pyIds, pyStart, pyEnd, problems, stillDivergent);

        // the server serves what the libraries wrote into its store behind its back
        Map<String, JsonNode> copied = new LinkedHashMap<>();
        for (Map.Entry<Path, Map<Integer, String>> written : Map.of(bashRoot, bashIds, pyRoot, pyIds).entrySet()) {
            for (Map.Entry<Integer, String> e : written.getValue().entrySet()) {
                Path file = Tools.fileOf(written.getKey(), e.getValue());
                Path target = serverRoot.resolve(written.getKey().relativize(file));
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
                copied.put(e.getValue(), valid.get(e.getKey()));
            }
        }
        Awaitility.await("the server indexes the files bash and Python wrote").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> copied.keySet().stream().allMatch(id -> given().get("/api/events/{id}", id).statusCode() == 200));
        for (Map.Entry<String, JsonNode> e : copied.entrySet()) {
            JsonNode ev = e.getValue().get("event");
            JsonNode served = Tools.MAPPER.readTree(given().get("/api/events/{id}", e.getKey()).asString());
            String what = "served library event of vector '" + name(e.getValue()) + "': ";
            String node = e.getValue().path("expect").has("node")
                    ? e.getValue().path("expect").get("node").asText()
                    : ev.has("node") ? ev.get("node").asText() : vectors.get("default_node").asText();
            compare(problems, what + "node", node, served.path("node").asText());
            for (String field : List.of("type", "severity", "source", "service")) {
                compare(problems, what + field, ev.get(field).asText(), served.path(field).asText());
            }
            compare(problems, what + "correlation_id",
                    ev.has("correlation_id") ? ev.get("correlation_id").asText() : e.getKey(),
                    served.path("correlation_id").asText());
        }

        System.out.println("[tools] valid vectors stored byte for byte: java " + javaIds.size() + ", bash " + bashIds.size()
                + ", python " + pyIds.size() + "; served by the server after a copy: " + copied.size()
                + "; known divergent (issue 13): " + stillDivergent);
        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
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
            Tools.Result r = Tools.run(Tools.bashEmit(bashArgs(v.get("event"))), env(bashRoot, vectors, v),
                    Duration.ofMinutes(1));
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

        Path serverRoot = serverRoot();
        Set<Path> before = new HashSet<>(eventFiles(serverRoot));
        for (JsonNode v : invalid) {
            if (!Tools.appliesTo(v, "java")) {
                continue;
            }
            String field = v.get("field").asText();
            java++;
            Response answer = post(body(v.get("event")));
            String what = "server, vector '" + name(v) + "' (field " + field + "): ";
            if (answer.statusCode() != 400 || !answer.contentType().startsWith("application/problem+json")) {
                problems.add(what + answer.statusCode() + " " + answer.asString());
                continue;
            }
            JsonNode problem = Tools.MAPPER.readTree(answer.asString());
            Set<String> fields = new TreeSet<>();
            problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
            // a payload that is not JSON makes the whole body malformed: a 400 without field errors is the refusal
            boolean malformedBody = v.get("event").has("payload_text") && fields.isEmpty();
            if (!malformedBody && !fields.equals(Set.of(field))) {
                problems.add(what + "named " + fields + ": " + answer.asString());
            }
        }
        assertEquals(before, new HashSet<>(eventFiles(serverRoot)), "the server wrote nothing");

        System.out.println("[tools] invalid vectors refused: bash " + bash + ", python " + python + ", server " + java);
        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
        assertTrue(bash > 80 && python > 80 && java > 100, "every writer was given the invalid vectors");
    }

    @Test
    void remediationStepsArePairedAlikeByTheServerBashAndPython() throws Exception {
        Tools.assumeInstalled("bash", "python3");
        JsonNode cases = Tools.vectors().get("remediation_pairing");
        Path root = serverRoot();
        Map<String, Integer> perService = new HashMap<>();
        for (JsonNode c : cases) {
            for (JsonNode e : c.get("events")) {
                Path file = root.resolve(e.get("path").asText());
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.get("file").asText(), StandardCharsets.UTF_8);
                String service = Tools.MAPPER.readTree(e.get("file").asText()).get("service").asText();
                perService.merge(service, 1, Integer::sum);
            }
        }
        Awaitility.await("the server indexes the pairing cases").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> perService.entrySet().stream().allMatch(s -> given().queryParam("service", s.getKey())
                        .queryParam("limit", 100).get("/api/events").then().extract().<Integer>path("total")
                        .equals(s.getValue())));

        List<String> problems = new ArrayList<>();
        List<String> services = new ArrayList<>();
        for (JsonNode c : cases) {
            String service = c.get("service").asText();
            services.add(service);
            Response r = given().contentType("application/json").body(Map.of("service", service, "limit", 200))
                    .post("/api/tools/get_remediation_history");
            assertEquals(200, r.statusCode(), r.asString());
            Set<List<String>> steps = new HashSet<>();
            for (JsonNode s : Tools.MAPPER.readTree(r.asString()).get("steps")) {
                steps.add(pair(s.path("started_event_id"), s.path("completed_event_id")));
            }
            Set<List<String>> expected = new HashSet<>();
            c.get("steps").forEach(s -> expected.add(pair(s.get(0), s.get(1))));
            if (!steps.equals(expected)) {
                problems.add("server, case '" + name(c) + "': steps " + steps + ", expected " + expected);
            }
        }

        Map<String, String> env = Map.of("HOMELAB_EVENTS_DIR", root.toString(), "PYTHONPATH", Tools.TOOLS.toString(),
                "HOME", tmp.resolve("home").toString());
        List<String> py = new ArrayList<>(List.of("python3", "-c", PYTHON_LATEST));
        py.addAll(services);
        Tools.Result pyOut = Tools.run(py, env, Duration.ofMinutes(2));
        assertEquals(0, pyOut.exitCode(), pyOut.describe());
        Map<String, String> pyLatest = new HashMap<>();
        for (String line : pyOut.lines()) {
            String[] f = line.split(" ");
            pyLatest.put(f[0], f[1] + " " + f[2]);
        }
        for (JsonNode c : cases) {
            String service = c.get("service").asText();
            String expected = c.get("latest").get("started").asText() + " "
                    + (c.get("latest").get("completed").isNull() ? "no" : c.get("latest").get("completed").asText());
            if (!expected.equals(pyLatest.get(service))) {
                problems.add("python, case '" + name(c) + "': " + pyLatest.get(service) + ", expected " + expected);
            }
            Tools.Result sh = Tools.run(List.of("bash", "-c", "source \"$0\"; latest_remediation \"$1\"",
                    Tools.LIB_SH.toString(), service), env, Duration.ofMinutes(1));
            List<String> lines = sh.lines();
            String started = lines.isEmpty() ? "" : lines.get(0);
            String completed = lines.size() < 2 ? "" : lines.get(1);
            boolean ok = sh.exitCode() == 0 && lines.size() == 2
                    && started.contains(" id=" + c.get("latest").get("started").asText() + " ")
                    && (c.get("latest").get("completed").isNull()
                            ? completed.equals("completed: no")
                            : completed.startsWith("completed: ")
                                    && completed.contains(" id=" + c.get("latest").get("completed").asText() + " "));
            if (!ok) {
                problems.add("bash, case '" + name(c) + "': expected " + expected + ", got " + sh.describe());
            }
        }
        System.out.println("[tools] remediation pairing cases agreed by server, bash and python: " + cases.size());
        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
        assertTrue(cases.size() >= 20, "the pairing cases were run");
    }

    /** Compares each written file with the vector's exact bytes; known divergent vectors must still differ. */
    private static void compareBytes(String writer, Path root, JsonNode vectors, Map<Integer, String> ids, Instant start,
            Instant end, List<String> problems, List<String> stillDivergent) throws IOException {
        for (Map.Entry<Integer, String> entry : ids.entrySet()) {
            JsonNode v = vectors.get("valid").get(entry.getKey());
            String id = entry.getValue();
            String what = writer + ", vector '" + name(v) + "': ";
            byte[] stored = Files.readAllBytes(Tools.fileOf(root, id));
            String text = new String(stored, StandardCharsets.UTF_8);
            Matcher ts = TIMESTAMP.matcher(text);
            if (!ts.find()) {
                problems.add(what + "does not start with the timestamp: " + Tools.tail(text, 300));
                continue;
            }
            String timestamp = ts.group(1);
            if (!v.has("expect") || !v.get("expect").has("timestamp")) {
                Instant at = Instant.parse(timestamp);
                // the written timestamp is cut to microseconds: allow the start's microsecond
                if (at.isBefore(start.truncatedTo(java.time.temporal.ChronoUnit.MICROS)) || at.isAfter(end)) {
                    problems.add(what + "timestamp " + timestamp + " not within the write (" + start + " .. " + end + ")");
                }
            }
            byte[] expected = v.get("stored").asText()
                    .replace("\"timestamp\":\"<TIMESTAMP>\"", "\"timestamp\":\"" + timestamp + "\"")
                    .replace("\"correlation_id\":\"<ID>\"", "\"correlation_id\":\"" + id + "\"")
                    .getBytes(StandardCharsets.UTF_8);
            boolean same = java.util.Arrays.equals(expected, stored);
            if (knownDivergent(vectors, v, writer)) {
                if (same) {
                    problems.add(what + "is listed in known_divergent but is now stored exactly: remove it from "
                            + "KNOWN_DIVERGENT in tools/tests/make_vectors.py");
                } else {
                    stillDivergent.add(writer + ": " + name(v));
                }
            } else if (!same) {
                problems.add(
                        what + "stored bytes differ\n  expected " + Tools.tail(new String(expected, StandardCharsets.UTF_8),
                                700) + "  stored   " + Tools.tail(text, 700));
            }
        }
    }

    private static boolean knownDivergent(JsonNode vectors, JsonNode vector, String writer) {
        for (JsonNode d : vectors.path("known_divergent")) {
            if (d.get("name").asText().equals(name(vector))) {
                for (JsonNode w : d.get("writers")) {
                    if (w.asText().equals(writer)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The POST body of a vector, built as text: the payload exactly as the vector writes it, the other fields as
     * JSON strings in ASCII (a lone surrogate, which has no UTF-8, travels as its escape).
     */
    private static String body(JsonNode ev) throws JsonProcessingException {
        StringBuilder b = new StringBuilder("{");
        com.fasterxml.jackson.databind.ObjectWriter ascii = Tools.MAPPER.writer()
                .with(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII);
        for (String field : List.of("type", "severity", "source", "service", "correlation_id", "node", "timestamp")) {
            if (ev.has(field)) {
                b.append(Tools.MAPPER.writeValueAsString(field)).append(':')
                        .append(ascii.writeValueAsString(ev.get(field).asText())).append(',');
            }
        }
        if (ev.has("payload_text")) {
            b.append("\"payload\":").append(ev.get("payload_text").asText());
        } else if (ev.has("payload_json")) {
            b.append("\"payload\":").append(ev.get("payload_json").asText());
        } else if (ev.has("payload")) {
            b.append("\"payload\":").append(Tools.MAPPER.writeValueAsString(ev.get("payload")));
        } else {
            b.setLength(b.length() - 1);
        }
        return b.append('}').toString();
    }

    private static Response post(String body) {
        return given().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8)).post("/api/events");
    }

    /** The arguments of emit_event for a vector: the payload as the vector's text (pretty-printed or raw). */
    private static List<String> bashArgs(JsonNode ev) throws IOException {
        List<String> args = new ArrayList<>(List.of(ev.get("type").asText(), ev.get("severity").asText(),
                ev.get("source").asText(), ev.get("service").asText(),
                ev.has("correlation_id") ? ev.get("correlation_id").asText() : ""));
        if (ev.has("payload_text")) {
            args.add(ev.get("payload_text").asText());
        } else if (ev.has("payload_json")) {
            args.add(ev.get("payload_json").asText());
        } else if (ev.has("payload")) {
            args.add(Tools.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(ev.get("payload")));
        }
        return args;
    }

    private static Map<String, String> env(Path root, JsonNode vectors, JsonNode vector) {
        Map<String, String> env = new HashMap<>(Tools.libraryEnv(root, vectors));
        if (vector.get("event").has("node")) {
            env.put("HOMELAB_NODE", vector.get("event").get("node").asText());
        }
        return env;
    }

    private static Path serverRoot() {
        return Path.of(given().get("/api/store").then().statusCode(200).extract().<String>path("root"));
    }

    private static List<String> pair(JsonNode started, JsonNode completed) {
        return java.util.Arrays.asList(started.isMissingNode() || started.isNull() ? null : started.asText(),
                completed.isMissingNode() || completed.isNull() ? null : completed.asText());
    }

    private static void compare(List<String> problems, String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            problems.add(what + ": expected [" + expected + "], read [" + actual + "]");
        }
    }

    private static String name(JsonNode v) {
        return v.get("name").asText();
    }

    /** Files at {@code <date>/<node>/<name>} not starting with a dot: where events (and only events) are written. */
    private static List<Path> eventFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.find(root, 3, (p, a) -> a.isRegularFile() && root.relativize(p).getNameCount() == 3
                && !p.getFileName().toString().startsWith("."))) {
            return s.toList();
        }
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
