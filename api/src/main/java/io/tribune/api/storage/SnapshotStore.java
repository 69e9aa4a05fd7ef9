package io.tribune.api.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Holds state-machine snapshots. A snapshot becomes visible to {@link #list()} and
 * {@link #open(String)} only when its writer is committed, atomically (written under a temporary
 * name and renamed). The store keeps the newest {@code retain} snapshots (a store setting, at
 * least 1) and deletes older ones after a commit.
 *
 * <p>Thread-safe. Several readers may be open while one writer writes.
 */
public interface SnapshotStore {

    /**
     * Starts writing a snapshot that covers the log up to {@code index}. The caller writes the data
     * to {@link Writer#stream()} and then calls {@link Writer#commit()} or {@link Writer#abort()}.
     */
    Writer create(long index, long term, byte[] configuration);

    /** Committed snapshots, newest (highest index) first. */
    List<SnapshotMeta> list();

    /** The newest committed snapshot, if any. */
    default Optional<SnapshotMeta> latest() {
        List<SnapshotMeta> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /**
     * Opens a committed snapshot for reading. The stream verifies the checksum as it is read and
     * throws {@link CorruptionException} from {@code read} when the data ends with a mismatch.
     *
     * @return empty when no committed snapshot has that id, including a malformed or {@code null} id
     */
    Optional<Reader> open(String id);

    /** A snapshot being written; single-threaded. */
    interface Writer extends AutoCloseable {
        /** Where to write the data; the store counts bytes and computes the checksum. */
        OutputStream stream();

        /**
         * Makes the snapshot durable and visible, then applies the retention policy. Calling it
         * twice, or after {@link #abort()}, fails with {@link IllegalStateException}.
         *
         * @return the committed snapshot's metadata
         */
        SnapshotMeta commit() throws IOException;

        /** Discards what was written. Idempotent; a no-op after commit. */
        void abort();

        /** Aborts unless committed. */
        @Override
        default void close() {
            abort();
        }
    }

    /** A committed snapshot opened for reading. */
    interface Reader extends AutoCloseable {
        /** The snapshot's metadata. */
        SnapshotMeta meta();

        /** The data; verifies the checksum at end of stream. */
        InputStream stream();

        @Override
        void close() throws IOException;
    }
}
