package dev.homelab.events;

/** One rejected field: its name, the value received (shortened), and what is allowed. */
public record FieldError(String field, String value, String message) {
}
