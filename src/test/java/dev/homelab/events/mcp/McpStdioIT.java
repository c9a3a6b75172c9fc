package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.agent.SeedChains;

/**
 * The stdio transport as a desktop agent uses it: the packaged jar launched as a subprocess in the stdio
 * profile, speaking JSON-RPC over its standard input and output. McpAssured 1.10.1 has no stdio client, so
 * this test is the client. It seeds the store through emit_event, calls every read tool, and checks that
 * every line on standard output is a JSON-RPC message (no log line leaks there).
 */
class McpStdioIT {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    Process process;
    OutputStream stdin;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> allLines = new ArrayList<>();
    int nextId = 1;
    ServerSocket occupied;

    @BeforeEach
    void launch() throws IOException, InterruptedException {
        launch(Map.of());
    }

    void launch(Map<String, String> env) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
        lines.clear();
        Path jar = dev.homelab.events.it.PackagedServer.JAR;
        assertTrue(Files.exists(jar), "package the application first (mvn verify)");
        if (occupied == null) {
            try {
                // a server already running on the default port must not stop a desktop agent's subprocess
                occupied = new ServerSocket(8080, 1, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                occupied = null; // something already holds 8080, which proves the same thing
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the audit trail's signing key in the test's directory, never in the user's ~/.config
        ProcessBuilder pb = new ProcessBuilder(java, "-Dquarkus.profile=stdio", "-Dhomelab.events.dir=" + tmp.resolve("events"),
                "-Dhomelab.audit.key-file=" + tmp.resolve("audit.key"), "-Dhomelab.node=pi4", "-jar", jar.toString())
                .redirectError(tmp.resolve("stderr.log").toFile());
        pb.environment().putAll(env);
        env.forEach((k, v) -> {
            if (v.isEmpty()) {
                pb.environment().remove(k);
            }
        });
        process = pb.start();
        stdin = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    synchronized (allLines) {
                        allLines.add(line);
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "stdio-reader");
        reader.setDaemon(true);
        reader.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
        if (occupied != null) {
            occupied.close();
        }
    }

    @Test
    void everyToolWorksOverStdioAndStandardOutputCarriesOnlyJsonRpc() throws Exception {
        JsonNode init = request("initialize", Map.of("protocolVersion", "2025-11-25", "capabilities", Map.of(),
                "clientInfo", Map.of("name", "stdio-it", "version", "1")), 120);
        assertEquals("2025-11-25", init.get("result").get("protocolVersion").asText());
        notify("notifications/initialized");

        JsonNode tools = request("tools/list", Map.of(), 30).get("result").get("tools");
        List<String> names = new ArrayList<>();
        tools.forEach(t -> names.add(t.get("name").asText()));
        assertEquals(McpToolsTest.ALL, names);
        for (JsonNode t : tools) {
            boolean write = McpToolsTest.WRITES.contains(t.get("name").asText());
            assertEquals(!write, t.get("annotations").path("readOnlyHint").asBoolean(false), t.get("name").asText());
            if (write) {
                assertFalse(t.get("annotations").get("destructiveHint").asBoolean(), "append-only: not destructive");
            }
            assertNotNull(t.get("outputSchema"));
        }

        for (Map<String, Object> args : SeedChains.asToolArguments()) {
            JsonNode emitted = call("emit_event", args);
            assertTrue(emitted.get("path").asText().startsWith(args.get("timestamp").toString().substring(0, 10)),
                    "files are partitioned by the event's own date: " + emitted);
        }

        JsonNode chain = call("get_causal_chain", Map.of("correlation_id", "deploy-882"));
        assertEquals("resolved", chain.get("outcome").asText());
        assertEquals("port 1883 not bound", chain.get("failure").get("error").asText());
        assertEquals(4, chain.get("count").asInt());

        JsonNode page = call("list_events", Map.of("since", "7d", "limit", 5));
        assertEquals(SeedChains.drafts().size(), page.get("total").asInt());
        assertTrue(page.get("has_more").asBoolean());
        assertEquals("node_offline", page.get("events").get(0).get("type").asText());

        JsonNode event = call("get_event", Map.of("id", chain.get("failure").get("event_id").asText()));
        assertEquals("deployment_failed", event.get("type").asText());

        JsonNode history = call("get_remediation_history", Map.of("service", "grafana"));
        assertEquals("open", history.get("steps").get(0).get("status").asText());

        JsonNode started = call("record_remediation", Map.of("phase", "complete", "correlation_id", "deploy-883",
                "service", "grafana", "action", "rollback", "step", "rollback-11.2", "actor", "stdio-it", "result",
                "succeeded"));
        assertEquals("remediation_completed", started.get("type").asText());
        assertEquals("resolved", call("get_causal_chain", Map.of("correlation_id", "deploy-883")).get("outcome").asText());

        JsonNode services = call("get_service_status", Map.of("service", "zigbee2mqtt"));
        assertEquals("unhealthy", services.get("services").get(0).get("health").asText());

        JsonNode incidents = call("list_open_incidents", Map.of());
        List<String> open = incidents.get("incidents").findValuesAsText("correlation_id");
        assertEquals(List.of("nas-outage", "hc-zigbee"), open);

        JsonNode nodes = call("get_node_status", Map.of("node", "nas"));
        assertEquals("offline", nodes.get("nodes").get(0).get("state").asText());

        JsonNode bad = request("tools/call", Map.of("name", "list_events", "arguments", Map.of("limit", 201)), 30);
        assertTrue(bad.get("result").get("isError").asBoolean());
        assertTrue(bad.get("result").get("content").get(0).get("text").asText().contains("limit"));

        // end of input ends the subprocess, as a desktop agent expects when it closes the pipe
        stdin.close();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server exits when its standard input ends");
        synchronized (allLines) {
            for (String line : allLines) {
                JsonNode n = MAPPER.readTree(line);
                assertEquals("2.0", n.path("jsonrpc").asText(), "standard output must carry only JSON-RPC: " + line);
            }
        }
    }

    /**
     * quarkus-mcp-server-stdio 1.10.1 stopped reading after one malformed line and never exited; it also read and
     * wrote in the platform charset. Here the same process serves on: -32700 for the bad line, the next line
     * answered, batches and client mistakes answered precisely, non-ASCII intact with LANG unset, and the end of
     * input ends the process within a few seconds. Standard error shows no CORS warning and no endpoint with port -1.
     */
    @Test
    void malformedLinesAreAnsweredAndServingGoesOnAndEndOfInputExits() throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        for (String k : List.of("LANG", "LC_ALL", "LC_CTYPE", "LANGUAGE", "JAVA_TOOL_OPTIONS")) {
            env.put(k, "");
        }
        launch(env);
        JsonNode init = request("initialize", Map.of("protocolVersion", "2025-11-25", "capabilities", Map.of(),
                "clientInfo", Map.of("name", "stdio-it", "version", "1")), 120);
        assertTrue(init.get("result").at("/capabilities/resources/subscribe").asBoolean(), init.toString());
        notify("notifications/initialized");

        for (String bad : List.of("{not json", "[1,", "\"text\"")) {
            stdin.write((bad + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            JsonNode answer = MAPPER.readTree(lines.poll(30, TimeUnit.SECONDS));
            assertTrue(answer.get("error").get("code").asInt() == -32700 || answer.get("error").get("code").asInt() == -32600,
                    answer::toString);
        }
        stdin.write(new byte[]{ (byte) 0xff, (byte) 0xfe, '\n' });
        stdin.flush();
        assertEquals(-32700, MAPPER.readTree(lines.poll(30, TimeUnit.SECONDS)).at("/error/code").asInt());
        // the next line is served
        assertTrue(request("ping", Map.of(), 30).has("result"));
        assertEquals(-32602, request("tools/call", Map.of("arguments", Map.of()), 30).at("/error/code").asInt());
        assertEquals(-32602, request("tools/call", Map.of("name", "get_event", "arguments", List.of()), 30)
                .at("/error/code").asInt());
        java.util.HashMap<String, Object> nullArg = new java.util.HashMap<>();
        nullArg.put("limit", null);
        assertTrue(request("tools/call", Map.of("name", "list_events", "arguments", nullArg), 30).at("/result/isError")
                .asBoolean());
        stdin.write("[{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"ping\"}]\n".getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        assertEquals(-32600, MAPPER.readTree(lines.poll(30, TimeUnit.SECONDS)).at("/error/code").asInt());

        // non-ASCII survives both ways whatever the locale
        JsonNode emitted = call("emit_event", Map.of("type", "deployment_started", "severity", "info", "source", "grüße.sh",
                "service", "grüße", "payload", Map.of("note", "Überprüfung ✓ 日本")));
        JsonNode event = call("get_event", Map.of("id", emitted.get("id").asText()));
        assertEquals("grüße", event.get("service").asText());
        assertEquals("Überprüfung ✓ 日本", event.at("/payload/note").asText());

        long closed = System.nanoTime();
        stdin.close();
        assertTrue(process.waitFor(15, TimeUnit.SECONDS), "the server exits within seconds of the end of its input");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
        assertTrue(millis < 15_000, "exit took " + millis + " ms");
        String err = Files.readString(tmp.resolve("stderr.log"));
        assertFalse(err.contains("CORS"), err);
        assertFalse(err.contains(":-1"), err);
        assertFalse(err.contains("ERROR"), err);
    }

    JsonNode call(String tool, Map<String, Object> args) throws Exception {
        JsonNode r = request("tools/call", Map.of("name", tool, "arguments", args), 30).get("result");
        assertFalse(r.get("isError").asBoolean(), () -> tool + " failed: " + r);
        JsonNode structured = r.get("structuredContent");
        assertEquals(structured, MAPPER.readTree(r.get("content").get(0).get("text").asText()));
        return structured;
    }

    JsonNode request(String method, Object params, int timeoutSeconds) throws Exception {
        int id = nextId++;
        ObjectNode msg = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        msg.set("params", MAPPER.valueToTree(params));
        send(msg);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                assertTrue(process.isAlive(), () -> "the stdio server exited: " + stderr());
                continue;
            }
            JsonNode n = MAPPER.readTree(line);
            if (n.has("id") && n.get("id").asInt() == id && (n.has("result") || n.has("error"))) {
                return n;
            }
        }
        throw new AssertionError("no answer to " + method + " within " + timeoutSeconds + "s; stderr: " + stderr());
    }

    void notify(String method) throws IOException {
        send(MAPPER.createObjectNode().put("jsonrpc", "2.0").put("method", method));
    }

    void send(JsonNode msg) throws IOException {
        stdin.write((MAPPER.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    String stderr() {
        try {
            String s = Files.readString(tmp.resolve("stderr.log"));
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
