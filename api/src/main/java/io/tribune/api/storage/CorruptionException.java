package io.tribune.api.storage;

/** Stored data failed a checksum or could not be decoded; the message names its location. */
public class CorruptionException extends StorageException {
    public CorruptionException(String message) {
        super(message);
    }

    public CorruptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
