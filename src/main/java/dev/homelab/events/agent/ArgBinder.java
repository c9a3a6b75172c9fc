package dev.homelab.events.agent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Text;

/**
 * Turns a tool's JSON arguments into its argument record and checks them against the same
 * {@link ToolArg} definitions that produced the published schema. Every error names the argument and what
 * is allowed, so a model can correct its call; nothing is executed when any argument is wrong.
 */
final class ArgBinder {

    /** Longest part of a bad value echoed in an error. */
    private static final int VALUE_MAX_CHARS = 80;

    private final ObjectMapper strict;

    ArgBinder(ObjectMapper mapper) {
        this.strict = mapper.copy()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    <T extends Record> T bind(String tool, JsonNode args, Class<T> type) {
        if (args == null || args.isNull() || args.isMissingNode()) {
            args = strict.createObjectNode();
        }
        if (!args.isObject()) {
            throw new InvalidInputException("arguments", args.getNodeType().toString().toLowerCase(java.util.Locale.ROOT),
                    "must be a JSON object of the arguments of " + tool);
        }
        List<FieldError> errors = new ArrayList<>();
        Map<String, Component> byName = COMPONENTS.get(type);
        for (Iterator<String> it = args.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!byName.containsKey(name)) {
                errors.add(new FieldError(name, null, "is not an argument of " + tool + "; allowed: "
                        + String.join(", ", byName.keySet().stream().sorted().toList())));
            }
        }
        // types are checked on the JSON before binding: "20" for an integer is a slip to refuse clearly, not to guess at
        ObjectNode decoded = null;
        for (Map.Entry<String, Component> e : byName.entrySet()) {
            JsonNode v = args.get(e.getKey());
            if (v != null && v.isTextual() && JsonNode.class.isAssignableFrom(e.getValue().type())) {
                // the strict function-calling schema sends a free-form object as a JSON-encoded string
                JsonNode parsed = parseObject(v.textValue());
                if (parsed == null) {
                    errors.add(new FieldError(e.getKey(), Text.shorten(v.textValue(), VALUE_MAX_CHARS),
                            "must be a JSON object, or a string holding one"));
                    continue;
                }
                decoded = decoded == null ? ((ObjectNode) args).deepCopy() : decoded;
                decoded.set(e.getKey(), parsed);
                continue;
            }
            if (v != null && !v.isNull()) {
                String expected = expectedKind(e.getValue().type());
                if (!matches(v, e.getValue().type())) {
                    errors.add(new FieldError(e.getKey(), Text.shorten(v.toString(), VALUE_MAX_CHARS), "must be " + expected));
                }
            }
        }
        if (decoded != null) {
            args = decoded;
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        T value;
        try {
            value = strict.treeToValue(args, type);
        } catch (JsonMappingException e) {
            String field = e.getPath().isEmpty() ? "arguments" : e.getPath().get(0).getFieldName();
            throw new InvalidInputException(field == null ? "arguments" : field, null, "has the wrong JSON type: "
                    + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("arguments", null, "could not be read: " + e.getOriginalMessage());
        }
        check(value, byName, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return value;
    }

    /** One argument of a tool's record, read once per record type. */
    private record Component(Class<?> type, ToolArg arg, java.lang.reflect.Method accessor) {
    }

    /**
     * The arguments of each record type by JSON name. Reflection on record components is not cached by the JDK (each
     * call parses the annotations again), and it was a third of an MCP emit's CPU before this cache.
     */
    private static final ClassValue<Map<String, Component>> COMPONENTS = new ClassValue<>() {
        @Override
        protected Map<String, Component> computeValue(Class<?> type) {
            // a HashMap, as before the cache: the order of the errors of one call stays what it was
            return java.util.Collections.unmodifiableMap(Arrays.stream(type.getRecordComponents())
                    .collect(Collectors.toMap(JsonSchemas::jsonName,
                            c -> new Component(c.getType(), c.getAnnotation(ToolArg.class), c.getAccessor()), (a, b) -> a,
                            java.util.HashMap::new)));
        }
    };

    private JsonNode parseObject(String text) {
        try {
            JsonNode n = strict.readTree(text);
            return n != null && n.isObject() ? n : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static void check(Record value, Map<String, Component> byName, List<FieldError> errors) {
        for (Map.Entry<String, Component> e : byName.entrySet()) {
            ToolArg arg = e.getValue().arg();
            Object v;
            try {
                v = e.getValue().accessor().invoke(value);
            } catch (ReflectiveOperationException x) {
                throw new IllegalStateException(x);
            }
            String name = e.getKey();
            if (v == null || (v instanceof String s && s.isBlank())) {
                if (arg.required()) {
                    errors.add(new FieldError(name, null, "is required: " + arg.value()));
                }
                continue;
            }
            if (arg.allowed().length > 0 && v instanceof String s && !Arrays.asList(arg.allowed()).contains(s)) {
                errors.add(
                        new FieldError(name, Text.shorten(s, VALUE_MAX_CHARS), "allowed: " + String.join(", ", arg.allowed())));
            }
            if (v instanceof Integer i && (i < arg.minimum() || i > arg.maximum())) {
                errors.add(
                        new FieldError(name, String.valueOf(i), "must be between " + arg.minimum() + " and " + arg.maximum()));
            }
        }
    }

    private static boolean matches(JsonNode v, Class<?> type) {
        if (type == String.class) {
            return v.isTextual();
        }
        if (type == Integer.class) {
            return v.isIntegralNumber() && v.canConvertToInt();
        }
        if (type == List.class) {
            if (!v.isArray()) {
                return false;
            }
            for (JsonNode item : v) {
                if (!item.isTextual()) {
                    return false;
                }
            }
            return true;
        }
        if (JsonNode.class.isAssignableFrom(type)) {
            return v.isObject();
        }
        return true;
    }

    private static String expectedKind(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class) {
            return "an integer";
        }
        if (type == List.class) {
            return "an array of strings";
        }
        return "a JSON object";
    }
}
