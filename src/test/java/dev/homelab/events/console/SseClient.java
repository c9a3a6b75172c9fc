package dev.homelab.events.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A minimal Server-Sent Events reader over the JDK HTTP client, as a script would read GET /api/events/stream: one
 * thread parses the text/event-stream lines into messages (id, data) and comments, which the test takes with
 * deadlines.
 */
final class SseClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One message; id is null when the server sent none (a late arrival). */
    record Message(String id, String data) {
        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + data, e);
            }
        }
    }

    /** What ended the stream, or a comment line. */
    record Signal(String text) {
    }

    final int status;
    final String contentType;
    final String errorBody;
    private final InputStream body;
    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private final Thread reader;

    private SseClient(HttpResponse<InputStream> response) throws IOException {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("content-type").orElse("");
        this.body = response.body();
        if (status != 200) {
            this.errorBody = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            this.reader = null;
            return;
        }
        this.errorBody = null;
        this.reader = new Thread(this::read, "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static SseClient open(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        headers.forEach(b::header);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return new SseClient(client.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            List<String> data = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        items.add(new Message(id, String.join("\n", data)));
                    }
                    id = null;
                    data.clear();
                } else if (line.startsWith(":")) {
                    items.add(new Signal(line.substring(1).strip()));
                } else if (line.startsWith("data:")) {
                    data.add(line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5));
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                }
            }
            items.add(new Signal("closed"));
        } catch (IOException e) {
            items.add(new Signal("closed: " + e));
        }
    }

    /** The next message, skipping comments; fails after the deadline. */
    Message next(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Object item = left <= 0 ? null : items.poll(left, TimeUnit.NANOSECONDS);
            if (item == null) {
                throw new AssertionError("no message within " + within);
            }
            if (item instanceof Message m) {
                return m;
            }
            if (item instanceof Signal s && s.text().startsWith("closed")) {
                throw new AssertionError("the stream ended: " + s.text());
            }
        }
    }

    /** Waits for the stream to end; the messages received before the end are returned. */
    List<Message> untilClosed(Duration within) throws InterruptedException {
        List<Message> got = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Object item = left <= 0 ? null : items.poll(left, TimeUnit.NANOSECONDS);
            if (item == null) {
                throw new AssertionError("the stream did not end within " + within + "; got " + got);
            }
            if (item instanceof Message m) {
                got.add(m);
            } else if (item instanceof Signal s && s.text().startsWith("closed")) {
                return got;
            }
        }
    }

    @Override
    public void close() throws IOException {
        body.close();
        if (reader != null) {
            reader.interrupt();
        }
    }
}
