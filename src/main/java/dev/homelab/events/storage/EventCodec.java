package dev.homelab.events.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.homelab.events.Event;
import dev.homelab.events.ExactJson;
import dev.homelab.events.Names;
import dev.homelab.events.Severity;
import dev.homelab.events.Timestamps;

/**
 * The content codec of format v1: one compact JSON object with the eight fields in specification order,
 * then a newline. Payload numbers are written as the literals they were given, strings as raw UTF-8 with lower-case
 * escapes of control characters ({@link ExactJson}): the same bytes as the bash and Python writers. Reading is lenient where other writers may differ (any ISO 8601 offset, missing
 * correlation id or payload, extra fields) and strict where a value would be meaningless or made up (a
 * field of the wrong JSON type, a timestamp outside the supported range, a second JSON document, a
 * duplicated key). Files are read through {@link EventFiles}, which applies the file-level rules first.
 */
public final class EventCodec {

    /** The fields of the format whose value, when present and not null, must be a JSON string. */
    private static final List<String> STRING_FIELDS = List.of(
            "timestamp", "node", "type", "severity", "source", "service", "correlation_id");
    private static final int TIMESTAMP = 0;
    private static final int NODE = 1;
    private static final int TYPE = 2;
    private static final int SEVERITY = 3;
    private static final int SOURCE = 4;
    private static final int SERVICE = 5;
    private static final int CORRELATION_ID = 6;
    /** Stands for a payload that was checked to be a JSON object but not built (its tree was not asked for). */
    private static final JsonNode VALIDATED_OBJECT = com.fasterxml.jackson.databind.node.MissingNode.getInstance();

    private final ObjectMapper mapper;
    /** One JSON document per file: trailing content and duplicated keys (which one would win?) are refused. */
    private final ObjectReader reader;
    /** Reads one value in the middle of a document (the check for trailing content is the caller's). */
    private final ObjectReader valueReader;

    /**
     * @param mapper the application's mapper (its read limits apply); the codec works on a copy with the format's
     *               JSON rules ({@link ExactJson}), so numbers keep their literal and strings are written as the bash
     *               and Python writers write them, whatever mapper it is given
     */
    public EventCodec(ObjectMapper mapper) {
        this.mapper = ExactJson.configure(mapper.copy());
        this.reader = this.mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        this.valueReader = this.mapper.reader().with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public byte[] toBytes(Event e) {
        ObjectNode o = mapper.createObjectNode();
        o.put("timestamp", Timestamps.toJson(e.timestamp()));
        o.put("node", e.node());
        o.put("type", e.type());
        o.put("severity", e.severity().wireName());
        o.put("source", e.source());
        o.put("service", e.service());
        o.put("correlation_id", e.correlationId());
        o.set("payload", e.payload());
        e.extra().forEach(o::set);
        try {
            byte[] json = mapper.writeValueAsBytes(o);
            byte[] out = new byte[json.length + 1];
            System.arraycopy(json, 0, out, 0, json.length);
            out[json.length] = '\n';
            return out;
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("an event tree always serializes", ex);
        }
    }

    /**
     * Decodes a file's bytes. The id comes from the file name when it follows the grammar, else from an
     * {@code id} field holding a UUID, else from a name-based UUID of the relative path (stable across scans).
     * A field of the format that is present with the wrong JSON type makes the file invalid: it is reported,
     * never served with a value made up in its place.
     */
    public ReadResult fromBytes(byte[] bytes, String relativePath, Optional<EventFileName> name) {
        return fromBytes(bytes, relativePath, name, true);
    }

    /**
     * As {@link #fromBytes(byte[], String, Optional)}, with every rule checked the same way; without
     * {@code payloadTree} the payload is validated while streaming past it (JSON syntax, the read limits, repeated
     * keys, lone surrogates) but not built, and the event's {@code payload} is null: for the index, which keeps
     * the eight fields and never the payload (most of a first scan's time went into building trees it dropped).
     */
    public ReadResult fromBytes(byte[] bytes, String relativePath, Optional<EventFileName> name, boolean payloadTree) {
        if (bytes.length == 0) {
            return new ReadResult.Skipped(FileProblem.Reason.EMPTY, "file is empty");
        }
        int seen = look(bytes);
        if ((seen & NOT_ASCII) != 0 && !isUtf8(bytes)) {
            return new ReadResult.Skipped(FileProblem.Reason.NOT_UTF8, "content is not valid UTF-8");
        }
        Fields f;
        try {
            // an escape that may be half a surrogate pair takes the tree route, which names where it is
            f = (seen & SURROGATE_ESCAPE) != 0 ? null : stream(bytes, payloadTree);
            if (f == null) {
                JsonNode tree = reader.readTree(bytes);
                if (tree == null || !tree.isObject()) {
                    return invalid("content is not a JSON object");
                }
                Optional<String> loneSurrogate = ExactJson.firstLoneSurrogate(tree, "");
                if (loneSurrogate.isPresent()) {
                    // not Unicode: served as is, it would make every listing that holds it unreadable for jq and MCP clients
                    return invalid(loneSurrogate.get() + " holds a lone surrogate escape (\\uD800-\\uDFFF without its pair)");
                }
                f = Fields.of((ObjectNode) tree);
            }
        } catch (IOException ex) {
            return new ReadResult.Skipped(FileProblem.Reason.CORRUPT_JSON,
                    "not one parseable JSON document: " + firstLine(ex.getMessage()));
        }
        for (int i = 0; i < STRING_FIELDS.size(); i++) {
            JsonNode v = f.strings[i];
            if (v != null && !v.isNull() && !v.isTextual()) {
                return invalid(STRING_FIELDS.get(i) + " is a JSON " + v.getNodeType().name().toLowerCase(Locale.ROOT)
                        + ", not a string");
            }
        }
        Instant timestamp;
        try {
            timestamp = parseTimestamp(f.text(TIMESTAMP));
        } catch (DateTimeParseException | NullPointerException ex) {
            return invalid("timestamp is missing or not ISO 8601 with an offset");
        }
        if (!Timestamps.isSupported(timestamp)) {
            return invalid("timestamp " + timestamp + " is outside the supported range " + Timestamps.EARLIEST + " to "
                    + Timestamps.LATEST);
        }
        String node = f.text(NODE);
        if (!validNode(node)) {
            return invalid("node is missing or not a valid hostname");
        }
        node = node.toLowerCase(Locale.ROOT); // DNS names are case-insensitive: a hand-written PI4 is the node pi4
        String type = f.text(TYPE);
        if (!validType(type)) {
            return invalid("type is missing or does not match " + Names.TYPE.pattern());
        }
        Optional<Severity> severity = Severity.parse(f.text(SEVERITY));
        if (severity.isEmpty()) {
            return invalid("severity is missing or not one of " + Severity.NAMES);
        }
        String source = f.text(SOURCE);
        String service = f.text(SERVICE);
        if (source == null || source.isBlank() || service == null || service.isBlank()) {
            return invalid("source and service must be non-blank strings");
        }
        JsonNode payload = f.payload;
        if (payload != null && !payload.isNull() && !payload.isObject() && payload != VALIDATED_OBJECT) {
            return invalid("payload is not a JSON object");
        }
        JsonNode idField = f.id;
        UUID id = name.map(EventFileName::id).orElseGet(() -> idFromContent(idField, relativePath));
        String correlationId = f.text(CORRELATION_ID);
        if (correlationId == null || correlationId.isEmpty()) {
            correlationId = id.toString(); // absent or null: the format's "none given", the event's own id
        }
        ObjectNode payloadObject = !payloadTree ? null : payload instanceof ObjectNode p ? p : mapper.createObjectNode();
        return new ReadResult.Ok(new Event(id, timestamp, node, type, severity.get(), source, service, correlationId,
                payloadObject, f.extra), bytes);
    }

    /** The top-level fields of a file, however they were read. */
    private static final class Fields {
        /** The values of {@link #STRING_FIELDS}, in that order; null when absent. */
        final JsonNode[] strings = new JsonNode[STRING_FIELDS.size()];
        /** The payload; {@link #VALIDATED_OBJECT} when it is an object that was checked but not built. */
        JsonNode payload;
        JsonNode id;
        Map<String, JsonNode> extra = Map.of();

        String text(int field) {
            JsonNode n = strings[field];
            return n != null && n.isTextual() ? n.textValue() : null;
        }

        void put(String key, JsonNode value) {
            int slot = STRING_FIELDS.indexOf(key);
            if (slot >= 0) {
                strings[slot] = value;
            } else if (key.equals("payload")) {
                payload = value;
            } else {
                if (key.equals("id")) {
                    id = value;
                    return;
                }
                if (extra.isEmpty()) {
                    extra = new LinkedHashMap<>();
                }
                extra.put(key, value);
            }
        }

        static Fields of(ObjectNode o) {
            Fields f = new Fields();
            o.properties().forEach(e -> f.put(e.getKey(), e.getValue()));
            return f;
        }
    }

    /**
     * Reads a document whose root is an object token by token (the common case); null when the root is something
     * else, which the tree route then reports. Every value but a skipped payload is read as the tree reader would.
     */
    private Fields stream(byte[] bytes, boolean payloadTree) throws IOException {
        try (JsonParser p = reader.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Fields f = new Fields();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw new JsonParseException(p, "Unexpected end of the document: the root object is not closed");
                }
                String key = p.currentName();
                JsonToken v = p.nextToken();
                JsonNode value;
                if (v == JsonToken.VALUE_STRING) {
                    value = TextNode.valueOf(p.getText());
                } else if (v == JsonToken.START_OBJECT && !payloadTree && key.equals("payload")) {
                    p.skipChildren(); // the parser still checks syntax, limits and repeated keys all the way down
                    value = VALIDATED_OBJECT;
                } else {
                    value = valueReader.readTree(p);
                }
                f.put(key, value);
            }
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw new JsonParseException(p, "Trailing token (of type " + trailing + ") found after value");
            }
            return f;
        }
    }

    /** Strict UTF-8, by a decoder: for content that {@link #look} found not to be plain ASCII. */
    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException ex) {
            return false;
        }
    }

    /** {@link #look}: a byte above ASCII, so the content needs the UTF-8 decoder (plain ASCII, by far the most common, does not). */
    static final int NOT_ASCII = 1;
    /**
     * {@link #look}: a backslash, {@code u}, then {@code D800}-{@code DFFF} (either case), the only way a JSON string can
     * hold a surrogate, since strict UTF-8 cannot encode one. A false alarm (an escaped backslash before such letters)
     * only costs the tree route.
     */
    static final int SURROGATE_ESCAPE = 2;

    /** One pass over the bytes for both {@link #NOT_ASCII} and {@link #SURROGATE_ESCAPE} (each file's bytes are read once). */
    static int look(byte[] b) {
        int seen = 0;
        for (int i = 0; i < b.length; i++) {
            byte x = b[i];
            if (x < 0) {
                seen |= NOT_ASCII;
            } else if (x == '\\' && i + 3 < b.length && b[i + 1] == 'u' && (b[i + 2] | 0x20) == 'd') {
                int c = b[i + 3] | 0x20;
                if ((c >= '8' && c <= '9') || (c >= 'a' && c <= 'f')) {
                    seen |= SURROGATE_ESCAPE;
                }
            }
        }
        return seen;
    }

    /**
     * {@link Timestamps#parseIso} with a fast path for the form every writer of the format uses
     * ({@code 2026-11-26T23:47:51.123456Z}); anything else, or any field out of range, goes the general way.
     */
    static Instant parseTimestamp(String text) {
        if (text != null && text.length() == 27 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.' && text.charAt(26) == 'Z') {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            int micros = digits(text, 20, 26);
            // without a branch per month or day (EventFileName.epochSecond says why)
            long seconds = EventFileName.epochSecond(year, month, day, hour, minute, second);
            if (seconds != EventFileName.NO_INSTANT && micros >= 0) {
                return Instant.ofEpochSecond(seconds, micros * 1000L);
            }
        }
        return Timestamps.parseIso(text);
    }

    /** The decimal number in {@code text[from, to)}, or -1 when a character is not a digit. */
    private static int digits(String text, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Node and type names repeat endlessly in a store: the ones seen valid are remembered (a few hundred at most). */
    private final Set<String> validNodes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<String> validTypes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int REMEMBERED_NAMES = 4096;

    private boolean validNode(String node) {
        return remembered(validNodes, node, Names::isValidNode);
    }

    private boolean validType(String type) {
        return remembered(validTypes, type, Names::isValidType);
    }

    /** {@code rule} of a name, asked once per name: valid names are kept in {@code seen}, up to its bound. */
    private static boolean remembered(Set<String> seen, String name, java.util.function.Predicate<String> rule) {
        if (name != null && seen.contains(name)) {
            return true;
        }
        boolean valid = rule.test(name);
        if (valid && seen.size() < REMEMBERED_NAMES) {
            seen.add(name);
        }
        return valid;
    }

    private static UUID idFromContent(JsonNode idField, String relativePath) {
        String declared = idField != null && idField.isTextual() ? idField.textValue() : null;
        if (declared != null) {
            try {
                return UUID.fromString(declared);
            } catch (IllegalArgumentException ignored) {
                // not a UUID: fall through to the path-derived id
            }
        }
        return UUID.nameUUIDFromBytes(relativePath.getBytes(StandardCharsets.UTF_8));
    }

    private static ReadResult invalid(String detail) {
        return new ReadResult.Skipped(FileProblem.Reason.INVALID_EVENT, detail);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
