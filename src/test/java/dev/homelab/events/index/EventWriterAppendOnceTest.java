package dev.homelab.events.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.ConflictException;
import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.storage.EventStore;

/** {@link EventWriter#appendOnce}: one file per chosen id, whoever wrote it first. */
class EventWriterAppendOnceTest {

    @TempDir
    Path root;

    EventStore store;
    EventIndex index;
    EventWriter writer;

    static final Instant AT = Instant.parse("2026-11-20T10:00:00Z");

    @BeforeEach
    void wire() {
        store = TestEvents.store(root);
        index = new EventIndex();
        writer = new EventWriter(store, index);
    }

    private long files() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aKnownIdIsReturnedWhenTheCallerFindsNoDifferenceAndRefusedWhenItDoes() throws IOException {
        Event e = TestEvents.event("deployment_started", "pi4", "web", "c-1", AT);
        EventWriter.Appended first = writer.appendOnce(e, stored -> List.of());
        assertTrue(first.created());

        EventWriter.Appended again = writer.appendOnce(e, stored -> List.of());
        assertFalse(again.created());
        assertEquals(first.relativePath(), again.relativePath());
        assertEquals(e.id(), again.event().id());

        ConflictException c = assertThrows(ConflictException.class, () -> writer.appendOnce(e, stored -> List.of("payload")));
        assertEquals("id", c.errors().get(0).field());
        assertTrue(c.getMessage().contains("payload differ"), c.getMessage());
        assertEquals(1, files());
    }

    @Test
    void aFileAnotherProcessWroteUnderTheSameNameIsFoundByTheCommitPoint() throws IOException {
        Event e = TestEvents.event("deployment_started", "pi4", "web", "c-1", AT);
        // another process (a library falling back to the files) wrote the very same name; not indexed yet
        Path file = root.resolve(store.relativePathOf(e));
        Files.createDirectories(file.getParent());
        byte[] theirs = new dev.homelab.events.storage.EventCodec(TestEvents.MAPPER).toBytes(e);
        Files.write(file, theirs);

        EventWriter.Appended a = writer.appendOnce(e, stored -> List.of());
        assertFalse(a.created());
        assertEquals(e.id(), index.get(e.id()).orElseThrow().id(), "now indexed");
        assertArrayEquals(theirs, Files.readAllBytes(file), "never replaced");
        assertEquals(1, files());

        Event other = TestEvents.event("deployment_started", "pi4", "web", "c-1", AT);
        Path otherFile = root.resolve(store.relativePathOf(other));
        Files.write(otherFile, new dev.homelab.events.storage.EventCodec(TestEvents.MAPPER).toBytes(other));
        assertThrows(ConflictException.class, () -> writer.appendOnce(other, stored -> List.of("source")));
        assertEquals(2, files());
    }

    @Test
    void anIndexedIdWhoseFileWasRemovedIsWrittenAgain() throws IOException {
        Event e = TestEvents.event("deployment_started", "pi4", "web", "c-1", AT);
        EventWriter.Appended first = writer.appendOnce(e, stored -> List.of());
        Files.delete(root.resolve(first.relativePath()));

        assertTrue(writer.appendOnce(e, stored -> List.of()).created());
        assertEquals(1, files());
    }
}
