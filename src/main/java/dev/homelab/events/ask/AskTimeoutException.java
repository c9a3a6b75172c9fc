package dev.homelab.events.ask;

/** The question took longer than homelab.ask.total-timeout; answered as 504. */
public class AskTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AskTimeoutException(String message) {
        super(message);
    }
}
