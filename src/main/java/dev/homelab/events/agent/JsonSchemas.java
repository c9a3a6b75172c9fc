package dev.homelab.events.agent;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Derives JSON schemas from the argument and result records. Input schemas use only the keywords every face
 * can carry (type, description, enum, items, properties, required, additionalProperties), so MCP, OpenAI
 * function calling and LangChain4j publish the very same schema. Kept deliberately small (no $schema, no $defs,
 * no titles): the catalog is sent to a model on every turn, and every character costs context.
 */
public final class JsonSchemas {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private JsonSchemas() {
    }

    /** The JSON name of a record component: its {@code @JsonProperty} or its Java name. */
    public static String jsonName(RecordComponent c) {
        JsonProperty p = c.getAnnotation(JsonProperty.class);
        if (p == null) {
            p = c.getAccessor().getAnnotation(JsonProperty.class);
        }
        return p != null && !p.value().isEmpty() ? p.value() : c.getName();
    }

    /** Input schema: descriptions, allowed values, bounds and required arguments from {@link ToolArg}. */
    public static ObjectNode input(Class<? extends Record> type) {
        ObjectNode schema = F.objectNode().put("type", "object");
        ObjectNode props = schema.putObject("properties");
        ArrayNode required = F.arrayNode();
        for (RecordComponent c : type.getRecordComponents()) {
            ToolArg arg = c.getAnnotation(ToolArg.class);
            if (arg == null) {
                throw new IllegalStateException(type.getName() + "." + c.getName() + " has no @ToolArg");
            }
            ObjectNode p = of(c.getGenericType(), false);
            // bounds go into the description, not minimum/maximum: LangChain4j's schema model has no such
            // keywords, and every face must publish the same schema; ArgBinder enforces them all the same
            p.put("description", arg.minimum() != Long.MIN_VALUE && arg.maximum() != Long.MAX_VALUE
                    ? arg.value() + " (" + arg.minimum() + "-" + arg.maximum() + ")"
                    : arg.value());
            if (arg.allowed().length > 0) {
                ArrayNode e = p.putArray("enum");
                for (String a : arg.allowed()) {
                    e.add(a);
                }
            }
            props.set(jsonName(c), p);
            if (arg.required()) {
                required.add(jsonName(c));
            }
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    /**
     * Output schema of a result record: its top-level fields and their types. Nested objects are typed
     * {@code object} without their fields, which the tool descriptions name: listing them would double the
     * catalog a model reads on every turn. Absent (null) values are omitted from results, never sent, so no
     * field needs to allow null.
     */
    public static ObjectNode output(Class<?> type) {
        return of(type, true);
    }

    private static ObjectNode of(Type t, boolean expandRecord) {
        if (t instanceof ParameterizedType pt && pt.getRawType() == List.class) {
            ObjectNode n = F.objectNode().put("type", "array");
            n.set("items", of(pt.getActualTypeArguments()[0], false));
            return n;
        }
        Class<?> c = (Class<?>) t;
        if (c == String.class) {
            return F.objectNode().put("type", "string");
        }
        if (c == Integer.class || c == int.class || c == Long.class || c == long.class) {
            return F.objectNode().put("type", "integer");
        }
        if (c == Boolean.class || c == boolean.class) {
            return F.objectNode().put("type", "boolean");
        }
        if (JsonNode.class.isAssignableFrom(c)) {
            return F.objectNode().put("type", "object");
        }
        if (c.isRecord() && expandRecord) {
            ObjectNode n = F.objectNode().put("type", "object");
            ObjectNode props = n.putObject("properties");
            for (RecordComponent rc : c.getRecordComponents()) {
                props.set(jsonName(rc), of(rc.getGenericType(), false));
            }
            return n;
        }
        if (c.isRecord()) {
            return F.objectNode().put("type", "object");
        }
        throw new IllegalStateException("no JSON schema mapping for " + t);
    }
}
