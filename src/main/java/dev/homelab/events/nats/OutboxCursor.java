package dev.homelab.events.nats;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.sync.SyncCursor;

/**
 * The outbox's durable position: how far this node's arrivals have been published, and into which stream.
 * Kept in {@code <root>/.nats/outbox.properties} (a dot directory: never read as events), replaced
 * atomically after each published page. A crash republishes at most one page, which the stream drops as
 * duplicates (same {@code Nats-Msg-Id}) and importers would skip as identical anyway.
 *
 * <p>
 * The stream's creation time is kept too: when the stream is new (deleted and created again, or a NATS
 * server that lost its storage), everything is published again from the start.
 *
 * @param cursor        the last published arrival
 * @param stream        the stream it was published to
 * @param streamCreated that stream's creation time as NATS reports it, or empty before the first setup
 */
public record OutboxCursor(SyncCursor cursor, String stream, String streamCreated) {

    public static OutboxCursor start(String stream) {
        return new OutboxCursor(SyncCursor.START, stream, "");
    }

    public OutboxCursor at(SyncCursor c) {
        return new OutboxCursor(c, stream, streamCreated);
    }

    /** Loads the file; empty when there is none (a node that never published). */
    public static Optional<OutboxCursor> load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        SyncCursor c = SyncCursor.decode(p.getProperty("cursor", ""))
                .orElseThrow(() -> new IOException(
                        "unreadable cursor in " + file + "; remove the file to publish everything again"));
        return Optional.of(new OutboxCursor(c, p.getProperty("stream", ""), p.getProperty("stream_created", "")));
    }

    /** Replaces the file durably (temp, force, rename, force directory). */
    public void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("cursor", cursor.encode());
        p.setProperty("stream", stream);
        p.setProperty("stream_created", streamCreated);
        StringWriter w = new StringWriter();
        p.store(w, "NATS outbox of this node: the last arrival published (see docs/sync-and-archive.md)");
        DurableFiles.replace(file, w.toString().getBytes(StandardCharsets.UTF_8));
    }
}
