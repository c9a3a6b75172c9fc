package dev.homelab.events.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

import dev.homelab.events.service.EventService;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolProviderResult;

/** The LangChain4j face: read tools only, with exactly the catalog's names, descriptions and schemas. */
@QuarkusTest
class LangChain4jToolsTest {

    static final ObjectMapper M = new ObjectMapper();

    @Inject
    LangChain4jTools tools;
    @Inject
    ToolCatalog catalog;
    @Inject
    EventService service;

    @BeforeEach
    void seed() {
        SeedChains.ensureSeeded(service);
    }

    @Test
    void specificationsAreTheReadToolsWithTheCatalogsOwnSchemas() throws Exception {
        List<ToolSpecification> specs = tools.specifications();
        assertEquals(List.of("list_events", "get_event", "get_causal_chain", "get_remediation_history", "get_service_status",
                "list_open_incidents", "get_node_status", "get_sync_status", "verify_audit_trail"),
                specs.stream().map(ToolSpecification::name).toList());
        for (ToolSpecification s : specs) {
            ToolCatalog.Tool t = catalog.find(s.name()).orElseThrow();
            assertEquals(t.description(), s.description());
            // what LangChain4j will send to a model, read back as JSON, is the schema MCP and /api/tools publish
            assertEquals(M.readTree(JsonSchemas.portable(t.inputSchema()).toString()), M.readTree(s.toJson()).get("parameters"),
                    s.name());
        }
    }

    @Test
    void executorsRunTheRealToolsAndReportBadCallsAsText() throws Exception {
        ToolProviderResult result = tools.provideTools(null);
        String chain = executor(result, "get_causal_chain").execute(ToolExecutionRequest.builder().id("1")
                .name("get_causal_chain").arguments("{\"correlation_id\":\"deploy-882\"}").build(), null);
        JsonNode c = M.readTree(chain);
        assertEquals("resolved", c.get("outcome").asText());
        assertEquals("verify", c.get("failure").get("stage").asText());

        String bad = executor(result, "list_events").execute(ToolExecutionRequest.builder().id("2")
                .name("list_events").arguments("{\"limit\":900}").build(), null);
        assertTrue(bad.startsWith("Invalid arguments: limit: must be between 1 and 200"), bad);
        assertEquals(null, executor(result, "emit_event"), "write tools are never offered to the agent");
    }

    private static dev.langchain4j.service.tool.ToolExecutor executor(ToolProviderResult result, String name) {
        return result.aiServiceTools().stream().filter(t -> t.name().equals(name)).findFirst()
                .map(dev.langchain4j.service.tool.AiServiceTool::toolExecutor).orElse(null);
    }
}
