package dev.homelab.events.ask;

/**
 * No model is configured, or the configured one cannot be reached or refuses us. The message says what to
 * configure or check; answered as 503, and nothing else in the server depends on the model.
 */
public class ModelUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean configured;

    public ModelUnavailableException(String message, boolean configured, Throwable cause) {
        super(message, cause);
        this.configured = configured;
    }

    /** False when no model is configured at all. */
    public boolean configured() {
        return configured;
    }
}
