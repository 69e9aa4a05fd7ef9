package io.tribune.raft.internal.core;

import io.tribune.api.storage.LogEntry;
import java.util.List;

/**
 * The work the core hands to its driver, to be done in this order (etcd raft's {@code Ready}):
 * <ol>
 *   <li>{@link #snapshot()}: if present, the driver has stored this snapshot already; reset the
 *       log and restore the state machine from it;</li>
 *   <li>persist {@link #hardState()} (if not null), truncate the log from {@link #truncateFrom()}
 *       (if positive), append {@link #entries()}, all durably;</li>
 *   <li>only then send {@link #messages()} (persist before send: a vote or an acknowledged entry
 *       must survive a crash, Raft §5.2 and Figure 2);</li>
 *   <li>apply {@link #committed()} in order and serve {@link #reads()};</li>
 *   <li>call {@link RaftCore#advance(Ready)}.</li>
 * </ol>
 *
 * @param hardState    term and vote to persist, or null when unchanged
 * @param truncateFrom first index to remove from the persisted log, or 0
 * @param entries      new entries to append after the truncation
 * @param messages     messages to send after persisting
 * @param committed    entries now committed, to apply in order
 * @param snapshot     a snapshot this server must install, or null
 * @param reads        read requests confirmed (by this leader, or for a follower by its leader's
 *                     answer to a ReadIndex), with the index they must wait for, or refused
 * @param soft         role, leader and term after this step (for observers)
 */
public record Ready(HardState hardState, long truncateFrom, List<LogEntry> entries, List<Message> messages,
                    List<LogEntry> committed, Message.InstallSnapshot snapshot, List<ReadState> reads,
                    SoftState soft) {

    /** Term and vote: what Raft must persist before answering (Figure 2, "persistent state"). */
    public record HardState(long term, String vote) {
    }

    /** Observable, volatile state. */
    public record SoftState(Role role, String leader, long term) {
    }

    /**
     * A confirmed read: once the state machine has applied {@code index}, local state may be read
     * for request {@code id}. {@code ok} is false when leadership was lost first, or, for a
     * follower's read, when its leader refused it, changed, or did not answer in time.
     */
    public record ReadState(long id, long index, boolean ok) {
    }

    /** Whether there is nothing to do. */
    public boolean isEmpty() {
        return hardState == null && truncateFrom == 0 && entries.isEmpty() && messages.isEmpty()
                && committed.isEmpty() && snapshot == null && reads.isEmpty();
    }
}
