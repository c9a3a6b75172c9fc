package dev.homelab.events.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.ExactJson;
import dev.homelab.events.Severity;

/** The CloudEvents mapping both ways (docs/ingest.md): out and back in gives the same event. */
class CloudEventsMappingTest {

    static final ObjectMapper EXACT = ExactJson.configure(new ObjectMapper());
    final CloudEventsMapping mapping = new CloudEventsMapping(EXACT);

    @Test
    void everySourceTextSurvivesTheUriAndBack() {
        for (String source : new String[]{ "ci", "backup-nas", "urn:homelab:ups", "https:x", "-x-", "a:", "1:2", "x?y#z",
                "%41", "grüße", "my app: backup", "@home", "a;b=c,d", "..", "日本", "emoji 🚀" }) {
            URI uri = CloudEventsMapping.sourceUri(source);
            assertEquals(uri, URI.create(uri.toASCIIString()), "a valid, ASCII URI-reference for " + source);
            assertEquals(source, CloudEventsMapping.decoded(uri), "back from " + uri);
        }
        assertEquals("urn:homelab:ups", CloudEventsMapping.sourceUri("urn:homelab:ups").toString());
        assertEquals("my%20app%3A%20backup", CloudEventsMapping.sourceUri("my app: backup").toString());
    }

    @Test
    void anEventGoesOutAndComesBackTheSame() throws Exception {
        ObjectNode payload = (ObjectNode) EXACT.readTree("{\"ten\":1.10,\"huge\":1e400,\"neg\":-0,\"s\":\"\\u001b ü\"}");
        Event e = new Event(UUID.randomUUID(), Instant.parse("2026-11-29T10:00:00.123456Z"), "nas", "deployment_failed",
                Severity.CRITICAL, "urn:homelab:nas backup", "restic", "chain-1", payload, Map.of());
        EventDraft d = mapping.draft(mapping.toCloudEvent(e));
        assertEquals(e.id(), d.id());
        assertEquals("2026-11-29T10:00:00.123456Z", d.timestamp());
        assertEquals(e.node(), d.node());
        assertEquals(e.type(), d.type());
        assertEquals("critical", d.severity());
        assertEquals(e.source(), d.source());
        assertEquals(e.service(), d.service());
        assertEquals(e.correlationId(), d.correlationId());
        assertEquals(EXACT.writeValueAsString(payload), EXACT.writeValueAsString(d.payload()));
    }

    @Test
    void aForeignIdIsNamespacedByItsSourceAndAUuidIsKept() {
        io.cloudevents.CloudEvent foreign = io.cloudevents.core.builder.CloudEventBuilder.v1().withId("evt-1")
                .withSource(URI.create("/backup/nas")).withType("deployment_failed").build();
        assertEquals(
                UUID.nameUUIDFromBytes("cloudevents\n/backup/nas\nevt-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                mapping.draft(foreign).id());
        assertEquals("backup-nas", mapping.draft(foreign).source());
        UUID chosen = UUID.randomUUID();
        assertEquals(chosen, mapping.draft(io.cloudevents.core.builder.CloudEventBuilder.v1(foreign)
                .withId(chosen.toString().toUpperCase(java.util.Locale.ROOT)).build()).id());
    }
}
