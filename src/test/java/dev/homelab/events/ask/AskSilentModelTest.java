package dev.homelab.events.ask;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The model's address accepts connections but never answers (a hung server): the request timeout
 * (HOMELAB_ASK_TIMEOUT) ends the wait and /api/ask answers 503 naming it, well before the total timeout.
 */
@QuarkusTest
@TestProfile(AskSilentModelTest.Silent.class)
class AskSilentModelTest {

    public static class Silent implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SilentServer.class));
        }
    }

    /** Accepts TCP connections and reads nothing, writes nothing. */
    public static class SilentServer implements QuarkusTestResourceLifecycleManager {
        private ServerSocket socket;
        private final List<Socket> accepted = new ArrayList<>();

        @Override
        public Map<String, String> start() {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        synchronized (accepted) {
                            accepted.add(s);
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-model");
            t.setDaemon(true);
            t.start();
            return Map.of("homelab.ask.base-url", "http://127.0.0.1:" + socket.getLocalPort() + "/v1",
                    "homelab.ask.model", "llama3.1:8b",
                    "homelab.ask.timeout", "2s",
                    "homelab.ask.total-timeout", "60s");
        }

        @Override
        public void stop() {
            try {
                socket.close();
                synchronized (accepted) {
                    for (Socket s : accepted) {
                        s.close();
                    }
                }
            } catch (IOException e) {
                // closing a test socket: nothing to recover
            }
        }
    }

    @Test
    void answers503WhenTheModelDoesNotAnswerInTime() {
        given().contentType(ContentType.JSON).body(Map.of("question", "what is broken?")).post("/api/ask")
                .then().statusCode(503).contentType("application/problem+json")
                .body("title", equalTo("Model unavailable"))
                .body("detail", containsString("did not answer within 2s"))
                .body("detail", containsString("HOMELAB_ASK_TIMEOUT"));
    }
}
