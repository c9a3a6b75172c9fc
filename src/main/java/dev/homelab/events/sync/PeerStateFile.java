package dev.homelab.events.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.storage.DurableFiles;

/**
 * What this node remembers about one peer: the current {@link PeerState} and its file
 * {@code <root>/.sync/peers/<name>.json}, replaced atomically on every save. The state is immutable and held
 * in a volatile field, so a status read never waits for a running pull. Changes come from one pull or tick
 * at a time ({@link PeerPuller} is synchronized).
 */
final class PeerStateFile {

    private static final Logger LOG = Logger.getLogger(PeerStateFile.class);

    private final String peer;
    private final Path file;
    private final ObjectMapper mapper;
    private volatile PeerState state;

    /** Loads the saved state; a missing or damaged file starts from the beginning. */
    PeerStateFile(String peer, Path file, ObjectMapper mapper) {
        this.peer = peer;
        this.file = file;
        this.mapper = mapper;
        this.state = load();
    }

    PeerState get() {
        return state;
    }

    /** Changes the state in memory; {@link #save()} makes it durable. */
    void update(UnaryOperator<PeerState> change) {
        state = change.apply(state);
    }

    /** Replaces the file with the current state; throws when it cannot (a pull must not move on then). */
    void save() {
        try {
            DurableFiles.replace(file, mapper.writeValueAsBytes(state));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save sync state " + file, e);
        }
    }

    /** Like {@link #save()}, but only logs a failure: for bookkeeping that the next save repeats. */
    void saveQuietly() {
        try {
            save();
        } catch (UncheckedIOException e) {
            LOG.warnf("Could not save sync state of peer %s: %s", peer, e.getCause().toString());
        }
    }

    private PeerState load() {
        if (!Files.exists(file)) {
            return PeerState.initial();
        }
        try {
            return mapper.readValue(Files.readAllBytes(file), PeerState.class);
        } catch (IOException e) {
            // a damaged state only costs a full re-pull (imports are idempotent); say so loudly
            LOG.warnf("Sync state of peer %s unreadable (%s); starting from the beginning", peer, e.toString());
            return PeerState.initial();
        }
    }
}
