package dev.homelab.events.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

import dev.homelab.events.security.TokenProfile;

/**
 * A real Alertmanager (Debian package prometheus-alertmanager) with a webhook receiver pointing at this server,
 * authenticated with {@code http_config.authorization} as docs/ingest.md shows: an alert pushed to Alertmanager's
 * API becomes one event, its repeats add nothing, its resolution joins the same chain.
 */
@QuarkusTest
@TestProfile(TokenProfile.class)
class RealAlertmanagerTest {

    static final Path BINARY = Path.of(System.getenv().getOrDefault("ALERTMANAGER_BIN", "/usr/bin/prometheus-alertmanager"));
    static final Duration CEILING = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    Process alertmanager;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws InterruptedException {
        if (alertmanager != null) {
            alertmanager.destroy();
            if (!alertmanager.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                alertmanager.destroyForcibly();
            }
        }
    }

    @Test
    void firingRepeatsAndResolutionBecomeOneChainWithoutDuplicates() throws Exception {
        boolean ci = System.getenv("CI") != null;
        if (!Files.isExecutable(BINARY)) {
            Assumptions.assumeTrue(ci, "skipped: " + BINARY + " is missing; install it with "
                    + "'apt-get install -y prometheus-alertmanager' (.ci/run does)");
            throw new AssertionError(BINARY + " is missing but CI is set: .ci/run should have installed it");
        }
        int amPort = freePort();
        String alertName = "HomelabTest" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        String job = "svc-" + UUID.randomUUID().toString().substring(0, 8);
        Path config = dir.resolve("alertmanager.yml");
        // the receiver as docs/ingest.md documents it; the intervals are short so a repeat comes within seconds:
        // Alertmanager re-sends a still-firing group at the first group_interval tick after repeat_interval
        Files.writeString(config, """
                route:
                  receiver: homelab
                  group_by: ['alertname']
                  group_wait: 1s
                  group_interval: 2s
                  repeat_interval: 3s
                receivers:
                  - name: homelab
                    webhook_configs:
                      - url: http://127.0.0.1:%d/api/ingest/alertmanager
                        send_resolved: true
                        http_config:
                          authorization:
                            type: Bearer
                            credentials: %s
                """.formatted(RestAssured.port, TokenProfile.TOKEN));
        alertmanager = new ProcessBuilder(BINARY.toString(), "--config.file=" + config,
                "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + amPort,
                "--cluster.listen-address=").redirectErrorStream(true).redirectOutput(dir.resolve("am.log").toFile())
                .start();
        String am = "http://127.0.0.1:" + amPort;
        await().atMost(CEILING).ignoreExceptions().until(() -> get(am + "/-/ready").statusCode() == 200);

        Instant startsAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String labels = """
                {"alertname": "%s", "job": "%s", "instance": "Web-01.LAN:9100", "severity": "critical"}"""
                .formatted(alertName, job);
        push(am, """
                [{"labels": %s, "annotations": {"summary": "web-01 is down"}, "startsAt": "%s",
                  "generatorURL": "http://prometheus.lan:9090/graph"}]""".formatted(labels, startsAt));

        await().atMost(CEILING).until(() -> events(job).size() == 1);
        Map<String, Object> firing = events(job).get(0);
        assertEquals("service_unhealthy", firing.get("type"));
        assertEquals("critical", firing.get("severity"));
        assertEquals("alertmanager", firing.get("source"));
        assertEquals("web-01.lan", firing.get("node"));
        String chain = (String) firing.get("correlation_id");
        assertTrue(chain.startsWith("alert-"), chain);

        // Alertmanager repeats the still-firing notification: wait until it has sent at least two, see one event
        await().atMost(CEILING).until(() -> webhookNotifications(am) >= 2);
        assertEquals(1, events(job).size(), "a repeated notification must not create a second event");

        push(am, """
                [{"labels": %s, "annotations": {"summary": "web-01 is down"}, "startsAt": "%s", "endsAt": "%s",
                  "generatorURL": "http://prometheus.lan:9090/graph"}]"""
                .formatted(labels, startsAt, Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.MILLIS)));
        await().atMost(CEILING).until(() -> events(job).size() == 2);
        given().get("/api/chains/" + chain).then().statusCode(200)
                .body("events.type", equalTo(List.of("service_unhealthy", "service_recovered")));
    }

    List<Map<String, Object>> events(String service) {
        return given().queryParam("service", service).queryParam("order", "oldest").get("/api/events").then()
                .statusCode(200).extract().path("events");
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void push(String am, String alerts) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(am + "/api/v2/alerts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(alerts))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    /** Successful webhook deliveries so far, from Alertmanager's own metrics. */
    long webhookNotifications(String am) throws IOException, InterruptedException {
        String metrics = get(am + "/metrics").body();
        Matcher total = Pattern.compile("(?m)^alertmanager_notifications_total\\{integration=\"webhook\"} (\\S+)$")
                .matcher(metrics);
        Matcher failed = Pattern.compile("(?m)^alertmanager_notifications_failed_total\\{integration=\"webhook\"} (\\S+)$")
                .matcher(metrics);
        double sent = total.find() ? Double.parseDouble(total.group(1)) : 0;
        double bad = failed.find() ? Double.parseDouble(failed.group(1)) : 0;
        assertEquals(0.0, bad, "Alertmanager failed to deliver to the receiver; see its log");
        return (long) sent;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
