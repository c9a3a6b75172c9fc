package dev.homelab.events;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.util.RawValue;

/**
 * The JSON rules of the format, in one place, for every mapper that reads or writes events (docs/format.md):
 * <ul>
 * <li><b>Numbers are kept exactly.</b> A number is stored and served as the literal it was written as. Jackson's own
 * readers turn {@code 1.10} into {@code 1.1}, {@code 1E2} into {@code 100.0}, {@code -0} into {@code 0} and
 * {@code 1e400} into Infinity (then the string {@code "Infinity"}); the readers here keep the parser's literal
 * ({@link ExactNumber}) whenever Jackson's types would print it differently. Trees ({@code JsonNode}) and untyped
 * values ({@code Object}, {@code Map<String, Object>}: how Vert.x and so the MCP face decode JSON) both follow it.</li>
 * <li><b>Keys are unique.</b> A repeated key is refused, wherever the JSON comes from (which one would win?).</li>
 * <li><b>Strings are written like the bash and Python writers write them:</b> raw UTF-8 (characters beyond the
 * BMP as four bytes, not as an escaped surrogate pair), and the escapes of control characters in lower-case hex
 * ({@code \}{@code u001b}).</li>
 * </ul>
 * Strings holding a lone surrogate (an escaped {@code \}{@code ud800} without its pair) are not Unicode; they are found with
 * {@link #firstLoneSurrogate} and refused by the writers and the reader.
 */
public final class ExactJson {

    private ExactJson() {
    }

    /** Applies the rules above to {@code mapper} (the application's mapper, the codec's, a test's); returns it. */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.registerModule(module());
        mapper.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        mapper.configure(JsonWriteFeature.WRITE_HEX_UPPER_CASE.mappedFeature(), false);
        mapper.configure(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8.mappedFeature(), true);
        return mapper;
    }

    /** The readers of this class as a Jackson module. */
    public static SimpleModule module() {
        SimpleModule m = new SimpleModule("homelab-exact-json");
        m.addDeserializer(JsonNode.class, new TreeReader<>(JsonNode.class));
        m.addDeserializer(ObjectNode.class, new TreeReader<>(ObjectNode.class));
        m.addDeserializer(ArrayNode.class, new TreeReader<>(ArrayNode.class));
        m.addDeserializer(Object.class, new UntypedReader());
        return m;
    }

    /**
     * The current number token as the value that prints back as its literal: an Integer, Long, BigInteger or
     * Double when that prints identically ({@code 42}, {@code 1.5}), else an {@link ExactNumber}.
     */
    static Number number(JsonParser p) throws IOException {
        String text = p.getText();
        if (!looksLikeLiteral(text)) {
            return p.getNumberValue(); // a buffered non-finite double ("NaN"): left for the validators to refuse
        }
        boolean integral = text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
        if (integral) {
            if (text.equals("-0")) {
                return ExactNumber.of(text);
            }
            int digits = text.length() - (text.charAt(0) == '-' ? 1 : 0);
            if (digits <= 9) {
                return Integer.valueOf(text);
            }
            if (digits <= 18) {
                return Long.valueOf(text);
            }
            return new BigInteger(text); // the grammar has no leading zeros: toString() gives the literal back
        }
        double d = Double.parseDouble(text);
        if (Double.isFinite(d) && Double.toString(d).equals(text)) {
            return d;
        }
        return ExactNumber.of(text);
    }

    private static boolean looksLikeLiteral(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        char first = text.charAt(0);
        char last = text.charAt(text.length() - 1);
        return (first == '-' || (first >= '0' && first <= '9')) && last >= '0' && last <= '9'
                && ExactNumber.GRAMMAR.matcher(text).matches();
    }

    static JsonNode numberNode(JsonParser p, JsonNodeFactory f) throws IOException {
        Number n = number(p);
        if (n instanceof ExactNumber e) {
            return new ExactNumberNode(e);
        }
        if (n instanceof Integer i) {
            return f.numberNode(i.intValue());
        }
        if (n instanceof Long l) {
            return f.numberNode(l.longValue());
        }
        if (n instanceof BigInteger b) {
            return f.numberNode(b);
        }
        if (n instanceof Double d) {
            return f.numberNode(d.doubleValue());
        }
        if (n instanceof Float fl) {
            return f.numberNode(fl.floatValue());
        }
        if (n instanceof BigDecimal b) {
            return f.numberNode(b);
        }
        return f.numberNode(n.doubleValue());
    }

    /**
     * Where the first string or object key under {@code node} holds a lone surrogate, as a path from
     * {@code path} ({@code payload.a[2].b}), or empty when every string is valid Unicode.
     */
    public static Optional<String> firstLoneSurrogate(JsonNode node, String path) {
        if (node == null) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Names.firstLoneSurrogate(node.textValue()) >= 0 ? Optional.of(path) : Optional.empty();
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String child = child(path, Names.escapeLoneSurrogates(e.getKey()));
                if (Names.firstLoneSurrogate(e.getKey()) >= 0) {
                    return Optional.of(child);
                }
                Optional<String> found = firstLoneSurrogate(e.getValue(), child);
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            int i = 0;
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); i++) {
                Optional<String> found = firstLoneSurrogate(it.next(), path + "[" + i + "]");
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Where the first number under {@code node} that is not finite lies (a tree built by code, not parsed: a
     * parsed number is always finite), or empty.
     */
    public static Optional<String> firstNonFiniteNumber(JsonNode node, String path) {
        if (node == null) {
            return Optional.empty();
        }
        if (node.isNumber() && !(node instanceof ExactNumberNode) && (node.isDouble() || node.isFloat())) {
            return Double.isFinite(node.doubleValue()) ? Optional.empty() : Optional.of(path);
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                Optional<String> found = firstNonFiniteNumber(e.getValue(), child(path, e.getKey()));
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            int i = 0;
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); i++) {
                Optional<String> found = firstNonFiniteNumber(it.next(), path + "[" + i + "]");
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Reads JSON trees token by token, keeping number literals and refusing repeated keys. */
    static final class TreeReader<T extends JsonNode> extends StdDeserializer<T> {

        private static final long serialVersionUID = 1L;
        private final Class<T> target;

        TreeReader(Class<T> target) {
            super(target);
            this.target = target;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNodeFactory f = ctxt.getNodeFactory();
            JsonToken t = p.currentToken();
            JsonNode n;
            if (t == JsonToken.FIELD_NAME || t == JsonToken.END_OBJECT) {
                // a caller that buffered the start of the object hands it over at its first field
                n = readFields(p, ctxt, f, f.objectNode());
            } else {
                n = read(p, ctxt, f);
            }
            if (!target.isInstance(n)) {
                return ctxt.reportInputMismatch(this, "expected a JSON %s, got %s",
                        target == ObjectNode.class ? "object" : "array", n.getNodeType().toString().toLowerCase(
                                Locale.ROOT));
            }
            return target.cast(n);
        }

        /** As Jackson's own tree reader: {@code null} is a NullNode where a JsonNode is asked for. */
        @Override
        public T getNullValue(DeserializationContext ctxt) {
            return target == JsonNode.class ? target.cast(NullNode.getInstance()) : null;
        }

        /** A missing property stays null (not a NullNode), as with Jackson's own reader. */
        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return null;
        }

        @Override
        public Object deserializeWithType(JsonParser p, DeserializationContext ctxt, TypeDeserializer typeDeserializer)
                throws IOException {
            return typeDeserializer.deserializeTypedFromAny(p, ctxt);
        }

        @Override
        public boolean isCachable() {
            return true;
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.Untyped;
        }

        private static JsonNode read(JsonParser p, DeserializationContext ctxt, JsonNodeFactory f) throws IOException {
            JsonToken t = p.currentToken();
            if (t == null) {
                t = p.nextToken();
            }
            if (t == null) {
                return ctxt.reportInputMismatch(JsonNode.class, "no JSON content");
            }
            switch (t) {
                case START_OBJECT :
                    p.nextToken();
                    return readFields(p, ctxt, f, f.objectNode());
                case START_ARRAY : {
                    ArrayNode a = f.arrayNode();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() == null) {
                            return ctxt.reportInputMismatch(JsonNode.class, "unexpected end of JSON in an array");
                        }
                        a.add(read(p, ctxt, f));
                    }
                    return a;
                }
                case VALUE_STRING :
                    return f.textNode(p.getText());
                case VALUE_NUMBER_INT :
                case VALUE_NUMBER_FLOAT :
                    return numberNode(p, f);
                case VALUE_TRUE :
                    return f.booleanNode(true);
                case VALUE_FALSE :
                    return f.booleanNode(false);
                case VALUE_NULL :
                    return f.nullNode();
                case VALUE_EMBEDDED_OBJECT :
                    return embedded(p.getEmbeddedObject(), f);
                default :
                    return (JsonNode) ctxt.handleUnexpectedToken(JsonNode.class, p);
            }
        }

        /** Reads fields from the current token (a FIELD_NAME, or the END_OBJECT of an empty object). */
        private static ObjectNode readFields(JsonParser p, DeserializationContext ctxt, JsonNodeFactory f, ObjectNode o)
                throws IOException {
            for (JsonToken t = p.currentToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    return (ObjectNode) ctxt.handleUnexpectedToken(ObjectNode.class, p);
                }
                String name = p.currentName();
                p.nextToken();
                JsonNode value = read(p, ctxt, f);
                if (o.replace(name, value) != null) {
                    return ctxt.reportInputMismatch(ObjectNode.class, "duplicate key \"%s\": a key may appear once",
                            Text.echo(name, 80));
                }
            }
            return o;
        }

        private static JsonNode embedded(Object o, JsonNodeFactory f) {
            if (o == null) {
                return f.nullNode();
            }
            if (o instanceof byte[] b) {
                return f.binaryNode(b);
            }
            if (o instanceof JsonNode n) {
                return n;
            }
            if (o instanceof RawValue r) {
                return f.rawValueNode(r);
            }
            return f.pojoNode(o);
        }
    }

    /**
     * Reads untyped JSON ({@code Object}, the values of {@code Map<String, Object>}) as Jackson does (LinkedHashMap,
     * ArrayList, String, Boolean, null), but numbers as {@link #number}: how Vert.x's JsonObject, and so the MCP face,
     * sees a payload.
     */
    static final class UntypedReader extends StdDeserializer<Object> {

        private static final long serialVersionUID = 1L;

        UntypedReader() {
            super(Object.class);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.FIELD_NAME || t == JsonToken.END_OBJECT) {
                return readFields(p, ctxt, new LinkedHashMap<>());
            }
            return read(p, ctxt);
        }

        @Override
        public Object deserializeWithType(JsonParser p, DeserializationContext ctxt, TypeDeserializer typeDeserializer)
                throws IOException {
            return typeDeserializer.deserializeTypedFromAny(p, ctxt);
        }

        @Override
        public boolean isCachable() {
            return true;
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.Untyped;
        }

        private Object read(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            if (t == null) {
                return ctxt.reportInputMismatch(Object.class, "no JSON content");
            }
            switch (t) {
                case START_OBJECT :
                    p.nextToken();
                    return readFields(p, ctxt, new LinkedHashMap<>());
                case START_ARRAY : {
                    List<Object> list = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() == null) {
                            return ctxt.reportInputMismatch(Object.class, "unexpected end of JSON in an array");
                        }
                        list.add(read(p, ctxt));
                    }
                    return list;
                }
                case VALUE_STRING :
                    return p.getText();
                case VALUE_NUMBER_INT :
                case VALUE_NUMBER_FLOAT :
                    return number(p);
                case VALUE_TRUE :
                    return Boolean.TRUE;
                case VALUE_FALSE :
                    return Boolean.FALSE;
                case VALUE_NULL :
                    return null;
                case VALUE_EMBEDDED_OBJECT :
                    return p.getEmbeddedObject();
                default :
                    return ctxt.handleUnexpectedToken(Object.class, p);
            }
        }

        private Map<String, Object> readFields(JsonParser p, DeserializationContext ctxt, Map<String, Object> map)
                throws IOException {
            for (JsonToken t = p.currentToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    ctxt.handleUnexpectedToken(Map.class, p);
                    return map;
                }
                String name = p.currentName();
                p.nextToken();
                Object value = read(p, ctxt);
                if (map.containsKey(name)) {
                    return ctxt.reportInputMismatch(Map.class, "duplicate key \"%s\": a key may appear once",
                            Text.echo(name, 80));
                }
                map.put(name, value);
            }
            return map;
        }
    }
}
