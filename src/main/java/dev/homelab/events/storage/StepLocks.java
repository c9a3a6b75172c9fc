package dev.homelab.events.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.Timestamps;

/**
 * The start lock of remediation steps, part of format v1 (docs/format.md, "Remediation step locks"), shared by
 * the Java server and the bash and Python libraries. Starting a step is two writes (the check that the step is not
 * open, then the {@code remediation_started} event), so two agents could both pass the check; this marker makes
 * the start a single atomic step across processes and languages, with nothing but the store's own commit point
 * (no flock/fcntl, whose semantics differ between Java, bash and Python):
 *
 * <pre>
 * &lt;root&gt;/.locks/remediation/&lt;key&gt;.&lt;run&gt;            the claim of run &lt;run&gt; of a step
 * &lt;root&gt;/.locks/remediation/&lt;key&gt;.&lt;run&gt;.&lt;event id&gt; the claim that replaces an abandoned one
 * key = lower-case hex SHA-256 of UTF-8 (correlation_id + "\0" + service + "\0" + step)
 * run = how many remediation_started events of that service and step key the chain holds
 * </pre>
 *
 * A starter that found the step not open links its marker (temp file, fsync, hard link that never replaces a
 * name: {@link DurableFiles#linkNew}); whoever links first writes the event, with the event id the marker names,
 * and everyone else is refused. Since the run counts the starts, the step can start again once its run completed.
 * A marker whose event never appeared (its writer died in between) is abandoned once it is older than
 * {@link #STALE_AFTER}: the next starter then claims the slot named after the abandoned event id, again with a
 * link, so exactly one starter takes over. A writer that knows its event was not stored removes its own marker.
 *
 * <p>
 * The marker holds one JSON line: {@code event_id} (read by every writer), and for people {@code correlation_id},
 * {@code service}, {@code step}, {@code run}, {@code claimed_at}. Readers of events ignore the hidden directory.
 *
 * <p>
 * Thread-safety: stateless; the link arbitrates between threads and processes alike.
 */
public final class StepLocks {

    /** Where the markers live, relative to the root. */
    public static final String DIRECTORY = ".locks/remediation";

    /** A marker whose event did not appear within this time is abandoned (the same in bash and Python). */
    public static final Duration STALE_AFTER = Duration.ofSeconds(120);

    /** Longest marker read; a marker is about 300 bytes. */
    private static final int MARKER_MAX_BYTES = 4096;

    /** Attempts before giving up: each needs a dead writer or a withdrawn marker in between. */
    private static final int MAX_HOPS = 64;

    private static final Pattern EVENT_ID = Pattern
            .compile("\"event_id\"\\s*:\\s*\"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\"");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What {@link #claim} found. */
    public sealed interface Outcome permits Claimed, Held {
    }

    /**
     * The run is this caller's to start: it linked {@code marker}, or ({@code mine} false) the marker already names
     * the caller's own event id, written by an earlier try of the same request.
     */
    public record Claimed(Path marker, boolean mine) implements Outcome {
    }

    /** Another starter holds the run: its marker, the event id it names (null if unreadable) and its age. */
    public record Held(Path marker, UUID eventId, Instant since) implements Outcome {
    }

    private final Path root;
    private final Clock clock;

    public StepLocks(Path root, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.clock = clock;
    }

    public StepLocks(Path root) {
        this(root, Clock.systemUTC());
    }

    /** The key of a step: lower-case hex SHA-256 of {@code correlationId \0 service \0 step} in UTF-8. */
    public static String key(String correlationId, String service, String step) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((correlationId + "\0" + service + "\0" + step).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * Claims run {@code run} of a step for the event {@code eventId}.
     *
     * @param recorded whether an event id is already in the store (then its marker is never abandoned)
     * @throws IOException if the marker cannot be written (the step is then not started)
     */
    public Outcome claim(String correlationId, String service, String step, int run, UUID eventId,
            Predicate<UUID> recorded) throws IOException {
        Path dir = directory();
        String base = key(correlationId, service, step) + "." + run;
        String slot = base;
        byte[] content = content(correlationId, service, step, run, eventId);
        for (int hop = 0; hop < MAX_HOPS; hop++) {
            Path marker = dir.resolve(slot);
            Path temp = DurableFiles.writeTemp(marker, content, DurableFiles.FSYNC);
            try {
                // COMMIT POINT of the claim: the link never replaces a name, so exactly one starter gets it
                DurableFiles.linkNew(temp, marker);
                DurableFiles.forceDirectory(dir);
                return new Claimed(marker, true);
            } catch (FileAlreadyExistsException taken) {
                // someone holds this slot: read whose it is
            }
            UUID holder;
            Instant since;
            try {
                holder = eventIdOf(EventFiles.readAtMost(marker, MARKER_MAX_BYTES));
                since = Files.getLastModifiedTime(marker, LinkOption.NOFOLLOW_LINKS).toInstant();
            } catch (NoSuchFileException gone) {
                continue; // its owner withdrew it just now: try the same slot again
            } catch (FileSystemException notAFile) {
                return new Held(marker, null, clock.instant()); // a FIFO or symlink in the way: never touched
            }
            if (eventId.equals(holder)) {
                return new Claimed(marker, false);
            }
            boolean abandoned = holder != null && !recorded.test(holder)
                    && Duration.between(since, clock.instant()).compareTo(STALE_AFTER) >= 0;
            if (!abandoned) {
                return new Held(marker, holder, since);
            }
            slot = base + "." + holder;
        }
        throw new IOException(
                "gave up claiming " + dir.resolve(base) + " after " + MAX_HOPS + " abandoned or withdrawn claims");
    }

    /** Removes a marker this caller linked, when it knows its event was not stored, so the step can start at once. */
    public void release(Claimed claim) {
        if (!claim.mine()) {
            return;
        }
        try {
            Files.deleteIfExists(claim.marker());
        } catch (IOException e) {
            // left in place: it is abandoned after STALE_AFTER, since its event never appeared
        }
    }

    /** The marker directory, created (0755) when missing. */
    private Path directory() throws IOException {
        Path dir = root.resolve(DIRECTORY);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return dir;
        }
        for (Path p : new Path[]{ root.resolve(".locks"), dir }) {
            try {
                Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                DurableFiles.forceDirectory(p.getParent());
            } catch (FileAlreadyExistsException e) {
                // another writer made it first
            }
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("not a directory (a symlink or file is in the way): " + p);
            }
        }
        return dir;
    }

    private byte[] content(String correlationId, String service, String step, int run, UUID eventId) {
        ObjectNode o = JSON.createObjectNode();
        o.put("event_id", eventId.toString());
        o.put("correlation_id", correlationId);
        o.put("service", service);
        o.put("step", step);
        o.put("run", run);
        o.put("claimed_at", Timestamps.toJson(Timestamps.truncate(clock.instant())));
        try {
            return (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serializes", e);
        }
    }

    /** The event id a marker names, or null when it names none. */
    static UUID eventIdOf(byte[] marker) {
        Matcher m = EVENT_ID.matcher(new String(marker, StandardCharsets.UTF_8));
        return m.find() ? UUID.fromString(m.group(1)) : null;
    }
}
