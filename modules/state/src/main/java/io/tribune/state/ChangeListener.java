package io.tribune.state;

import java.util.List;

/**
 * Receives the change feed (see {@link StateStore#subscribe}). Calls for one subscription never
 * overlap and arrive in index order, on the store's notification executor, never on the apply
 * thread. A listener should return quickly; a subscriber that falls more than
 * {@link StateStore#MAX_PENDING_BATCHES} batches behind is dropped with {@link #onOverflow()}.
 */
@FunctionalInterface
public interface ChangeListener {

    /** The changes of one committed write, all at {@code index}, in the order they were made. */
    void onChanges(long index, List<Change> changes);

    /**
     * The whole state was replaced by a snapshot restore at {@code index}: anything may have
     * changed, so a watcher should re-read everything.
     */
    default void onReset(long index) {
    }

    /**
     * The subscription fell too far behind and was closed; no further call follows. A watcher
     * re-reads and subscribes again.
     */
    default void onOverflow() {
    }
}
