package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.Event;
import dev.homelab.events.sync.Fixtures;

class EventStoreImportTest {

    @TempDir
    Path source;
    @TempDir
    Path target;

    private final Instant at = Instant.parse("2026-03-04T05:06:07.123456Z");

    private record Copied(Path relative, byte[] bytes) {
    }

    private Copied original() throws IOException {
        EventStore from = new EventStore(source, new EventCodec(Fixtures.MAPPER), 1 << 20);
        Event e = Fixtures.event(at, "pi4", null);
        Path rel = from.append(e);
        return new Copied(rel, Files.readAllBytes(source.resolve(rel)));
    }

    private EventStore store() {
        return new EventStore(target, new EventCodec(Fixtures.MAPPER), 1 << 20);
    }

    @Test
    void writesTheExactBytesUnderTheSamePathThenSkipsIdenticalCopies() throws IOException {
        Copied c = original();
        EventStore store = store();
        assertEquals(EventStore.ImportOutcome.WRITTEN, store.importFile(c.relative(), c.bytes()));
        assertArrayEquals(c.bytes(), Files.readAllBytes(target.resolve(c.relative())));
        assertEquals(EventStore.ImportOutcome.IDENTICAL, store.importFile(c.relative(), c.bytes()));
        assertTrue(store.read(c.relative()) instanceof ReadResult.Ok);
        try (var s = Files.list(target.resolve(c.relative()).getParent())) {
            assertEquals(1, s.count(), "no temp file or second copy is left");
        }
    }

    @Test
    void neverOverwritesADifferentFileAtThePath() throws IOException {
        Copied c = original();
        EventStore store = store();
        store.importFile(c.relative(), c.bytes());
        byte[] other = new String(c.bytes(), StandardCharsets.UTF_8).replace("\"web\"", "\"db\"")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(EventStore.ImportOutcome.CONFLICT, store.importFile(c.relative(), other));
        assertArrayEquals(c.bytes(), Files.readAllBytes(target.resolve(c.relative())));
    }

    @Test
    void rejectsPathsOutsideTheLayoutGrammarAndWritesNothing() throws IOException {
        Copied c = original();
        EventStore store = store();
        String name = c.relative().getFileName().toString();
        for (String bad : new String[]{ "../2026-03-04/pi4/" + name, "2026-03-04/../" + name, "2026-03-04/pi4/../../x/" + name,
                "2026-13-04/pi4/" + name, "2026-03-04/-pi4/" + name, "2026-03-04/.hidden/" + name, "2026-03-04/pi4/." + name,
                "2026-03-04/pi4/notes.txt", "2026-03-05/pi4/" + name, "2026-03-04/pi4", "/etc/passwd" }) {
            assertThrows(IllegalArgumentException.class, () -> store.importFile(Path.of(bad), c.bytes()), bad);
        }
        assertTrue(Fixtures.files(target).isEmpty());
    }

    @Test
    void rejectsContentThatIsNotAnEventOrBelongsElsewhere() throws IOException {
        Copied c = original();
        EventStore store = store();
        assertThrows(IllegalArgumentException.class,
                () -> store.importFile(c.relative(), "{not json".getBytes(StandardCharsets.UTF_8)));
        Path otherNode = Path.of("2026-03-04", "nas", c.relative().getFileName().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.importFile(otherNode, c.bytes()));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertFalse(Files.exists(target.resolve(otherNode)));
    }
}
