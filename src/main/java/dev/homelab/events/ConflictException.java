package dev.homelab.events;

import java.util.List;

/**
 * A write that contradicts what the store already holds, so nothing was written: an event id that is already
 * stored with different content, or a remediation step that is already open. Carries the field it is about
 * ({@code id}, {@code step}) so every face can name it: REST answers 409 problem+json, the tool faces an error
 * result saying so.
 */
public class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<FieldError> errors;

    public ConflictException(String field, String value, String message) {
        super(field + ": " + message);
        this.errors = List.of(new FieldError(field, value, message));
    }

    /** The field the conflict is about, with the value received and what is already stored. */
    public List<FieldError> errors() {
        return errors;
    }
}
