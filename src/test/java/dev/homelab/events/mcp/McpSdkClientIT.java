package dev.homelab.events.mcp;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

import dev.homelab.events.agent.SeedChains;

/**
 * An independent MCP client against the packaged server: the official TypeScript SDK (pinned in
 * src/test/mcp-client/package-lock.json, installed with npm ci under target/) connects over Streamable HTTP,
 * lists the tools and calls list_events and get_causal_chain. Needs node and npm on the PATH.
 */
@QuarkusIntegrationTest
class McpSdkClientIT {

    @Test
    void officialTypeScriptSdkListsAndCallsToolsOverStreamableHttp() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        for (Map<String, Object> event : SeedChains.asToolArguments()) {
            given().contentType(ContentType.JSON).body(mapper.writeValueAsString(event)).post("/api/events")
                    .then().statusCode(201);
        }
        NodeClient.install();
        NodeClient.Result check = NodeClient.run(120, "node", "check.mjs", "http://127.0.0.1:" + RestAssured.port + "/mcp");
        assertEquals(0, check.exit(), "the SDK client check failed:\n" + check.output());
        assertTrue(check.output().contains("list_events and get_causal_chain verified"), check.output());
    }
}
