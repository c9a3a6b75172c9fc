package dev.homelab.events.reliability;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.config.StoreConfig;
import dev.homelab.events.storage.EventCodec;
import dev.homelab.events.storage.EventStore;

/**
 * The real store with the storage layer's fsync seam wired to a switch: while {@link #FAIL} is set, forcing a
 * new file's content fails with EIO, as a dying disk does. Selected only by {@link FsyncFailureTest}'s profile.
 */
@Alternative
@ApplicationScoped
public class FailingFsyncStore {

    static final AtomicBoolean FAIL = new AtomicBoolean();
    static final AtomicInteger FORCE_CALLS = new AtomicInteger();

    @Produces
    @Singleton
    EventStore eventStore(StoreConfig config, ObjectMapper mapper) throws IOException {
        Path root = java.nio.file.Files.createDirectories(Path.of(config.events().dir().orElseThrow()));
        return new EventStore(root, new EventCodec(mapper), config.events().fileMaxBytes()) {
            @Override
            protected void forceFile(FileChannel channel) throws IOException {
                FORCE_CALLS.incrementAndGet();
                if (FAIL.get()) {
                    throw new IOException("Input/output error");
                }
                super.forceFile(channel);
            }
        };
    }
}
