package dev.homelab.events.config;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.handlers.ConsoleHandler;

import io.quarkus.runtime.StartupEvent;

/**
 * Standard output, standard error and the console log are UTF-8 whatever the process locale. Java 17 takes its
 * default charset from the locale, and a process started with {@code LANG} unset (cron, systemd, a desktop agent
 * launching the MCP stdio server) gets US-ASCII: every non-ASCII character of an answer became {@code ?}. The
 * command lines we ship pass {@code -Dfile.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8 -Dsun.stderr.encoding=UTF-8};
 * this makes a server started without them behave the same:
 * <ul>
 * <li>{@code System.out} and {@code System.err} become UTF-8 print streams over the same byte streams (so whatever
 * captured them before still gets every byte);</li>
 * <li>the console log handlers write UTF-8.</li>
 * </ul>
 * The MCP stdio transport reads standard input as UTF-8 and writes UTF-8 itself ({@code mcp.McpStdio}). Runs first
 * among start-up observers. With a UTF-8 default charset it changes nothing.
 */
@ApplicationScoped
public class Utf8Console {

    private static final Logger LOG = Logger.getLogger(Utf8Console.class);

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ev) {
        apply();
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

    static synchronized void apply() {
        if (!needed()) {
            return;
        }
        System.setOut(new PrintStream(System.out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(System.err, true, StandardCharsets.UTF_8));
        for (Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
            consoleToUtf8(h);
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
}
