package io.tribune.api.consensus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated state machine, implemented by the host and driven by the consensus plugin.
 *
 * <p><b>Threading and order.</b> The plugin calls {@link #apply}, {@link #snapshot} and
 * {@link #restore} from one thread at a time, never concurrently, and calls {@code apply} in
 * strictly increasing index order with each committed command exactly once per process lifetime
 * (after a restart the plugin restores the newest snapshot and re-applies the log after it).
 * Indices may have gaps: entries that are not commands are not passed on.
 *
 * <p><b>Determinism.</b> {@code apply} must be a deterministic function of the state and the
 * command: every server computes the same state and result.
 */
public interface StateMachine {

    /**
     * Applies one committed command.
     *
     * <p><b>An exception is fatal for this server.</b> The command is committed: every other
     * server applies it too, so a state machine that cannot apply it can no longer be a replica of
     * the same state. If {@code apply} throws (or returns {@code null}), the plugin stops this
     * server's consensus at once (fail-stop, see {@link Consensus}): it applies nothing after this
     * index, takes no further part in replication or elections, and fails every pending future with
     * a {@link ConsensusException} naming the index and the cause. Replicas never diverge silently.
     * Since {@code apply} is deterministic, the same entry fails again when the log is replayed
     * after a restart, until the cause (a bug, a missing resource) is fixed. A command the host
     * wants to reject must therefore be rejected by returning a result that says so, never by
     * throwing.
     *
     * @return the result handed back to the proposer through {@link Consensus#apply} (only on the
     *         server that proposed it); never {@code null}
     */
    byte[] apply(long index, long term, byte[] command);

    /**
     * Captures the current state cheaply (e.g. a reference to immutable data); the slow write-out
     * happens later in {@link StateSnapshot#writeTo}, possibly on another thread and concurrently
     * with further {@code apply} calls.
     */
    StateSnapshot snapshot();

    /**
     * Replaces the whole state with the snapshot read from {@code in}, taken at {@code index}.
     * Must either succeed completely or leave the previous state untouched and throw.
     */
    void restore(long index, long term, InputStream in) throws IOException;

    /** A point-in-time capture of the state. */
    interface StateSnapshot {
        /** Writes the captured state; called once. */
        void writeTo(OutputStream out) throws IOException;

        /** Releases the capture; called once, after {@link #writeTo} or instead of it. */
        default void release() {
        }
    }
}
