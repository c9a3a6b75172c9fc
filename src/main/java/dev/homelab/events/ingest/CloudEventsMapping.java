package dev.homelab.events.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonCloudEventData;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Timestamps;
import dev.homelab.events.service.EventService;

/**
 * The CloudEvents 1.0 mapping of docs/ingest.md, both ways, in one place so that an event sent out and read back
 * in is the same event (same id, same fields, the payload's numbers as the same literals).
 *
 * <p>
 * In: {@code type} is our type, {@code time} our timestamp (absent: now), {@code source} our source (percent-escapes
 * decoded, leading and trailing '/' and '\' removed, inner ones made '-'), the extensions {@code node},
 * {@code severity} (absent: info), {@code service} (absent: {@code subject}) and {@code correlationid} our fields of
 * those names, {@code data} (a JSON object, or none) the payload. The event id: a CloudEvent {@code id} that is a
 * UUID is the event id itself (a client-chosen id, as on the JSON API); any other {@code id} gives a name-based UUID
 * of {@code source} and {@code id}, which CloudEvents defines as unique per event. Either way a re-delivered
 * CloudEvent finds the stored event.
 *
 * <p>
 * Out ({@link #toCloudEvent}): the same attributes the other way round, {@code subject} and the extension
 * {@code service} both the service, {@code datacontenttype} {@code application/json} and {@code data} the payload's
 * stored JSON, byte for byte.
 */
public final class CloudEventsMapping {

    /** The datacontenttype of every CloudEvent this server sends: the payload is a JSON object. */
    public static final String DATA_CONTENT_TYPE = "application/json";

    /** A URI scheme (RFC 3986): a source text that starts with one and a ':' is written as an absolute URI. */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");

    private final ObjectMapper mapper;

    public CloudEventsMapping(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public EventDraft draft(CloudEvent ce) {
        String source = decoded(ce.getSource());
        String ourSource = source.replaceAll("^[/\\\\]+|[/\\\\]+$", "").replace('/', '-').replace('\\', '-');
        String service = extension(ce, "service");
        if (service == null) {
            service = ce.getSubject();
        }
        String severity = extension(ce, "severity");
        UUID id = EventService.chosenId(ce.getId());
        if (id == null) {
            id = UUID.nameUUIDFromBytes(
                    ("cloudevents\n" + ce.getSource() + "\n" + ce.getId()).getBytes(StandardCharsets.UTF_8));
        }
        return new EventDraft(ce.getTime() == null ? null : Timestamps.toJson(Timestamps.truncate(ce.getTime().toInstant())),
                extension(ce, "node"), ce.getType(), severity == null ? "info" : severity,
                ourSource.isEmpty() ? source : ourSource,
                service, extension(ce, "correlationid"), payload(ce), id);
    }

    /** True when the CloudEvent's id is a UUID and so the event id itself (not derived from its source). */
    public static boolean hasChosenId(CloudEvent ce) {
        return EventService.chosenId(ce.getId()) != null;
    }

    /** A stored event as a CloudEvent; {@link #draft} of it gives the event back. */
    public CloudEvent toCloudEvent(Event e) {
        byte[] data;
        try {
            data = mapper.writeValueAsBytes(e.payload() == null ? mapper.createObjectNode() : e.payload());
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("a stored payload cannot be written as JSON", x);
        }
        return CloudEventBuilder.v1()
                .withId(e.id().toString())
                .withSource(sourceUri(e.source()))
                .withType(e.type())
                .withTime(e.timestamp().atOffset(ZoneOffset.UTC))
                .withSubject(e.service())
                .withExtension("service", e.service())
                .withExtension("node", e.node())
                .withExtension("severity", e.severity().wireName())
                .withExtension("correlationid", e.correlationId())
                .withDataContentType(DATA_CONTENT_TYPE)
                .withData(data)
                .build();
    }

    /**
     * Our source as a CloudEvents {@code source} (a URI-reference): characters a URI cannot hold as they are
     * (space, '%', '#', '?', non-ASCII, ...) percent-encoded as UTF-8, ':' too unless what precedes the first one is
     * a scheme ({@code urn:homelab:ups} stays as it is). {@link #decoded} gives the text back.
     */
    static URI sourceUri(String source) {
        int colon = source.indexOf(':');
        boolean absolute = colon > 0 && colon < source.length() - 1 && SCHEME.matcher(source.substring(0, colon)).matches();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean keep = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || "-._~!$&'()*+,;=@".indexOf(b) >= 0 || (b == ':' && absolute);
            if (keep) {
                out.write(b);
            } else {
                out.writeBytes(String.format(Locale.ROOT, "%%%02X", b).getBytes(StandardCharsets.US_ASCII));
            }
        }
        try {
            return new URI(out.toString(StandardCharsets.US_ASCII));
        } catch (URISyntaxException x) {
            throw new IllegalStateException("source '" + source + "' did not encode as a URI", x);
        }
    }

    /** A CloudEvents source with its percent-escapes decoded (as UTF-8). */
    static String decoded(URI source) {
        String ssp = source.getSchemeSpecificPart();
        return (source.getScheme() == null ? "" : source.getScheme() + ":") + (ssp == null ? "" : ssp)
                + (source.getFragment() == null ? "" : "#" + source.getFragment());
    }

    private JsonNode payload(CloudEvent ce) {
        if (ce.getData() == null) {
            return null;
        }
        String contentType = ce.getDataContentType();
        if (contentType != null) {
            String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!base.equals("application/json") && !base.endsWith("+json")) {
                throw new InvalidInputException("datacontenttype", contentType,
                        "is not JSON; data must be a JSON object (datacontenttype application/json)");
            }
        }
        try {
            // structured mode: the tree our reader built (numbers kept as their literals); binary mode: the body
            JsonNode data = ce.getData() instanceof JsonCloudEventData json
                    ? json.getNode()
                    : mapper.readTree(ce.getData().toBytes());
            if (data == null || !data.isObject()) {
                throw new InvalidInputException("data", data == null ? "empty" : data.getNodeType().toString(),
                        "must be a JSON object; it becomes the event's payload");
            }
            return data;
        } catch (IOException e) {
            throw new InvalidInputException("data", null, "is not valid JSON: " + e.getMessage());
        }
    }

    private static String extension(CloudEvent ce, String name) {
        Object v = ce.getExtension(name);
        return v == null ? null : v.toString();
    }
}
