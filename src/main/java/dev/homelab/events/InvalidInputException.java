package dev.homelab.events;

import java.util.List;
import java.util.stream.Collectors;

/** Input that breaks a rule; carries every bad field so a caller can fix them all at once. Nothing was written. */
public class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<FieldError> errors;

    public InvalidInputException(List<FieldError> errors) {
        super(errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public InvalidInputException(String field, String value, String message) {
        this(List.of(new FieldError(field, value, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
