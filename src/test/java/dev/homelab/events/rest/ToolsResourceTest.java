package dev.homelab.events.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.homelab.events.agent.SeedChains;
import dev.homelab.events.service.EventService;

/** The function-calling face: OpenAI tools format, calls, problem+json errors, and schema parity with MCP. */
@QuarkusTest
class ToolsResourceTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    EventService service;

    @BeforeEach
    void seed() {
        SeedChains.ensureSeeded(service);
    }

    @Test
    void everyMcpInputSchemaEqualsItsFunctionParameters() throws Exception {
        JsonNode functions = MAPPER.readTree(given().get("/api/tools").then().statusCode(200).extract().asString());
        Map<String, JsonNode> parameters = new HashMap<>();
        for (JsonNode f : functions) {
            assertEquals("function", f.get("type").asText());
            parameters.put(f.get("function").get("name").asText(), f.get("function").get("parameters"));
        }
        Map<String, JsonNode> inputSchemas = new HashMap<>();
        Map<String, String> descriptions = new HashMap<>();
        McpAssured.newConnectedStreamableClient().when().toolsList(page -> page.tools().forEach(t -> {
            inputSchemas.put(t.name(), read(t.inputSchema().encode()));
            descriptions.put(t.name(), t.description());
        })).thenAssertResults();
        assertEquals(inputSchemas.keySet(), parameters.keySet(), "same tool names on both faces");
        assertEquals(12, parameters.size());
        for (String name : parameters.keySet()) {
            assertEquals(inputSchemas.get(name), parameters.get(name), name);
        }
        for (JsonNode f : functions) {
            assertEquals(descriptions.get(f.get("function").get("name").asText()),
                    f.get("function").get("description").asText());
        }
    }

    @Test
    void callsRunTheToolsAndAnswerTheirJson() {
        given().contentType(ContentType.JSON).body("{\"correlation_id\":\"deploy-882\"}")
                .post("/api/tools/get_causal_chain")
                .then().statusCode(200)
                .body("outcome", equalTo("resolved"))
                .body("failure.stage", equalTo("verify"))
                .body("events.type", hasItem("remediation_started"));
        given().contentType(ContentType.JSON).body("{\"node\":\"nas\",\"service\":\"grafana\",\"limit\":1}")
                .post("/api/tools/list_events")
                .then().statusCode(200)
                .body("total", equalTo(3))
                .body("has_more", equalTo(true))
                .body("events[0].type", equalTo("remediation_started"));
        given().contentType(ContentType.JSON).body("{}")
                .post("/api/tools/get_node_status")
                .then().statusCode(200)
                .body("nodes.find { it.node == 'nas' }.state", equalTo("offline"));
    }

    @Test
    void unknownToolIsA404Problem() {
        given().contentType(ContentType.JSON).body("{}").post("/api/tools/drop_database")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("no tool named 'drop_database'"))
                .body("detail", containsString("list_events"));
    }

    @Test
    void badArgumentsAreA400ProblemNamingEachArgument() {
        given().contentType(ContentType.JSON).body("{\"limit\":0,\"min_severity\":\"loud\"}").post("/api/tools/list_events")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("limit", "min_severity")))
                .body("errors.find { it.field == 'limit' }.message", equalTo("must be between 1 and 200"))
                .body("errors.find { it.field == 'min_severity' }.message", containsString("info, warning, error, critical"));
        given().contentType(ContentType.JSON).body("{\"limit\":").post("/api/tools/list_events")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("[1,2]").post("/api/tools/list_events")
                .then().statusCode(400).body("errors[0].field", equalTo("arguments"));
        given().contentType(ContentType.JSON).body("{\"id\":\"" + java.util.UUID.randomUUID() + "\"}")
                .post("/api/tools/get_event")
                .then().statusCode(404).contentType("application/problem+json");
    }

    private static JsonNode read(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
