package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;

import dev.homelab.events.agent.PromptLibrary;
import dev.homelab.events.agent.SeedChains;
import dev.homelab.events.it.PackagedServer;

/**
 * The official MCP Java SDK client ({@code io.modelcontextprotocol.sdk:mcp}, test scope) against the packaged
 * jar, over Streamable HTTP ({@code HttpClientStreamableHttpTransport}) and over stdio
 * ({@code StdioClientTransport} launching the jar in the stdio profile). Each transport: initialize, tools/list,
 * a call of every tool (the SDK validates structuredContent against the outputSchema), the resource templates,
 * both resources read, a chain subscription notified after an emit, prompts list and get, and completion of a
 * prompt argument and of the chain template. The store and the audit key live in the test's directory.
 */
class JavaSdkClientIT {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void officialJavaSdkOverStreamableHttp() throws Exception {
        try (PackagedServer server = new PackagedServer(tmp.resolve("store"), tmp.resolve("server.log"), Map.of()).start()) {
            McpClientTransport transport = HttpClientStreamableHttpTransport.builder(server.baseUrl()).endpoint("/mcp")
                    .connectTimeout(Duration.ofSeconds(10)).build();
            exercise(transport, () -> server.logText());
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void officialJavaSdkOverStdio() throws Exception {
        List<String> command = ToolScenario.stdioCommand(tmp);
        ServerParameters params = ServerParameters.builder(command.get(0)).args(command.subList(1, command.size())).build();
        StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        StringBuilder stderr = new StringBuilder();
        transport.setStdErrorHandler(line -> {
            synchronized (stderr) {
                stderr.append(line).append('\n');
            }
        });
        try {
            exercise(transport, () -> {
                synchronized (stderr) {
                    return stderr.toString();
                }
            });
        } finally {
            ToolScenario.awaitServersExited(tmp);
        }
    }

    @FunctionalInterface
    interface Log {
        String text() throws Exception;
    }

    void exercise(McpClientTransport transport, Log log) throws Exception {
        BlockingQueue<McpSchema.ResourceContents> updates = new LinkedBlockingQueue<>();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(120))
                .clientInfo(McpSchema.Implementation.builder("java-sdk-it", "1").build())
                .resourcesUpdateConsumer(updates::addAll).build()) {
            McpSchema.InitializeResult init = client.initialize();
            assertEquals("2025-11-25", init.protocolVersion(), "the newest version this SDK speaks");
            assertNotNull(init.capabilities().tools(), init::toString);
            assertTrue(init.capabilities().resources().subscribe(), init::toString);

            List<McpSchema.Tool> tools = client.listTools().tools();
            assertEquals(McpToolsTest.ALL, tools.stream().map(McpSchema.Tool::name).toList());
            for (McpSchema.Tool t : tools) {
                assertNotNull(t.outputSchema(), t.name());
                // readOnlyHint defaults to false: the write tools may leave it out
                assertEquals(!McpToolsTest.WRITES.contains(t.name()), Boolean.TRUE.equals(t.annotations().readOnlyHint()),
                        t.name());
            }

            ToolScenario.Seeded seeded = ToolScenario.everyTool((name, args) -> {
                McpSchema.CallToolResult r = client.callTool(call(name, args));
                assertFalse(Boolean.TRUE.equals(r.isError()), () -> name + " failed: " + r);
                JsonNode structured = MAPPER.valueToTree(r.structuredContent());
                String text = ((McpSchema.TextContent) r.content().get(0)).text();
                assertEquals(MAPPER.readTree(text), structured, name + ": structuredContent matches the text content");
                return structured;
            });

            // an error result reaches the client as one, not as an exception
            McpSchema.CallToolResult bad = client.callTool(call("list_events", Map.of("limit", 201)));
            assertTrue(bad.isError(), bad::toString);

            List<String> templates = client.listResourceTemplates().resourceTemplates().stream()
                    .map(McpSchema.ResourceTemplate::uriTemplate).toList();
            assertTrue(templates.containsAll(List.of("homelab://events/{id}", "homelab://chains/{correlation_id}")),
                    templates::toString);

            JsonNode chain = readJson(client, "homelab://chains/" + SeedChains.DEPLOY_882);
            assertEquals(SeedChains.DEPLOY_882, chain.get("correlation_id").asText());
            assertEquals(4, chain.get("events").size(), chain::toString);
            assertTrue(chain.get("events").findValuesAsText("id").contains(seeded.failureEventId()), chain::toString);
            JsonNode event = readJson(client, "homelab://events/" + seeded.failureEventId());
            assertEquals("deployment_failed", event.get("type").asText(), event::toString);

            // subscribe to a chain, extend it, and the update notification names it
            String uri = "homelab://chains/java-sdk-watch";
            client.subscribeResource(McpSchema.SubscribeRequest.builder(uri).build());
            client.callTool(call("emit_event", Map.of("type", "deployment_started", "severity",
                    "info", "source", "java-sdk-it", "service", "watched", "correlation_id", "java-sdk-watch")));
            McpSchema.ResourceContents update = updates.poll(60, TimeUnit.SECONDS);
            assertNotNull(update, () -> "no notifications/resources/updated within 60 s; server log:\n" + tail(log));
            assertEquals(uri, update.uri());
            client.unsubscribeResource(McpSchema.UnsubscribeRequest.builder(uri).build());
            assertEquals(1, readJson(client, uri).get("events").size());

            assertEquals(PromptLibrary.MCP_PROMPTS,
                    client.listPrompts().prompts().stream().map(McpSchema.Prompt::name).toList());
            McpSchema.GetPromptResult prompt = client.getPrompt(
                    McpSchema.GetPromptRequest.builder("triage_incident")
                            .arguments(Map.of("correlation_id", SeedChains.DEPLOY_882)).build());
            String promptText = ((McpSchema.TextContent) prompt.messages().get(0).content()).text();
            assertTrue(promptText.contains(SeedChains.DEPLOY_882), promptText);

            McpSchema.CompleteResult byPrompt = client.completeCompletion(complete(
                    new McpSchema.PromptReference("triage_incident"), new McpSchema.CompleteRequest.CompleteArgument(
                            "correlation_id", "deploy-88")));
            assertEquals(seeded("correlation_id", "deploy-88"), byPrompt.completion().values().stream().sorted().toList());
            McpSchema.CompleteResult byTemplate = client.completeCompletion(complete(
                    new McpSchema.ResourceReference("homelab://chains/{correlation_id}"),
                    new McpSchema.CompleteRequest.CompleteArgument("correlation_id", "nas")));
            assertEquals(seeded("correlation_id", "nas"), byTemplate.completion().values().stream().sorted().toList());
            McpSchema.CompleteResult byService = client.completeCompletion(complete(
                    new McpSchema.PromptReference("plan_remediation"), new McpSchema.CompleteRequest.CompleteArgument(
                            "service", "zigbee")));
            assertEquals(seeded("service", "zigbee"), byService.completion().values().stream().sorted().toList());
        }
    }

    /** The seed chains' values of one argument that start with the prefix, as a completion must offer them. */
    static List<String> seeded(String argument, String prefix) {
        List<String> values = SeedChains.asToolArguments().stream().map(a -> (String) a.get(argument))
                .filter(v -> v != null && v.startsWith(prefix)).distinct().sorted().toList();
        assertFalse(values.isEmpty(), "the seed chains hold a " + argument + " starting with " + prefix);
        return values;
    }

    static McpSchema.CallToolRequest call(String name, Map<String, Object> args) {
        return McpSchema.CallToolRequest.builder(name).arguments(args).build();
    }

    static McpSchema.CompleteRequest complete(McpSchema.CompleteReference ref, McpSchema.CompleteRequest.CompleteArgument arg) {
        return McpSchema.CompleteRequest.builder(ref, arg).build();
    }

    static JsonNode readJson(McpSyncClient client, String uri) throws Exception {
        McpSchema.ReadResourceResult r = client.readResource(McpSchema.ReadResourceRequest.builder(uri).build());
        McpSchema.TextResourceContents contents = (McpSchema.TextResourceContents) r.contents().get(0);
        assertEquals(uri, contents.uri());
        assertEquals("application/json", contents.mimeType());
        return MAPPER.readTree(contents.text());
    }

    static String tail(Log log) {
        try {
            String s = log.text();
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}
