package dev.homelab.events;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonValue;

/** Event severity, ordered from least to most severe so that "at least warning" is a comparison. */
public enum Severity {
    INFO,
    WARNING,
    ERROR,
    CRITICAL;

    /** The names as written in event files and accepted by every API. */
    public static final List<String> NAMES = Arrays.stream(values()).map(Severity::wireName).toList();

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Exact, case-sensitive match on the wire name ("info", not "INFO"). */
    public static Optional<Severity> parse(String text) {
        for (Severity s : values()) {
            if (s.wireName().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public boolean atLeast(Severity minimum) {
        return compareTo(minimum) >= 0;
    }
}
