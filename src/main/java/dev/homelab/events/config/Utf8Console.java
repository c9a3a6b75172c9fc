package dev.homelab.events.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.handlers.ConsoleHandler;

import io.quarkus.runtime.StartupEvent;

/**
 * Standard input, output, error and the console log are UTF-8 whatever the process locale. Java 17 takes its
 * default charset from the locale, and a process started with {@code LANG} unset (cron, systemd, a desktop agent
 * launching the MCP stdio server) gets US-ASCII: every non-ASCII character of an answer became {@code ?}. The
 * command lines we ship pass {@code -Dfile.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8 -Dsun.stderr.encoding=UTF-8};
 * this makes a server started without them behave the same:
 * <ul>
 * <li>{@code System.out} and {@code System.err} become UTF-8 print streams over the same byte streams (so whatever
 * captured them before still gets every byte);</li>
 * <li>the console log handlers write UTF-8;</li>
 * <li>for the MCP stdio transport, which reads standard input with the default charset, standard input is decoded
 * as UTF-8 and every non-ASCII character is handed on as its JSON escape ({@code \}{@code u00fc}): the same JSON in
 * ASCII, which any default charset reads correctly.</li>
 * </ul>
 * Runs first among start-up observers, before {@code McpFeatures} starts the stdio transport (which takes
 * {@code System.out} as it is then). With a UTF-8 default charset it changes nothing.
 */
@ApplicationScoped
public class Utf8Console {

    private static final Logger LOG = Logger.getLogger(Utf8Console.class);

    @ConfigProperty(name = "quarkus.mcp.server.stdio.enabled", defaultValue = "false")
    boolean stdioEnabled;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ev) {
        apply(stdioEnabled);
    }

    /** True when the JVM would not write (or read) UTF-8 by itself. */
    static boolean needed() {
        return !Charset.defaultCharset().equals(StandardCharsets.UTF_8)
                || !isUtf8(System.getProperty("sun.stdout.encoding"))
                || !isUtf8(System.getProperty("sun.stderr.encoding"));
    }

    private static boolean isUtf8(String name) {
        // unset: the stream follows the default charset, checked above
        return name == null || name.equalsIgnoreCase("UTF-8") || name.equalsIgnoreCase("UTF8");
    }

    static synchronized void apply(boolean stdio) {
        if (!needed()) {
            return;
        }
        System.setOut(new PrintStream(System.out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(System.err, true, StandardCharsets.UTF_8));
        for (Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
            consoleToUtf8(h);
        }
        if (stdio && !Charset.defaultCharset().equals(StandardCharsets.UTF_8)) {
            System.setIn(new JsonEscapingInput(System.in));
        }
        LOG.debugf("default charset %s: standard streams and the console log set to UTF-8", Charset.defaultCharset());
    }

    private static void consoleToUtf8(Handler h) {
        if (h instanceof ConsoleHandler console) {
            console.setCharset(StandardCharsets.UTF_8);
        }
        if (h instanceof ExtHandler ext) {
            for (Handler nested : ext.getHandlers()) {
                consoleToUtf8(nested);
            }
        }
    }

    /**
     * UTF-8 JSON text as pure ASCII JSON: every character outside ASCII becomes its {@code \}{@code uXXXX} escape
     * (characters beyond the BMP as an escaped surrogate pair). JSON allows non-ASCII only inside strings, where the
     * escape means the same character; outside a string the text was not JSON before either. Malformed UTF-8 becomes
     * U+FFFD, as a UTF-8 reader would make it.
     */
    static final class JsonEscapingInput extends InputStream {
        private final Reader in;
        private final byte[] pending = new byte[12];
        private int pendingStart;
        private int pendingEnd;

        JsonEscapingInput(InputStream in) {
            this.in = new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public int read() throws IOException {
            if (pendingStart == pendingEnd && !fill()) {
                return -1;
            }
            return pending[pendingStart++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pendingStart == pendingEnd && !fill()) {
                return -1;
            }
            int n = 0;
            // hand on what is decoded, never block for more once something is there
            while (n < len) {
                if (pendingStart == pendingEnd) {
                    if (!in.ready() || !fill()) {
                        break;
                    }
                }
                int chunk = Math.min(len - n, pendingEnd - pendingStart);
                System.arraycopy(pending, pendingStart, b, off + n, chunk);
                pendingStart += chunk;
                n += chunk;
            }
            return n;
        }

        /** Decodes the next character into {@code pending}; false at the end of input. */
        private boolean fill() throws IOException {
            int c = in.read();
            if (c < 0) {
                return false;
            }
            pendingStart = 0;
            if (c < 0x80) {
                pending[0] = (byte) c;
                pendingEnd = 1;
            } else {
                String escape = String.format("\\u%04x", c);
                for (int i = 0; i < escape.length(); i++) {
                    pending[i] = (byte) escape.charAt(i);
                }
                pendingEnd = escape.length();
            }
            return true;
        }

        @Override
        public int available() throws IOException {
            return pendingEnd - pendingStart;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
