package dev.homelab.events.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * Clients that stall or trickle are cut off: an idle connection (a half-sent head or body) by the idle timeout, a
 * body that trickles in by the body timeout (408), while a server-sent-event stream with nothing to say stays open.
 * The timeouts are shortened here; the defaults are 30 s. Waits are socket reads with a generous ceiling.
 */
@QuarkusTest
@TestProfile(SlowClientsTest.ShortTimeouts.class)
class SlowClientsTest {

    static final int IDLE_SECONDS = 2;
    static final int BODY_SECONDS = 4;
    static final int CEILING_MILLIS = 60_000;

    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", IDLE_SECONDS + "s", "homelab.security.body-timeout", BODY_SECONDS + "s");
        }
    }

    @Test
    void aHalfSentRequestHeadIsClosed() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET /api/events HTTP/1.1\r\nHost: loc");
            long started = System.nanoTime();
            String answer = readUntilClosed(s);
            assertEquals("", answer, "nothing to answer to half a head: the connection is just closed");
            System.out.printf("half-sent head closed after %d ms%n", (System.nanoTime() - started) / 1_000_000);
        }
    }

    @Test
    void aHalfSentBodyIsClosed() throws Exception {
        try (Socket s = connect()) {
            send(s, "POST /api/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200\r\n\r\n{\"type\":\"deploy");
            String answer = readUntilClosed(s);
            // the idle timeout (2 s) comes before the body timeout (4 s): closed, or told 408 if the body timer won
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), answer);
        }
    }

    @Test
    void aTricklingBodyGets408AndItsConnectionIsClosed() throws Exception {
        try (Socket s = connect()) {
            send(s, "POST /api/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 10000\r\n\r\n");
            // one byte every half idle timeout: never idle, never done
            Thread trickler = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < 10_000; i++) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(IDLE_SECONDS * 1000L / 2);
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the server: expected
                }
            }, "trickler");
            trickler.setDaemon(true);
            trickler.start();
            String answer = readUntilClosed(s);
            trickler.interrupt();
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains(Problem.MEDIA_TYPE) && answer.contains("homelab.security.body-timeout"), answer);
        }
    }

    @Test
    void aQuietEventStreamOutlivesTheIdleTimeout() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET /mcp/sse HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
            s.setSoTimeout(500);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            long until = System.nanoTime() + 3L * IDLE_SECONDS * 1_000_000_000L;
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (System.nanoTime() < until) {
                try {
                    int n = in.read(buf);
                    assertTrue(n >= 0, "the stream was closed after " + got.size() + " bytes: " + got);
                    got.write(buf, 0, n);
                } catch (SocketTimeoutException e) {
                    // nothing yet: keep listening
                }
            }
            String stream = got.toString(StandardCharsets.UTF_8);
            assertTrue(stream.startsWith("HTTP/1.1 200") && stream.contains("event: endpoint"), stream);
            assertTrue(stream.split("\n:\n").length >= 3, "keep-alive comments every half idle timeout: " + stream);
        }
        given().get("/api/events").then().statusCode(200);
    }

    @Test
    void ordinaryRequestsAreUnaffected() {
        given().contentType("application/json").body(HttpGuardTest.EVENT).post("/api/events").then().statusCode(201);
        given().get("/api/events?limit=1").then().statusCode(200);
    }

    static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", RestAssured.port);
        s.setSoTimeout(CEILING_MILLIS);
        return s;
    }

    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** Everything the server sends until it closes the connection; fails past the ceiling. */
    static String readUntilClosed(Socket s) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            s.getInputStream().transferTo(got);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("still open after " + CEILING_MILLIS + " ms; received: " + got, e);
        } catch (IOException e) {
            // a reset is a close too
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
