package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.it.PackagedServer;

/**
 * The MCP stdio face started as cron, systemd or a desktop agent often start it: no {@code LANG}, no
 * {@code LC_ALL}, and none of the {@code -Dfile.encoding} flags of the shipped command lines. Java 17 then takes
 * US-ASCII as its default charset, and before issue 13 every non-ASCII character of a request and an answer became
 * {@code ?} ({@code "service":"gr??e"}). Every character must arrive, be stored as UTF-8, and come back exactly,
 * in the text block and in structuredContent alike.
 */
class McpStdioWithoutLocaleIT {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String NAME = "gr\u00FC\u00DFe";
    static final String TEXT = "gr\u00FC\u00DFe \uD83D\uDE00 \u76E3\u8996 \u05E9\u05DC\u05D5\u05DD";

    @TempDir
    Path tmp;

    Process process;

    /** The environment of a login without a locale: every locale variable and JVM option variable removed. */
    static ProcessBuilder withoutLocale(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS"));
        return pb;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void nonAsciiTravelsExactlyThroughStdioWithoutALocale() throws Exception {
        Path jar = PackagedServer.JAR;
        assertTrue(Files.exists(jar), "package the application first (mvn verify)");
        // what this JVM would take as its default charset here (US-ASCII on Linux with Java 17)
        Process probe = withoutLocale(List.of(java(), "-XshowSettings:properties", "-version")).redirectErrorStream(true)
                .start();
        String settings = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        probe.waitFor(60, TimeUnit.SECONDS);
        System.out.println("[locale] default charset of a JVM started without a locale: "
                + settings.lines().filter(l -> l.contains("file.encoding")).findFirst().orElse("?").strip());

        process = withoutLocale(List.of(java(), "-Dquarkus.profile=stdio", "-Dhomelab.events.dir=" + tmp.resolve("events"),
                "-Dhomelab.audit.key-file=" + tmp.resolve("audit.key"), "-Dhomelab.node=pi4", "-jar", jar.toString()))
                .redirectError(tmp.resolve("stderr.log").toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "stdio-reader");
        reader.setDaemon(true);
        reader.start();
        OutputStream stdin = process.getOutputStream();

        send(stdin, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"no-locale\",\"version\":\"1\"}}}");
        assertNotNull(answer(lines, 1, 180).get("result"));
        send(stdin, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

        // written as the UTF-8 bytes a client sends; the number literal must survive too
        send(stdin, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"emit_event\",\"arguments\":"
                + "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"" + NAME + "\",\"service\":\"" + NAME
                + "\",\"correlation_id\":\"" + NAME + "-1\",\"payload\":{\"text\":\"" + TEXT + "\",\"n\":1.10}}}}");
        JsonNode emitted = answer(lines, 2, 60).get("result");
        assertFalse(emitted.get("isError").asBoolean(), emitted.toString());
        String id = emitted.get("structuredContent").get("id").asText();
        assertEquals(NAME + "-1", emitted.get("structuredContent").get("correlation_id").asText());

        send(stdin,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"get_event\",\"arguments\":{\"id\":\""
                        + id + "\"}}}");
        String raw = rawAnswer(lines, 3, 60);
        assertTrue(raw.contains("\"n\":1.10"), raw);
        JsonNode result = MAPPER.readTree(raw).get("result");
        JsonNode structured = result.get("structuredContent");
        JsonNode text = MAPPER.readTree(result.get("content").get(0).get("text").asText());
        for (JsonNode view : List.of(structured, text)) {
            assertEquals(NAME, view.get("service").asText(), view.toString());
            assertEquals(NAME, view.get("source").asText());
            assertEquals(TEXT, view.get("payload").get("text").asText());
        }

        String stored;
        try (Stream<Path> files = Files.walk(tmp.resolve("events"))) {
            Path file = files.filter(p -> p.getFileName().toString().endsWith("_" + id + ".json")).findFirst().orElseThrow();
            stored = Files.readString(file, StandardCharsets.UTF_8);
        }
        assertTrue(stored.contains("\"service\":\"" + NAME + "\"") && stored.contains("\"text\":\"" + TEXT + "\",\"n\":1.10"),
                stored);

        // a repeated key is refused over stdio too (McpStdio parses each line with the application's mapper):
        // -32700, nothing is stored, and the next line is served
        send(stdin, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"emit_event\",\"arguments\":"
                + "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"dup\",\"service\":\"dup\","
                + "\"service\":\"other\"}}}");
        String refused = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (refused == null && System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && (line.contains("-32700") || MAPPER.readTree(line).path("id").asInt(-1) == 4)) {
                refused = line;
            }
        }
        assertNotNull(refused, "an answer to the message with a repeated key");
        assertTrue(refused.contains("\"error\"") || refused.contains("\"isError\":true"), refused);
        try (Stream<Path> files = Files.walk(tmp.resolve("events"))) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().endsWith(".json")).count(), "only the first event");
        }

        assertTrue(refused.contains("-32700"), refused);

        stdin.close();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server ends with its standard input");
        String log = Files.readString(tmp.resolve("stderr.log"), StandardCharsets.UTF_8);
        assertFalse(log.contains("\uFFFD"), "no undecodable text on standard error: " + log);
    }

    private static void send(OutputStream stdin, String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private static String rawAnswer(BlockingQueue<String> lines, int id, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && MAPPER.readTree(line).path("id").asInt(-1) == id) {
                return line;
            }
        }
        throw new AssertionError("no answer to request " + id + " within " + seconds + " s");
    }

    private static JsonNode answer(BlockingQueue<String> lines, int id, int seconds) throws Exception {
        return MAPPER.readTree(rawAnswer(lines, id, seconds));
    }
}
