package dev.homelab.events.nats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/** The application with NATS replication on, against a nats-server started for it (when one is installed). */
public class NatsProfile implements QuarkusTestProfile {

    static final String STREAM = "HOMELAB_EVENTS_APPTEST";

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Server.class));
    }

    /** Starts nats-server before the application; without the binary, NATS stays off and the test skips. */
    public static class Server implements QuarkusTestResourceLifecycleManager {
        static volatile String url;
        /** The server, for tests that stop and restart it. */
        static volatile NatsServer server;
        private Path dir;

        @Override
        public Map<String, String> start() {
            try {
                dir = Files.createTempDirectory("nats-apptest");
                if (!NatsServer.installed()) {
                    return Map.of();
                }
                server = NatsServer.start(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            url = server.url();
            return Map.of("homelab.nats.url", server.url(), "homelab.nats.stream", STREAM, "homelab.nats.interval", "PT1S",
                    "homelab.nats.key-recheck", "PT1S");
        }

        @Override
        public void stop() {
            if (server != null) {
                server.close();
            }
        }
    }
}
