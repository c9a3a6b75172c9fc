package dev.homelab.events.mcp;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.mcp.server.InitialRequest;
import io.quarkiverse.mcp.server.runtime.ConnectionManager;
import io.quarkiverse.mcp.server.runtime.McpConnectionBase;
import io.quarkiverse.mcp.server.stdio.runtime.StdioMcpConnection;
import io.quarkiverse.mcp.server.stdio.runtime.StdioMcpMessageHandler;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.configuration.MemorySize;

import dev.homelab.events.Text;

/**
 * The stdio transport: our own reader of standard input in front of quarkus-mcp-server-stdio 1.10.1.
 *
 * <p>
 * 1.10.1 reads standard input itself, and after one line that is not JSON it answers -32700 and then stops
 * reading for good (its loop returns), so a client that sent one bad line hangs, and the JVM never exits, even
 * when the client closes the pipe. It also reads and writes in the platform charset, so with {@code LANG} unset
 * every non-ASCII character becomes {@code ?}. Here:
 * <ul>
 * <li>this class reads standard input as UTF-8, one line per message, at most
 * {@code quarkus.http.limits.max-body-size} bytes a line; a line that is not a JSON message gets -32700 (or
 * -32600) and the next line is served;</li>
 * <li>{@link McpFront} decides about each message as on HTTP; what passes is handed to the library through a pipe
 * that replaces its standard input, re-encoded with every non-ASCII character escaped ({@code \}{@code uXXXX}), so
 * the library's platform-charset reader sees the exact text whatever the locale;</li>
 * <li>the library writes to a UTF-8 {@link PrintStream} on file descriptor 1, as do our own answers;</li>
 * <li>at the end of input the pipe is closed, the library asks Quarkus to exit, and if the process is still
 * alive a few seconds later it is ended here.</li>
 * </ul>
 */
@ApplicationScoped
public class McpStdio {

    private static final Logger LOG = Logger.getLogger(McpStdio.class);
    private static final int PIPE_BYTES = 64 * 1024;
    /** How long a clean shutdown may take after the end of input before the process is ended anyway. */
    static final long EXIT_GRACE_MILLIS = 5_000;

    @Inject
    McpFront front;
    @Inject
    McpModern modern;
    @Inject
    McpSubscriptions subscriptions;
    /** Open subscriptions/listen streams by request id. */
    private final Map<JsonNode, McpSubscriptions.Listener> listening = new ConcurrentHashMap<>();
    @Inject
    ObjectMapper mapper;
    @Inject
    ConnectionManager connections;

    private PrintStream out;
    private OutputStream toLibrary;
    private McpConnectionBase session;

    /** Takes standard input and output for MCP and starts serving. */
    public void start(StdioMcpMessageHandler handler, boolean nullSystemOut) throws IOException {
        InputStream in = System.in;
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        if (nullSystemOut) {
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        }
        PipedInputStream libraryIn = new PipedInputStream(PIPE_BYTES);
        toLibrary = new PipedOutputStream(libraryIn);
        // the library takes System.in when it starts; give it the pipe, then restore the real one
        System.setIn(libraryIn);
        try {
            handler.initialize(out);
        } finally {
            System.setIn(in);
        }
        for (McpConnectionBase c : connections) {
            if (c instanceof StdioMcpConnection) {
                session = c;
            }
        }
        if (session == null) {
            throw new IllegalStateException("quarkus-mcp-server-stdio registered no stdio connection");
        }
        long maxLine = ConfigProvider.getConfig().getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class)
                .map(MemorySize::asLongValue).orElse(256L * 1024);
        Thread reader = new Thread(() -> serve(in, (int) Math.min(maxLine, Integer.MAX_VALUE - 8)), "mcp-stdio-in");
        reader.setDaemon(true);
        reader.start();
    }

    void serve(InputStream in, int maxLine) {
        LineReader lines = new LineReader(in, maxLine);
        try {
            for (Line line; (line = lines.next()) != null;) {
                if (line.tooLong()) {
                    answer(front.error(null, McpFront.INVALID_REQUEST, "Invalid Request: a message longer than " + maxLine
                            + " bytes (quarkus.http.limits.max-body-size) was skipped"));
                    continue;
                }
                handle(line.bytes());
            }
        } catch (IOException e) {
            LOG.debugf("MCP stdio: standard input failed: %s", e.getMessage());
        }
        endOfInput();
    }

    private void handle(byte[] bytes) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            answer(front.error(null, McpFront.PARSE_ERROR, "Parse error: the line is not valid UTF-8"));
            return;
        }
        if (text.isBlank()) {
            return;
        }
        JsonNode msg;
        try {
            msg = mapper.readTree(text);
        } catch (IOException e) {
            String reason = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
            LOG.debugf("MCP stdio: a line is not JSON: %s", reason);
            answer(front.error(null, McpFront.PARSE_ERROR, "Parse error: " + Text.shorten(Text.escape(reason), 100)));
            return;
        }
        if (msg == null || msg.isMissingNode()) {
            return;
        }
        if (msg.isArray()) {
            InitialRequest init = session.initialRequest();
            if (!McpFront.batchesAllowed(init == null ? null : init.protocolVersion())) {
                answer(front.error(null, McpFront.INVALID_REQUEST,
                        "Invalid Request: JSON-RPC batches were removed in protocol 2025-06-18; send one message per line"));
                return;
            }
            for (JsonNode m : msg) {
                if (!(front.decide(m, session.id(), InitialRequest.Transport.STDIO) instanceof McpFront.Pass)) {
                    answer(front.error(null, McpFront.INVALID_REQUEST, "Invalid Request: this batch holds a message this "
                            + "server answers on its own; send it alone"));
                    return;
                }
            }
            forward(text);
            return;
        }
        if (McpEra.isModern(msg)) {
            // 2026-07-28: answered here, in the order of the lines, whether or not a 2025 session is initialized
            String method = msg.path("method").asText("");
            if (method.equals(McpEra.LISTEN)) {
                listen(msg);
                return;
            }
            if (method.equals("notifications/cancelled")) {
                McpSubscriptions.Listener l = listening.remove(msg.path("params").path("requestId"));
                if (l != null) {
                    subscriptions.stop(l);
                }
                return;
            }
            ObjectNode answer = modern.handle(msg);
            if (answer != null) {
                answer(answer);
            }
            return;
        }
        McpFront.Decision d = front.decide(msg, session.id(), InitialRequest.Transport.STDIO);
        if (d instanceof McpFront.Pass) {
            forward(text);
        } else if (d instanceof McpFront.Reply r) {
            if (r.message() != null) {
                answer(r.message());
            }
        } else if (d instanceof McpFront.Initialize init) {
            answer(session.initialize(init.request())
                    ? front.initializeResult(init.id(), init.request().protocolVersion())
                    : front.error(init.id(), McpFront.INVALID_REQUEST, "Invalid Request: already initialized"));
        }
    }

    /**
     * {@code subscriptions/listen} on stdio: the acknowledgement, then the notifications on standard output
     * between the other answers, until the client cancels the request or closes standard input.
     */
    private void listen(JsonNode msg) {
        Object plan = modern.listen(msg);
        if (plan instanceof ObjectNode refused) {
            answer(refused);
            return;
        }
        McpModern.Listen l = (McpModern.Listen) plan;
        McpSubscriptions.Listener listener = new McpSubscriptions.Listener(l.id(), l.uris(), this::answer);
        McpSubscriptions.Listener before = listening.put(l.id(), listener);
        if (before != null) {
            subscriptions.stop(before);
        }
        answer(modern.acknowledged(l));
        subscriptions.start(listener);
    }

    /** One message to the library, as pure ASCII (non-ASCII escaped inside JSON strings, where alone it can be). */
    private void forward(String json) throws IOException {
        StringBuilder b = new StringBuilder(json.length() + 16);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c < 0x80) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        b.append('\n');
        toLibrary.write(b.toString().getBytes(StandardCharsets.US_ASCII));
        toLibrary.flush();
    }

    private void answer(ObjectNode message) {
        String line = front.string(message);
        synchronized (out) { // listen notifications come from worker threads
            out.println(line);
        }
    }

    private void endOfInput() {
        LOG.debug("MCP stdio: end of input, exiting");
        listening.values().forEach(subscriptions::stop);
        try {
            toLibrary.close(); // the library reads the end of the pipe and asks Quarkus to exit
        } catch (IOException e) {
            // the library's reader is already gone
        }
        Quarkus.asyncExit(0);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(EXIT_GRACE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            LOG.warn("MCP stdio: shutdown did not finish within 5 s of the end of input; exiting now");
            Runtime.getRuntime().halt(0);
        }, "mcp-stdio-exit");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** A line of standard input, or the mark of one that was longer than the limit (its bytes dropped). */
    record Line(byte[] bytes, boolean tooLong) {
    }

    /** Splits a byte stream at LF (a CR before it is dropped), never holding more than the limit. */
    static final class LineReader {
        private final InputStream in;
        private final int max;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int end;

        LineReader(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        /** The next line, or null at the end of input (a last line without LF counts). */
        Line next() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean tooLong = false;
            boolean any = false;
            while (true) {
                if (pos == end) {
                    end = in.read(buf);
                    pos = 0;
                    if (end <= 0) {
                        end = 0;
                        return any ? finish(line, tooLong) : null;
                    }
                }
                any = true;
                int start = pos;
                while (pos < end && buf[pos] != '\n') {
                    pos++;
                }
                int n = pos - start;
                if (!tooLong) {
                    if (line.size() + n > max) {
                        tooLong = true;
                        line.reset();
                    } else {
                        line.write(buf, start, n);
                    }
                }
                if (pos < end) {
                    pos++; // the LF
                    return finish(line, tooLong);
                }
            }
        }

        private static Line finish(ByteArrayOutputStream line, boolean tooLong) {
            if (tooLong) {
                return new Line(null, true);
            }
            byte[] b = line.toByteArray();
            int n = b.length;
            if (n > 0 && b[n - 1] == '\r') {
                n--;
            }
            return new Line(n == b.length ? b : Arrays.copyOf(b, n), false);
        }
    }
}
