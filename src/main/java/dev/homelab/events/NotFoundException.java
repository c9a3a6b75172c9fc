package dev.homelab.events;

/** An id or correlation id that the store does not hold. */
public class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
