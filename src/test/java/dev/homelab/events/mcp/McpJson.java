package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolResponse;
import io.vertx.core.json.Json;

/** Reads MCP tool results in tests: structuredContent as Jackson JSON, checked against the text block. */
final class McpJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private McpJson() {
    }

    /** The structured result of a successful call; asserts the text block carries the same JSON. */
    static JsonNode ok(ToolResponse r) {
        assertFalse(r.isError(), () -> "tool call failed: " + r.content());
        try {
            JsonNode structured = MAPPER.readTree(Json.encode(r.structuredContent()));
            JsonNode text = MAPPER.readTree(((TextContent) r.content().get(0)).text());
            assertEquals(structured, text, "the text block must carry the structured result for older clients");
            return structured;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static String errorText(ToolResponse r) {
        org.junit.jupiter.api.Assertions.assertTrue(r.isError(), () -> "expected isError, got " + r.structuredContent());
        return ((TextContent) r.content().get(0)).text();
    }

    static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
