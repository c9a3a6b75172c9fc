package dev.homelab.events.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;

import dev.homelab.events.EventDraft;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Timestamps;

/**
 * A CloudEvent (1.0, as the official SDK read it) to an event draft; the mapping of docs/ingest.md:
 * {@code type} is our type, {@code time} our timestamp (absent: now), {@code source} our source with '/' and '\'
 * made '-', the extensions {@code node}, {@code severity} (absent: info), {@code service} (absent:
 * {@code subject}) and {@code correlationid} our fields of those names, {@code data} (a JSON object, or none) the
 * payload. The event id is a name-based UUID of {@code source} and {@code id}, which CloudEvents defines as unique
 * per event: a re-delivered CloudEvent finds the stored event.
 */
public final class CloudEventsMapping {

    private final ObjectMapper mapper;

    public CloudEventsMapping(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public EventDraft draft(CloudEvent ce) {
        String source = ce.getSource().toString();
        String ourSource = source.replace('/', '-').replace('\\', '-').replaceAll("^-+|-+$", "");
        String service = extension(ce, "service");
        if (service == null) {
            service = ce.getSubject();
        }
        String severity = extension(ce, "severity");
        UUID id = UUID.nameUUIDFromBytes(("cloudevents\n" + source + "\n" + ce.getId()).getBytes(StandardCharsets.UTF_8));
        return new EventDraft(ce.getTime() == null ? null : Timestamps.toJson(Timestamps.truncate(ce.getTime().toInstant())),
                extension(ce, "node"), ce.getType(), severity == null ? "info" : severity,
                ourSource.isEmpty() ? source : ourSource,
                service, extension(ce, "correlationid"), payload(ce), id);
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
            JsonNode data = mapper.readTree(ce.getData().toBytes());
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
