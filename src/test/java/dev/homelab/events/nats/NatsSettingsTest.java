package dev.homelab.events.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.homelab.events.config.NatsConfig;

/** Configuration checks and the names on the NATS side. */
class NatsSettingsTest {

    private record Config(Optional<String> url, Optional<String> token, Optional<String> user, Optional<String> password,
            Optional<String> creds, String stream, int replicas, Duration maxAge, long maxBytes, Duration duplicateWindow,
            Optional<List<String>> follow, boolean consume, Optional<String> consumer, Duration interval, int batch,
            Duration timeout) implements NatsConfig {
        @Override
        public Duration keyRecheck() {
            return Duration.ofMinutes(1);
        }

        static Config of(String url) {
            return new Config(Optional.of(url), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    "HOMELAB_EVENTS", 1, Duration.ofDays(30), -1, Duration.ofMinutes(10), Optional.empty(), true,
                    Optional.empty(), Duration.ofSeconds(1), 200, Duration.ofSeconds(5));
        }

        Config withAuth(String t, String u, String p, String c) {
            return new Config(url, Optional.ofNullable(t), Optional.ofNullable(u), Optional.ofNullable(p),
                    Optional.ofNullable(c),
                    stream, replicas, maxAge, maxBytes, duplicateWindow, follow, consume, consumer, interval, batch, timeout);
        }

        Config withFollow(List<String> nodes) {
            return new Config(url, token, user, password, creds, stream, replicas, maxAge, maxBytes, duplicateWindow,
                    Optional.of(nodes), consume, consumer, interval, batch, timeout);
        }
    }

    @Test
    void serversAreCommaSeparatedAndGetTheNatsSchemeWhenItIsMissing() {
        NatsSettings s = NatsSettings.from(Config.of(" nats://a.lan:4222, b.lan:4223 ,"), "pi4.lan");
        assertEquals(List.of("nats://a.lan:4222", "nats://b.lan:4223"), s.servers());
        assertEquals("homelab-pi4_lan", s.consumer(), "the consumer is named after the node, dots made safe");
        assertEquals("none", s.credentials().kind());
    }

    @Test
    void anEmptyUrlListIsRefusedWithTheVariableToSet() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NatsSettings.from(Config.of(" , "), "n"));
        assertTrue(e.getMessage().contains("HOMELAB_NATS_URL"), e.getMessage());
    }

    @Test
    void credentialsAreOneKindAndUserGoesWithPassword() {
        assertEquals("user-password",
                NatsSettings.from(Config.of("n:4222").withAuth(null, "u", "p", null), "n").credentials().kind());
        assertEquals("token", NatsSettings.from(Config.of("n:4222").withAuth("t", null, null, null), "n").credentials().kind());
        assertEquals("creds-file",
                NatsSettings.from(Config.of("n:4222").withAuth(null, null, null, "/etc/n.creds"), "n").credentials().kind());
        IllegalStateException half = assertThrows(IllegalStateException.class,
                () -> NatsSettings.from(Config.of("n:4222").withAuth(null, "u", null, null), "n"));
        assertTrue(half.getMessage().contains("HOMELAB_NATS_PASSWORD"), half.getMessage());
        IllegalStateException two = assertThrows(IllegalStateException.class,
                () -> NatsSettings.from(Config.of("n:4222").withAuth("t", null, null, "/etc/n.creds"), "n"));
        assertTrue(two.getMessage().contains("one kind"), two.getMessage());
    }

    @Test
    void followedNodesBecomeFilterSubjectsAndBadNamesAreRefused() {
        NatsSettings s = NatsSettings.from(Config.of("n:4222").withFollow(List.of("pi4.lan", "nas")), "n");
        assertEquals(List.of("homelab.events.pi4_lan.>", "homelab.events.nas.>"), Subjects.filters(s.follow()));
        assertEquals(List.of("homelab.events.>"), Subjects.filters(List.of()));
        assertThrows(IllegalStateException.class,
                () -> NatsSettings.from(Config.of("n:4222").withFollow(List.of("bad/node")), "n"));
    }

    @Test
    void subjectsCarryTheEventsNodeAndType() {
        assertEquals("homelab.events.pi4_lan.deployment_failed", Subjects.subject("pi4.lan", "deployment_failed"));
    }
}
