package dev.homelab.events.agent;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Derives JSON schemas from the argument and result records. The input schema states every rule the server
 * enforces, so a model learns them from the schema, not from an error: allowed values ({@code enum}, the event
 * types of this store included), bounds ({@code minimum}, {@code maximum}), lengths ({@code maxLength}) and
 * formats ({@code uuid}, {@code date-time}). Three variants come from that one schema:
 * <ul>
 * <li>{@link #input}: MCP {@code inputSchema} and the default function-calling {@code parameters};</li>
 * <li>{@link #strict}: OpenAI strict mode ({@code GET /api/tools?strict=true}): every property required, the
 * optional ones nullable, no free-form object (the payload becomes a JSON-encoded string, decoded on call), only
 * keywords strict mode accepts;</li>
 * <li>{@link #portable}: the keywords LangChain4j's schema model carries (it has no minimum, maximum, maxLength
 * or format; the descriptions say the bounds in words).</li>
 * </ul>
 * Kept deliberately small (no $schema, no $defs, no titles): the catalog is sent to a model on every turn.
 */
public final class JsonSchemas {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** What LangChain4j's JsonSchemaElement parser knows; everything else it would drop. */
    private static final Set<String> PORTABLE = Set.of("type", "description", "enum", "items", "properties", "required",
            "additionalProperties");
    /** Keywords OpenAI strict mode accepts for a property (it refuses maxLength, for one). */
    static final Set<String> STRICT = Set.of("type", "description", "enum", "items", "properties", "required",
            "additionalProperties", "minimum", "maximum", "format", "pattern", "minItems", "maxItems");

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

    /** Input schema from {@link ToolArg}: descriptions, allowed values, bounds, lengths, formats, required. */
    public static ObjectNode input(Class<? extends Record> type, List<String> eventTypes) {
        ObjectNode schema = F.objectNode().put("type", "object");
        ObjectNode props = schema.putObject("properties");
        ArrayNode required = F.arrayNode();
        for (RecordComponent c : type.getRecordComponents()) {
            ToolArg arg = c.getAnnotation(ToolArg.class);
            if (arg == null) {
                throw new IllegalStateException(type.getName() + "." + c.getName() + " has no @ToolArg");
            }
            ObjectNode p = of(c.getGenericType(), false);
            boolean bounded = arg.minimum() != Long.MIN_VALUE && arg.maximum() != Long.MAX_VALUE;
            // bounds are also said in words: the LangChain4j face cannot carry minimum/maximum
            p.put("description", bounded ? arg.value() + " (" + arg.minimum() + "-" + arg.maximum() + ")" : arg.value());
            List<String> allowed = arg.eventTypes() ? eventTypes : List.of(arg.allowed());
            if (!allowed.isEmpty()) {
                ArrayNode e = (p.has("items") ? (ObjectNode) p.get("items") : p).putArray("enum");
                allowed.forEach(e::add);
            }
            if (bounded) {
                p.put("minimum", arg.minimum()).put("maximum", arg.maximum());
            }
            if (arg.maxLength() > 0) {
                p.put("maxLength", arg.maxLength());
            }
            if (!arg.format().isEmpty()) {
                p.put("format", arg.format());
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
     * The OpenAI strict-mode variant of an input schema: every property listed as required, the optional ones
     * nullable (null means "not given"), free-form objects as a JSON-encoded string, unsupported keywords dropped.
     */
    public static ObjectNode strict(ObjectNode input) {
        ObjectNode schema = F.objectNode().put("type", "object");
        ObjectNode props = schema.putObject("properties");
        ArrayNode required = schema.putArray("required");
        List<String> wasRequired = new ArrayList<>();
        input.path("required").forEach(n -> wasRequired.add(n.asText()));
        for (Map.Entry<String, JsonNode> e : input.get("properties").properties()) {
            ObjectNode p = ((ObjectNode) e.getValue()).deepCopy();
            p.retain(STRICT);
            if (p.path("type").asText().equals("object") && !p.has("properties")) {
                p.put("type", "string");
                p.put("description", p.path("description").asText() + ". A JSON object encoded as a string");
            }
            if (p.has("items")) {
                ((ObjectNode) p.get("items")).retain(STRICT);
            }
            if (!wasRequired.contains(e.getKey())) {
                String type = p.get("type").asText();
                p.putArray("type").add(type).add("null");
                if (p.has("enum")) {
                    ((ArrayNode) p.get("enum")).addNull();
                }
            }
            props.set(e.getKey(), p);
            required.add(e.getKey());
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    /** The keywords LangChain4j's schema model carries, recursively. */
    public static ObjectNode portable(ObjectNode schema) {
        ObjectNode out = schema.deepCopy();
        out.retain(PORTABLE);
        if (out.get("properties") instanceof ObjectNode props) {
            for (Map.Entry<String, JsonNode> e : props.properties()) {
                props.set(e.getKey(), portable((ObjectNode) e.getValue()));
            }
        }
        if (out.get("items") instanceof ObjectNode items) {
            out.set("items", portable(items));
        }
        return out;
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
            ObjectNode items = of(pt.getActualTypeArguments()[0], false);
            // a list of records: "items": {"type": "object"} would say nothing the description does not (records
            // are not expanded below the top level), on every turn of every model; lists of scalars keep their items
            if (!items.path("type").asText().equals("object")) {
                n.set("items", items);
            }
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
