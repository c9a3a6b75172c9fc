package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;

import dev.homelab.events.agent.SeedChains;
import dev.homelab.events.it.PackagedServer;

/**
 * The MCP Inspector CLI ({@code @modelcontextprotocol/inspector}, pinned in src/test/mcp-inspector) against the
 * packaged server: {@code --protocol-era modern} (2026-07-28, server/discover) over Streamable HTTP and stdio, and
 * {@code --protocol-era legacy} (initialize) over HTTP, so both eras are checked with the same client. The CLI
 * has no completion method; the SDK 2.x client covers completion ({@link McpModernClientIT}). Needs node and
 * npm; the Inspector 2.12 asks for Node.js 22.19+ (npm warns) but runs these commands on the Node.js 20 of this
 * machine.
 */
class McpInspectorCliIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path SRC = Path.of("src", "test", "mcp-inspector");
    private static final Path DIR = Path.of("target", "mcp-inspector");
    private static final String SERVER_INFO = "io.modelcontextprotocol/serverInfo";

    @TempDir
    Path tmp;

    @Test
    @Timeout(420)
    void inspectorCliSpeaksBothErasOverHttpAndStdio() throws Exception {
        NodeClient.install(SRC, DIR, false);
        Path store = tmp.resolve("events");
        try (PackagedServer server = new PackagedServer(store, tmp.resolve("server.log"), Map.of("HOMELAB_NODE", "pi4"))
                .start()) {
            for (Map<String, Object> event : SeedChains.asToolArguments()) {
                RestAssured.given().baseUri(server.baseUrl()).contentType(ContentType.JSON)
                        .body(MAPPER.writeValueAsString(event)).post("/api/events").then().statusCode(201);
            }
            String url = server.baseUrl() + "/mcp";

            JsonNode tools = inspect("modern", List.of(url), "--method", "tools/list");
            assertTrue(tools.at("/result/tools").size() >= 11, tools::toString);
            JsonNode chain = inspect("modern", List.of(url), "--method", "tools/call", "--tool-name", "get_causal_chain",
                    "--tool-arg", "correlation_id=deploy-882");
            assertTrue(chain.at("/result/_meta").has(SERVER_INFO), "a 2026-07-28 result: " + chain);
            assertEquals("resolved", chain.at("/result/structuredContent/outcome").asText(), chain::toString);
            JsonNode templates = inspect("modern", List.of(url), "--method", "resources/templates/list");
            assertEquals(2, templates.at("/result/resourceTemplates").size(), templates::toString);
            JsonNode read = inspect("modern", List.of(url), "--method", "resources/read", "--uri",
                    "homelab://chains/deploy-882");
            assertEquals(4, MAPPER.readTree(read.at("/result/contents/0/text").asText()).get("events").size());
            JsonNode prompt = inspect("modern", List.of(url), "--method", "prompts/get", "--prompt-name", "triage_incident",
                    "--prompt-args", "correlation_id=deploy-882");
            assertTrue(prompt.at("/result/messages/0/content/text").asText().contains("deploy-882"), prompt::toString);

            // the same client in the 2025 era: initialize and a session, no 2026-07-28 stamp on the result
            JsonNode legacy = inspect("legacy", List.of(url), "--method", "tools/call", "--tool-name", "get_causal_chain",
                    "--tool-arg", "correlation_id=deploy-882");
            assertEquals("resolved", legacy.at("/result/structuredContent/outcome").asText(), legacy::toString);
            assertTrue(!legacy.at("/result/_meta").has(SERVER_INFO), legacy::toString);
        }

        // stdio: the Inspector starts the packaged jar in the stdio profile on the same store
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path jar = PackagedServer.JAR.toAbsolutePath();
        assertTrue(Files.exists(jar), "package the application first (mvn verify)");
        List<String> stdio = List.of("--", java, "-Dquarkus.profile=stdio", "-Dhomelab.events.dir=" + store,
                "-Dhomelab.node=pi4", "-Dhomelab.audit.key-file=" + store.resolveSibling("stdio-audit").resolve("audit.key"),
                "-jar", jar.toString());
        JsonNode nodes;
        try {
            nodes = inspect("modern", stdio, "--method", "tools/call", "--tool-name", "get_node_status");
        } finally {
            ToolScenario.awaitServersExited(tmp);
        }
        assertTrue(nodes.at("/result/_meta").has(SERVER_INFO), "a 2026-07-28 result: " + nodes);
        assertTrue(nodes.at("/result/structuredContent/nodes").size() >= 3, nodes::toString);
    }

    /** One Inspector CLI run; its JSON answer (with --format json -q, the result alone on stdout). */
    private JsonNode inspect(String era, List<String> target, String... method) throws Exception {
        List<String> command = new ArrayList<>(List.of("node_modules/.bin/mcp-inspector"));
        command.add("--cli");
        boolean stdio = target.get(0).equals("--");
        if (!stdio) {
            command.addAll(target); // the URL first: --tool-arg and --prompt-args take every value after them
        }
        // a JVM starting on a busy machine may take longer than the CLI's default 15 s to answer its first message
        command.addAll(List.of("--protocol-era", era, "--format", "json", "-q", "--connect-timeout", "120000"));
        command.addAll(List.of(method));
        if (stdio) {
            command.addAll(target);
        }
        // HOME in the temp dir: the CLI may create its catalog file (~/.mcp-inspector/mcp.json)
        NodeClient.Result r = NodeClient.run(DIR, Map.of("HOME", tmp.toString()), command, 120);
        assertEquals(0, r.exit(), () -> String.join(" ", command) + "\n" + r.output());
        String out = r.output().strip();
        return MAPPER.readTree(out.substring(out.indexOf('{')));
    }
}
