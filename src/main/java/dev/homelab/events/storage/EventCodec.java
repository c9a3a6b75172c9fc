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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

    private static final Set<String> FIELDS = Set.of(
            "timestamp", "node", "type", "severity", "source", "service", "correlation_id", "payload");

    /** The fields of the format whose value, when present and not null, must be a JSON string. */
    private static final List<String> STRING_FIELDS = List.of(
            "timestamp", "node", "type", "severity", "source", "service", "correlation_id");

    private final ObjectMapper mapper;
    /** One JSON document per file: trailing content and duplicated keys (which one would win?) are refused. */
    private final ObjectReader reader;

    /**
     * @param mapper the application's mapper (its read limits apply); the codec works on a copy with the format's
     *               JSON rules ({@link ExactJson}), so numbers keep their literal and strings are written as the bash
     *               and Python writers write them, whatever mapper it is given
     */
    public EventCodec(ObjectMapper mapper) {
        this.mapper = ExactJson.configure(mapper.copy());
        this.reader = this.mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
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
        if (bytes.length == 0) {
            return new ReadResult.Skipped(FileProblem.Reason.EMPTY, "file is empty");
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException ex) {
            return new ReadResult.Skipped(FileProblem.Reason.NOT_UTF8, "content is not valid UTF-8");
        }
        JsonNode tree;
        try {
            tree = reader.readTree(bytes);
        } catch (IOException ex) {
            return new ReadResult.Skipped(FileProblem.Reason.CORRUPT_JSON,
                    "not one parseable JSON document: " + firstLine(ex.getMessage()));
        }
        if (tree == null || !tree.isObject()) {
            return invalid("content is not a JSON object");
        }
        ObjectNode o = (ObjectNode) tree;
        Optional<String> loneSurrogate = ExactJson.firstLoneSurrogate(o, "");
        if (loneSurrogate.isPresent()) {
            // not Unicode: served as is, it would make every listing that holds it unreadable for jq and MCP clients
            return invalid(loneSurrogate.get() + " holds a lone surrogate escape (\\uD800-\\uDFFF without its pair)");
        }
        for (String field : STRING_FIELDS) {
            JsonNode v = o.get(field);
            if (v != null && !v.isNull() && !v.isTextual()) {
                return invalid(field + " is a JSON " + v.getNodeType().name().toLowerCase(Locale.ROOT)
                        + ", not a string");
            }
        }
        Instant timestamp;
        try {
            timestamp = Timestamps.parseIso(text(o, "timestamp"));
        } catch (DateTimeParseException | NullPointerException ex) {
            return invalid("timestamp is missing or not ISO 8601 with an offset");
        }
        if (!Timestamps.isSupported(timestamp)) {
            return invalid("timestamp " + timestamp + " is outside the supported range " + Timestamps.EARLIEST + " to "
                    + Timestamps.LATEST);
        }
        String node = text(o, "node");
        if (!Names.isValidNode(node)) {
            return invalid("node is missing or not a valid hostname");
        }
        node = node.toLowerCase(Locale.ROOT); // DNS names are case-insensitive: a hand-written PI4 is the node pi4
        String type = text(o, "type");
        if (!Names.isValidType(type)) {
            return invalid("type is missing or does not match " + Names.TYPE.pattern());
        }
        Optional<Severity> severity = Severity.parse(text(o, "severity"));
        if (severity.isEmpty()) {
            return invalid("severity is missing or not one of " + Severity.NAMES);
        }
        String source = text(o, "source");
        String service = text(o, "service");
        if (source == null || source.isBlank() || service == null || service.isBlank()) {
            return invalid("source and service must be non-blank strings");
        }
        JsonNode payload = o.get("payload");
        if (payload != null && !payload.isNull() && !payload.isObject()) {
            return invalid("payload is not a JSON object");
        }
        UUID id = name.map(EventFileName::id).orElseGet(() -> idFromContent(o, relativePath));
        String correlationId = text(o, "correlation_id");
        if (correlationId == null || correlationId.isEmpty()) {
            correlationId = id.toString(); // absent or null: the format's "none given", the event's own id
        }
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        o.properties().forEach(f -> {
            if (!FIELDS.contains(f.getKey()) && !f.getKey().equals("id")) {
                extra.put(f.getKey(), f.getValue());
            }
        });
        ObjectNode payloadObject = payload instanceof ObjectNode p ? p : mapper.createObjectNode();
        return new ReadResult.Ok(new Event(id, timestamp, node, type, severity.get(), source, service, correlationId,
                payloadObject, extra), bytes);
    }

    private static UUID idFromContent(ObjectNode o, String relativePath) {
        String declared = text(o, "id");
        if (declared != null) {
            try {
                return UUID.fromString(declared);
            } catch (IllegalArgumentException ignored) {
                // not a UUID: fall through to the path-derived id
            }
        }
        return UUID.nameUUIDFromBytes(relativePath.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        return n != null && n.isTextual() ? n.textValue() : null;
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
