package dev.homelab.events.agent;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;

import dev.homelab.events.service.EventService;

/**
 * Function calling that OpenAI strict mode accepts (issue 14): {@code GET /api/tools?strict=true} is checked tool
 * by tool against the strict-mode rules, and calls in the strict shape (every argument present, null for "not
 * given", the payload as a JSON-encoded string) run. The default schemas state the rules the server enforces.
 */
@QuarkusTest
class StrictFunctionCallingTest {

    static final ObjectMapper M = new ObjectMapper();
    /** The JSON types a strict schema may name. */
    static final Set<String> TYPES = Set.of("string", "integer", "number", "boolean", "array", "object", "null");

    @Inject
    ToolCatalog catalog;
    @Inject
    EventService events;

    @Test
    void everyStrictToolPassesTheStrictModeRules() throws Exception {
        JsonNode tools = M.readTree(given().queryParam("strict", true).get("/api/tools").then().statusCode(200).extract()
                .asString());
        assertEquals(catalog.visible().size(), tools.size());
        for (JsonNode tool : tools) {
            JsonNode f = tool.get("function");
            String name = f.get("name").asText();
            assertTrue(f.get("strict").asBoolean(), name + " is marked strict");
            List<String> problems = new ArrayList<>();
            checkObject(name, f.get("parameters"), problems);
            // optional in the default schema = nullable in the strict one, required = never null
            ObjectNode input = catalog.find(name).orElseThrow().inputSchema();
            Set<String> required = new HashSet<>();
            input.path("required").forEach(n -> required.add(n.asText()));
            for (Map.Entry<String, JsonNode> p : f.get("parameters").get("properties").properties()) {
                boolean nullable = p.getValue().get("type").isArray();
                if (nullable == required.contains(p.getKey())) {
                    problems.add(name + "." + p.getKey() + ": nullable must be exactly the optional arguments");
                }
            }
            assertEquals(List.of(), problems, name);
        }
    }

    /** OpenAI strict mode: objects list every property as required, forbid extra ones, and are never free-form. */
    static void checkObject(String path, JsonNode schema, List<String> problems) {
        if (!schema.has("properties") || !schema.get("properties").isObject()) {
            problems.add(path + ": an object without properties (free-form objects are refused)");
            return;
        }
        if (!schema.path("additionalProperties").isBoolean() || schema.get("additionalProperties").asBoolean()) {
            problems.add(path + ": additionalProperties must be false");
        }
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(n -> required.add(n.asText()));
        Set<String> props = new HashSet<>();
        schema.get("properties").fieldNames().forEachRemaining(props::add);
        if (!required.equals(props)) {
            problems.add(path + ": required " + required + " must list every property " + props);
        }
        for (Map.Entry<String, JsonNode> p : schema.get("properties").properties()) {
            checkValue(path + "." + p.getKey(), p.getValue(), problems);
        }
    }

    static void checkValue(String path, JsonNode schema, List<String> problems) {
        schema.fieldNames().forEachRemaining(k -> {
            if (!JsonSchemas.STRICT.contains(k)) {
                problems.add(path + ": keyword '" + k + "' is not supported in strict mode");
            }
        });
        List<String> types = new ArrayList<>();
        JsonNode type = schema.get("type");
        if (type == null) {
            problems.add(path + ": no type");
            return;
        }
        if (type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
            if (types.size() != 2 || !types.contains("null")) {
                problems.add(path + ": a type list must be one type and null: " + types);
            }
        } else {
            types.add(type.asText());
        }
        types.stream().filter(t -> !TYPES.contains(t)).forEach(t -> problems.add(path + ": unknown type " + t));
        if (schema.has("enum") && types.contains("null")) {
            boolean hasNull = false;
            for (JsonNode v : schema.get("enum")) {
                hasNull |= v.isNull();
            }
            if (!hasNull) {
                problems.add(path + ": a nullable enum must list null");
            }
        }
        if (!schema.path("description").isTextual()) {
            problems.add(path + ": no description");
        }
        if (types.contains("object")) {
            checkObject(path, schema, problems);
        }
        if (types.contains("array")) {
            if (!schema.has("items")) {
                problems.add(path + ": an array without items");
            } else {
                JsonNode items = schema.get("items");
                items.fieldNames().forEachRemaining(k -> {
                    if (!JsonSchemas.STRICT.contains(k)) {
                        problems.add(path + "[]: keyword '" + k + "' is not supported in strict mode");
                    }
                });
                if (items.path("type").asText().equals("object")) {
                    checkObject(path + "[]", items, problems);
                }
            }
        }
    }

    @Test
    void callsInTheStrictShapeRun() throws Exception {
        ObjectNode emit = M.createObjectNode().put("type", "deployment_failed").put("severity", "error")
                .put("source", "strict-model").put("service", "strict-svc").putNull("correlation_id").putNull("node")
                .putNull("timestamp").put("payload", "{\"stage\":\"verify\",\"attempt\":2}");
        JsonNode emitted = M.readTree(given().contentType("application/json").body(emit.toString())
                .post("/api/tools/emit_event").then().statusCode(200).extract().asString());
        JsonNode stored = M.readTree(given().get("/api/events/" + emitted.get("id").asText()).then().statusCode(200)
                .extract().asString());
        assertEquals(M.readTree("{\"stage\":\"verify\",\"attempt\":2}"), stored.get("payload"));

        ObjectNode list = M.createObjectNode();
        for (String p : List.of("since", "until", "node", "types", "min_severity", "source", "correlation_id", "limit",
                "cursor")) {
            list.putNull(p);
        }
        list.put("service", "strict-svc");
        JsonNode page = M.readTree(given().contentType("application/json").body(list.toString())
                .post("/api/tools/list_events").then().statusCode(200).extract().asString());
        assertEquals(1, page.get("total").asInt());

        ObjectNode bad = emit.deepCopy().put("payload", "[1,2]");
        String problem = given().contentType("application/json").body(bad.toString()).post("/api/tools/emit_event").then()
                .statusCode(400).extract().asString();
        assertTrue(problem.contains("payload"), problem);
    }

    @Test
    void defaultSchemasStateTheRulesTheServerEnforces() {
        ObjectNode emit = catalog.find("emit_event").orElseThrow().inputSchema();
        List<String> types = new ArrayList<>();
        emit.at("/properties/type/enum").forEach(n -> types.add(n.asText()));
        assertEquals(events.types(), types, "the event type enum is this store's accepted types, custom ones included");
        assertEquals("date-time", emit.at("/properties/timestamp/format").asText());
        assertEquals(128, emit.at("/properties/service/maxLength").asInt());
        assertEquals(253, emit.at("/properties/node/maxLength").asInt());
        ObjectNode list = catalog.find("list_events").orElseThrow().inputSchema();
        assertEquals(1, list.at("/properties/limit/minimum").asInt());
        assertEquals(200, list.at("/properties/limit/maximum").asInt());
        assertEquals(events.types().size(), list.at("/properties/types/items/enum").size());
        assertEquals("uuid", catalog.find("get_event").orElseThrow().inputSchema().at("/properties/id/format").asText());
        assertFalse(given().get("/api/tools").then().extract().asString().contains("\"strict\""),
                "the default catalog is not marked strict");
    }
}
