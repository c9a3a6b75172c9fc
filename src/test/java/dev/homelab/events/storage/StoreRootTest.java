package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default-root rule shared with the bash and Python libraries, exercised on temp paths only. */
class StoreRootTest {

    @TempDir
    Path tmp;

    @Test
    void configuredRootWins() {
        Path spec = tmp.resolve("opt/homelab/events");
        assertEquals(tmp.resolve("mine"),
                StoreProducer.resolveRoot(Optional.of(tmp.resolve("mine").toString()), spec, Map.of(), tmp));
    }

    @Test
    void specDefaultIsUsedWhenItCanBeCreated() {
        Path spec = tmp.resolve("opt/homelab/events");
        assertEquals(spec, StoreProducer.resolveRoot(Optional.empty(), spec, Map.of(), tmp.resolve("home")));
        assertTrue(Files.isDirectory(spec));
    }

    @Test
    void fallsBackToTheUsersDataDirectoryWhenTheSpecDefaultCannotBeCreated() throws IOException {
        Path blocker = Files.writeString(tmp.resolve("opt"), "a file where a directory should be");
        Path spec = blocker.resolve("homelab/events");
        Path home = tmp.resolve("home");
        assertEquals(home.resolve(".local/share/homelab/events"),
                StoreProducer.resolveRoot(Optional.empty(), spec, Map.of(), home));
        assertEquals(tmp.resolve("xdg/homelab/events"),
                StoreProducer.resolveRoot(Optional.empty(), spec, Map.of("XDG_DATA_HOME", tmp.resolve("xdg").toString()),
                        home));
    }

    @Test
    void unusableRootFailsFastNamingThePathAndTheVariable() throws IOException {
        Path blocker = Files.writeString(tmp.resolve("file"), "x");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> StoreProducer.checkWritable(blocker.resolve("events"), true));
        assertTrue(e.getMessage().contains(blocker.resolve("events").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("HOMELAB_EVENTS_DIR"), e.getMessage());
    }
}
