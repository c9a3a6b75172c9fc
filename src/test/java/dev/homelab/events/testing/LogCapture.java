package dev.homelab.events.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the server logs while a test runs (JBoss Logging ends in java.util.logging inside Quarkus tests), so a
 * test can assert that client mistakes are never logged as ERROR, or that a secret never reaches a log line. Start it in
 * {@code @BeforeEach} and {@link #close()} it in {@code @AfterEach}.
 */
public final class LogCapture extends Handler {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    /** Everything logged from now on, by any logger. */
    public static LogCapture all() {
        LogCapture capture = new LogCapture(Logger.getLogger(""));
        capture.logger.addHandler(capture);
        return capture;
    }

    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The records at ERROR (JUL SEVERE) or worse. */
    public List<LogRecord> errors() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    }

    /** "logger: message" of each error, for assertion messages. */
    public List<String> errorLines() {
        return errors().stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList();
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {
    }

    /** Stops capturing; what was captured stays readable. */
    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
