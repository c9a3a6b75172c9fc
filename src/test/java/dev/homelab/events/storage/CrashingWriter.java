package dev.homelab.events.storage;

import java.nio.file.Path;
import java.time.Instant;

import dev.homelab.events.Event;
import dev.homelab.events.TestEvents;

/** Child process of {@link CrashSafetyTest}: appends events forever and prints each id once it is acknowledged. */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        EventStore store = TestEvents.store(Path.of(args[0]));
        String node = args[1];
        while (true) {
            Event e = TestEvents.event("deployment_started", node, "svc", "crash", Instant.now());
            store.append(e);
            System.out.println(e.id());
            System.out.flush();
        }
    }
}
