package dev.homelab.events.storage;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.homelab.events.Timestamps;

/**
 * The file-name codec of format v1: {@code <yyyyMMdd'T'HHmmss.SSSSSS'Z'>_<type>_<uuid>.json}.
 * The type may itself contain underscores; the fixed-width timestamp and UUID make the split unambiguous.
 */
public record EventFileName(Instant timestamp, String type, UUID id) {

    private static final Pattern GRAMMAR = Pattern.compile(
            "(\\d{8}T\\d{6}\\.\\d{6}Z)_([a-z][a-z0-9_]{0,63})_"
                    + "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.json");

    public String format() {
        return Timestamps.FILE_NAME.format(timestamp) + "_" + type + "_" + id + ".json";
    }

    /** The directory of an event relative to the root: {@code <yyyy-MM-dd>/<node>}. */
    public static Path directory(Instant timestamp, String node) {
        return Path.of(Timestamps.DATE.format(timestamp), node);
    }

    public static Optional<EventFileName> parse(String fileName) {
        Matcher m = GRAMMAR.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            Instant t = Instant.from(Timestamps.FILE_NAME.parse(m.group(1)));
            return Optional.of(new EventFileName(t, m.group(2), UUID.fromString(m.group(3))));
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
