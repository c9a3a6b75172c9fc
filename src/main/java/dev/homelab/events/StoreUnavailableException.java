package dev.homelab.events;

/** The store could not durably write: disk full, read-only, permission denied. Nothing was acknowledged. */
public class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean insufficientStorage;

    public StoreUnavailableException(String message, boolean insufficientStorage, Throwable cause) {
        super(message, cause);
        this.insufficientStorage = insufficientStorage;
    }

    /** True when the disk is full or out of inodes (HTTP 507), false for other write failures (503). */
    public boolean insufficientStorage() {
        return insufficientStorage;
    }
}
