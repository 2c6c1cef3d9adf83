package dev.pitwall.core.storage;

/** The store cannot be opened, migrated or written; the message says which and why. */
public final class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
