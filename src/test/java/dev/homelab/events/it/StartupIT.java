package dev.homelab.events.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up behaviour of the packaged jar that a newcomer meets first. */
class StartupIT {

    @TempDir
    Path tmp;

    @Test
    void unusableStoreDirectoryFailsFastNamingThePathAndVariable() throws Exception {
        Path blocker = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Path wanted = blocker.resolve("events");
        PackagedServer server = new PackagedServer(wanted, tmp.resolve("server.log"), Map.of());

        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, server::start);

        assertTrue(e.getMessage().contains("server exited"), e.getMessage());
        assertNotEquals(0, server.process().exitValue());
        String log = server.logText();
        assertTrue(log.contains(wanted.toString()), log);
        assertTrue(log.contains("HOMELAB_EVENTS_DIR"), log);
    }

    @Test
    void defaultsToLoopbackAndServesEventsWrittenBehindItsBack() throws Exception {
        Path store = tmp.resolve("store");
        try (PackagedServer server = new PackagedServer(store, tmp.resolve("server.log"),
                Map.of("HOMELAB_EVENTS_RESCAN_INTERVAL", "PT0.2S")).start()) {
            assertTrue(server.logText().contains("Listening on: http://127.0.0.1:" + server.port()), server.logText());
            Path dir = Files.createDirectories(store.resolve("2026-11-20/pi4"));
            Files.writeString(dir.resolve("20261120T100000.000001Z_node_offline_3b1f7b2e-9f77-4f61-9a3e-7c2d1c8b9a01.json"),
                    "{\"timestamp\":\"2026-11-20T10:00:00.000001Z\",\"node\":\"pi4\",\"type\":\"node_offline\","
                            + "\"severity\":\"warning\",\"source\":\"heartbeat.sh\",\"service\":\"all\","
                            + "\"correlation_id\":\"hb-1\",\"payload\":{}}\n");
            String body = "";
            for (int i = 0; i < 100 && !body.contains("3b1f7b2e"); i++) {
                Thread.sleep(100);
                body = get(server.baseUrl() + "/api/chains/hb-1");
            }
            assertTrue(body.contains("3b1f7b2e-9f77-4f61-9a3e-7c2d1c8b9a01"), body);
            int exit = server.stop();
            // the JVM reports 143 (128 + SIGTERM) after running its shutdown hooks; Quarkus logs its orderly stop
            assertTrue(exit == 0 || exit == 143, "exit " + exit);
            assertTrue(server.logText().contains("stopped in"), server.logText());
        }
        assertFalse(Files.list(store.resolve("2026-11-20/pi4")).anyMatch(p -> p.getFileName().toString().startsWith(".")));
    }

    static String get(String url) throws IOException, InterruptedException {
        var r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return r.body();
    }
}
