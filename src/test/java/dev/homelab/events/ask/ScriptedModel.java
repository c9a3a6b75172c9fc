package dev.homelab.events.ask;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real OpenAI-compatible chat endpoint on a free loopback port that plays a scripted conversation: each
 * {@code POST /v1/chat/completions} is answered by the next step of the script (a tool call, a final answer, a
 * delay), and every request body is recorded so a test can see exactly what the server sent to the model.
 * Not a mock of our classes: the app talks to it over HTTP through quarkus-langchain4j's OpenAI client.
 */
public final class ScriptedModel {

    static final ObjectMapper JSON = new ObjectMapper();
    /** A reply field, removed before sending, that sets the HTTP status. */
    private static final String STATUS = "__http_status";

    /** One scripted turn: the request body in, the chat completion out. */
    @FunctionalInterface
    public interface Step extends Function<JsonNode, ObjectNode> {
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-model");
        t.setDaemon(true);
        return t;
    });
    private final List<JsonNode> requests = new ArrayList<>();
    private final Deque<Step> script = new ArrayDeque<>();
    private Step whenExhausted = request -> answer("(script exhausted)");
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private int callIds;

    public ScriptedModel() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public void stop() {
        hold.countDown();
        server.stop(0);
        pool.shutdownNow();
    }

    /** Forgets earlier requests and sets the next turns; after them, {@code whenExhausted} answers every turn. */
    public synchronized void play(List<Step> steps, Step whenExhausted) {
        requests.clear();
        script.clear();
        script.addAll(steps);
        this.whenExhausted = whenExhausted != null ? whenExhausted : request -> answer("(script exhausted)");
        callIds = 0;
    }

    public void play(Step... steps) {
        play(List.of(steps), null);
    }

    public synchronized List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** Holds every reply until {@link #release()}: a model that is slow to answer. */
    public void holdReplies() {
        hold = new CountDownLatch(1);
    }

    public void release() {
        hold.countDown();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                send(ex, 405, "{\"error\":{\"message\":\"POST only\"}}");
                return;
            }
            JsonNode request;
            try (InputStream in = ex.getRequestBody()) {
                request = JSON.readTree(in);
            }
            Step step;
            synchronized (this) {
                requests.add(request);
                step = script.isEmpty() ? whenExhausted : script.poll();
            }
            ObjectNode reply = step.apply(request);
            try {
                // a held reply is bounded, so a forgotten release cannot hang the suite
                hold.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int status = reply.path(STATUS).asInt(200);
            reply.remove(STATUS);
            send(ex, status, JSON.writeValueAsString(reply));
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    // ---- replies in the chat completions format ----

    private synchronized String nextCallId() {
        return "call_" + (++callIds);
    }

    /** A turn in which the model asks for one or more tool calls: pairs of name and JSON arguments. */
    public Step toolCalls(String... nameThenArguments) {
        return request -> {
            ObjectNode message = JSON.createObjectNode().put("role", "assistant");
            message.putNull("content");
            ArrayNode calls = message.putArray("tool_calls");
            for (int i = 0; i < nameThenArguments.length; i += 2) {
                ObjectNode call = calls.addObject().put("id", nextCallId()).put("type", "function");
                call.putObject("function").put("name", nameThenArguments[i]).put("arguments", nameThenArguments[i + 1]);
            }
            return completion(message, "tool_calls");
        };
    }

    public Step toolCall(String name, String arguments) {
        return toolCalls(name, arguments);
    }

    public static ObjectNode answer(String text) {
        ObjectNode message = JSON.createObjectNode().put("role", "assistant").put("content", text);
        return completion(message, "stop");
    }

    /** A turn in which the endpoint fails with an HTTP status and an OpenAI error body. */
    public static Step httpError(int status, String message) {
        return request -> {
            ObjectNode body = JSON.createObjectNode().put(STATUS, status);
            body.putObject("error").put("message", message).put("type", "invalid_request_error");
            return body;
        };
    }

    /** A final answer computed from the request, e.g. citing ids that the tool results carried. */
    public static Step answerFrom(Function<JsonNode, String> text) {
        return request -> answer(text.apply(request));
    }

    private static ObjectNode completion(ObjectNode message, String finishReason) {
        ObjectNode c = JSON.createObjectNode().put("id", "chatcmpl-scripted").put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000).put("model", "scripted-model");
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        choice.set("message", message);
        choice.put("finish_reason", finishReason);
        c.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15);
        return c;
    }

    // ---- reading what the server sent ----

    /** The messages of a request with the given role. */
    public static List<JsonNode> messages(JsonNode request, String role) {
        List<JsonNode> out = new ArrayList<>();
        request.path("messages").forEach(m -> {
            if (role.equals(m.path("role").asText())) {
                out.add(m);
            }
        });
        return out;
    }

    /** The content of the last tool result message of a request. */
    public static String lastToolResult(JsonNode request) {
        List<JsonNode> tools = messages(request, "tool");
        return tools.isEmpty() ? "" : tools.get(tools.size() - 1).path("content").asText();
    }

    /** Names of the tools offered in a request. */
    public static List<String> toolNames(JsonNode request) {
        List<String> names = new ArrayList<>();
        request.path("tools").forEach(t -> names.add(t.path("function").path("name").asText()));
        return names;
    }
}
