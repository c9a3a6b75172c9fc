package dev.homelab.events.service;

/** One rejected field: its name, the value received (shortened), and what is allowed. */
public record FieldError(String field, String value, String message) {
}
