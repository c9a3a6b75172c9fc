package dev.homelab.events.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventWriter;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventStore;

/** Shared test helpers: a real store, index and reconciler on a temp dir, and events to put in it. */
public final class Fixtures {

    public static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Fixtures() {
    }

    /** A store, its index, reconciler and write path, as the application wires them. */
    public record Node(EventStore store, EventIndex index, Reconciler reconciler, EventWriter writer) {
        public static Node at(Path root) throws IOException {
            EventStore store = TestEvents.store(root);
            EventIndex index = new EventIndex();
            Reconciler reconciler = new Reconciler(store, index);
            Files.createDirectories(root);
            reconciler.reconcile();
            return new Node(store, index, reconciler, new EventWriter(store, index));
        }

        /** Appends an event the way EventService does (through the one write path); returns its relative path. */
        public Path emit(Instant at, String node, String correlationId) throws IOException {
            return Path.of(writer.append(event(at, node, correlationId)).relativePath());
        }
    }

    /** A deployment_started event of service "web" (built by the shared {@link TestEvents}); own chain when none is given. */
    public static Event event(Instant at, String node, String correlationId) {
        return TestEvents.event("deployment_started", node, "web",
                correlationId == null ? "c-" + UUID.randomUUID() : correlationId, at);
    }

    /** Every regular non-hidden file under the layout, by relative path, with its bytes. */
    public static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        if (!Files.exists(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path rel = root.relativize(p);
                boolean hidden = false;
                for (Path seg : rel) {
                    hidden |= seg.toString().startsWith(".");
                }
                if (!hidden && Files.isRegularFile(p) && rel.getNameCount() == 3) {
                    out.put(rel.toString(), Files.readAllBytes(p));
                }
            }
        }
        return out;
    }
}
