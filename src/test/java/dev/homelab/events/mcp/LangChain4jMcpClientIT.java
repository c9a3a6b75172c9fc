package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.agent.PromptLibrary;
import dev.homelab.events.agent.SeedChains;
import dev.homelab.events.it.PackagedServer;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.exception.ToolExecutionException;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.McpPrompt;
import dev.langchain4j.mcp.client.McpResourceTemplate;
import dev.langchain4j.mcp.client.McpTextResourceContents;
import dev.langchain4j.mcp.client.transport.McpTransport;
import dev.langchain4j.mcp.client.transport.http.StreamableHttpMcpTransport;
import dev.langchain4j.mcp.client.transport.stdio.StdioMcpTransport;
import dev.langchain4j.service.tool.ToolExecutionResult;

/**
 * The LangChain4j MCP client ({@code dev.langchain4j:langchain4j-mcp}, test scope; the version beside the
 * langchain4j 1.14.1 that quarkus-langchain4j brings) against the packaged jar, over Streamable HTTP and over
 * stdio: tools listed as ToolSpecifications, every tool executed with a ToolExecutionRequest as an AI service
 * would, an error result, the resource templates, both resources read, prompts listed and rendered.
 */
class LangChain4jMcpClientIT {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void langChain4jClientOverStreamableHttp() throws Exception {
        try (PackagedServer server = new PackagedServer(tmp.resolve("store"), tmp.resolve("server.log"), Map.of()).start()) {
            exercise(new StreamableHttpMcpTransport.Builder().url(server.baseUrl() + "/mcp").timeout(Duration.ofSeconds(60))
                    .build());
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void langChain4jClientOverStdio() throws Exception {
        try {
            exercise(new StdioMcpTransport.Builder().command(ToolScenario.stdioCommand(tmp)).build());
        } finally {
            ToolScenario.awaitServersExited(tmp);
        }
    }

    // McpClient.close() declares Exception: try-with-resources warns that it could throw InterruptedException
    @SuppressWarnings("try")
    void exercise(McpTransport transport) throws Exception {
        try (McpClient client = new DefaultMcpClient.Builder().key("homelab").transport(transport)
                .initializationTimeout(Duration.ofSeconds(120)).toolExecutionTimeout(Duration.ofSeconds(60))
                .resourcesTimeout(Duration.ofSeconds(60)).build()) {
            List<ToolSpecification> tools = client.listTools();
            assertEquals(McpToolsTest.ALL, tools.stream().map(ToolSpecification::name).toList());
            ToolSpecification emit = tools.get(0);
            assertTrue(emit.parameters().required().containsAll(List.of("type", "severity", "source", "service")),
                    emit::toString);

            ToolScenario.Seeded seeded = ToolScenario.everyTool((name, args) -> {
                ToolExecutionResult r = client.executeTool(ToolExecutionRequest.builder().id(UUID.randomUUID().toString())
                        .name(name).arguments(MAPPER.writeValueAsString(args)).build());
                assertFalse(r.isError(), () -> name + " failed: " + r);
                return MAPPER.readTree(r.resultText());
            });

            // this client turns an error result into ToolExecutionException, whose message an AI service hands the model
            ToolExecutionException bad = assertThrows(ToolExecutionException.class, () -> client.executeTool(
                    ToolExecutionRequest.builder().id("bad").name("list_events").arguments("{\"limit\":201}").build()));
            assertTrue(bad.getMessage().contains("limit: must be between 1 and 200"), bad::getMessage);

            List<String> templates = client.listResourceTemplates().stream().map(McpResourceTemplate::uriTemplate).toList();
            assertTrue(templates.containsAll(List.of("homelab://events/{id}", "homelab://chains/{correlation_id}")),
                    templates::toString);
            JsonNode chain = readJson(client, "homelab://chains/" + SeedChains.DEPLOY_882);
            assertEquals(4, chain.get("events").size(), chain::toString);
            assertTrue(chain.get("events").findValuesAsText("id").contains(seeded.failureEventId()), chain::toString);
            JsonNode event = readJson(client, "homelab://events/" + seeded.failureEventId());
            assertEquals("deployment_failed", event.get("type").asText(), event::toString);

            assertEquals(PromptLibrary.MCP_PROMPTS, client.listPrompts().stream().map(McpPrompt::name).toList());
            String prompt = client.getPrompt("postmortem", Map.of("correlation_id", SeedChains.DEPLOY_882)).messages().get(0)
                    .toChatMessage().toString();
            assertTrue(prompt.contains(SeedChains.DEPLOY_882), prompt);

            client.checkHealth();
        }
    }

    static JsonNode readJson(McpClient client, String uri) throws Exception {
        McpTextResourceContents contents = (McpTextResourceContents) client.readResource(uri).contents().get(0);
        assertEquals(uri, contents.uri());
        assertEquals("application/json", contents.mimeType());
        return MAPPER.readTree(contents.text());
    }
}
