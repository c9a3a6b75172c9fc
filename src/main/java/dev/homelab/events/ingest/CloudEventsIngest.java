package dev.homelab.events.ingest;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.service.Emitted;
import dev.homelab.events.service.EventService;

/**
 * Records CloudEvents 1.0 received over HTTP, structured or binary mode, each once. A CloudEvent whose id is a UUID
 * is written under that id with the service's idempotent write (the same event again: the stored one; other
 * content under the same id: 409), as an event with a client-chosen id; so an event this server sent out as a
 * CloudEvent comes back as itself. Any other id is derived from source and id ({@link IdempotentRecorder}).
 */
@ApplicationScoped
public class CloudEventsIngest {

    @Inject
    IdempotentRecorder recorder;
    @Inject
    EventService events;
    @Inject
    CloudEventsJson json;

    /** Structured mode: the body is one event in the JSON event format ({@code application/cloudevents+json}). */
    public Ingested structured(byte[] body) {
        return record(json.read(body));
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
        return record(ce);
    }

    private Ingested record(CloudEvent ce) {
        if (CloudEventsMapping.hasChosenId(ce)) {
            Emitted e = events.emit(json.mapping().draft(ce));
            return new Ingested(e.event(), e.created());
        }
        return recorder.record(json.mapping().draft(ce));
    }
}
