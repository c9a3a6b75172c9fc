package dev.homelab.events.ingest;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventDeserializationException;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;

import dev.homelab.events.InvalidInputException;

/** Records CloudEvents 1.0 received over HTTP, structured or binary mode, each once by its source and id. */
@ApplicationScoped
public class CloudEventsIngest {

    private final CloudEventsMapping mapping;

    @Inject
    IdempotentRecorder recorder;

    @Inject
    public CloudEventsIngest(ObjectMapper mapper) {
        this.mapping = new CloudEventsMapping(mapper);
    }

    /** Structured mode: the body is one event in the JSON event format ({@code application/cloudevents+json}). */
    public Ingested structured(byte[] body) {
        CloudEvent ce;
        try {
            ce = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).deserialize(body);
        } catch (EventDeserializationException | IllegalStateException | IllegalArgumentException e) {
            throw new InvalidInputException("body", null, "is not a CloudEvent in the JSON format: " + e.getMessage());
        }
        return recorder.record(mapping.draft(ce));
    }

    /**
     * Binary mode: the attributes are the {@code ce-*} headers (names lower-cased, without the prefix), the body is
     * the data, {@code Content-Type} its datacontenttype.
     */
    public Ingested binary(Map<String, String> attributes, String contentType, byte[] body) {
        String spec = attributes.get("specversion");
        if (!"1.0".equals(spec)) {
            throw new InvalidInputException("ce-specversion", spec, "must be 1.0");
        }
        CloudEvent ce;
        try {
            CloudEventBuilder b = CloudEventBuilder.v1();
            for (Map.Entry<String, String> a : attributes.entrySet()) {
                if (!a.getKey().equals("specversion")) {
                    b.withContextAttribute(a.getKey(), a.getValue());
                }
            }
            if (contentType != null) {
                b.withDataContentType(contentType);
            }
            if (body != null && body.length > 0) {
                b.withData(body);
            }
            ce = b.build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new InvalidInputException("ce-*", null, "do not form a CloudEvent: " + e.getMessage());
        }
        return recorder.record(mapping.draft(ce));
    }
}
