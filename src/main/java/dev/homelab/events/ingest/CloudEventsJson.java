package dev.homelab.events.ingest;

import java.io.IOException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;

import dev.homelab.events.Event;
import dev.homelab.events.InvalidInputException;

/**
 * The CloudEvents JSON event format (structured mode) and JSON batch format, read and written by the official SDK's
 * Jackson module on a copy of the application's mapper: so a payload's numbers keep their literals and a repeated
 * key is refused ({@code ExactJson}) in a CloudEvent as everywhere else. The SDK's own {@code JsonFormat} parses
 * with a plain ObjectMapper, which reads {@code 1.10} as {@code 1.1} and {@code 1e400} as Infinity.
 */
@ApplicationScoped
public class CloudEventsJson {

    /** The media type of one structured-mode CloudEvent. */
    public static final String STRUCTURED = JsonFormat.CONTENT_TYPE;
    /** The media type of a JSON batch: an array of structured-mode CloudEvents. */
    public static final String BATCH = "application/cloudevents-batch+json";

    private final ObjectMapper mapper;
    private final CloudEventsMapping mapping;

    @Inject
    public CloudEventsJson(ObjectMapper appMapper) {
        this.mapper = appMapper.copy().registerModule(JsonFormat.getCloudEventJacksonModule());
        this.mapping = new CloudEventsMapping(appMapper);
    }

    public CloudEventsMapping mapping() {
        return mapping;
    }

    /** One CloudEvent in the JSON format, or a 400 naming what is wrong. */
    public CloudEvent read(byte[] body) {
        try {
            return mapper.readValue(body, CloudEvent.class);
        } catch (IOException | IllegalStateException | IllegalArgumentException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new InvalidInputException("body", null, "is not a CloudEvent in the JSON format: " + why);
        }
    }

    /** Events as a JSON batch: an array of CloudEvents in the JSON format, in the order given. */
    public byte[] batch(List<Event> events) {
        List<CloudEvent> out = events.stream().map(mapping::toCloudEvent).toList();
        try {
            return mapper.writerFor(mapper.getTypeFactory().constructCollectionType(List.class, CloudEvent.class))
                    .writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("events could not be written as a CloudEvents batch", e);
        }
    }
}
