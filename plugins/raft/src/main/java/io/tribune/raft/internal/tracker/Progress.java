package io.tribune.raft.internal.tracker;

import java.util.ArrayDeque;

/**
 * The leader's view of one follower's log (etcd raft's progress tracker, after Raft §5.3):
 * {@link #match()} is the highest index known to be replicated there, {@link #next()} the next one
 * to send. The state decides how the leader sends:
 *
 * <pre>
 *       reject: rewind next to the hint
 *        +------+
 *        v      |           (new leader)                 snapshot needed
 *      REPLICATE <--- append accepted --- PROBE ----------------------------> SNAPSHOT
 *                                           ^                                   |
 *                                           +------- installed / failed --------+
 * </pre>
 *
 * <ul>
 *   <li>PROBE: one append per heartbeat interval until the follower's log position is found
 *       (fast backtracking moves {@code next} by whole terms).</li>
 *   <li>REPLICATE: appends are pipelined optimistically, up to {@code maxInflight} messages not yet
 *       acknowledged (flow control); a rejection rewinds {@code next} to the follower's hint and
 *       pipelining resumes from there.</li>
 *   <li>SNAPSHOT: the follower needs entries the leader compacted; nothing is sent until the
 *       snapshot transfer ends.</li>
 * </ul>
 * Not thread-safe; owned by the core.
 */
public final class Progress {
    /** How the leader currently replicates to this follower. */
    public enum State { PROBE, REPLICATE, SNAPSHOT }

    private final int maxInflight;
    private final ArrayDeque<Long> inflight = new ArrayDeque<>();
    private long match;
    private long next;
    private State state = State.PROBE;
    private boolean probeSent;
    private long pendingSnapshot;
    private long snapshotSinceTick;
    private boolean recentActive;
    private long ackedContext;
    private long commitSent;
    private long matchAtLastBeat;
    private int quietBeats;

    /** A follower whose log is assumed to end at {@code next - 1}. */
    public Progress(long next, int maxInflight) {
        if (maxInflight < 1) {
            throw new IllegalArgumentException("maxInflight must be >= 1, got " + maxInflight);
        }
        this.next = Math.max(1, next);
        this.maxInflight = maxInflight;
    }

    public long match() {
        return match;
    }

    public long next() {
        return next;
    }

    public State state() {
        return state;
    }

    public long pendingSnapshot() {
        return pendingSnapshot;
    }

    public long snapshotSinceTick() {
        return snapshotSinceTick;
    }

    public int inflightCount() {
        return inflight.size();
    }

    public boolean recentActive() {
        return recentActive;
    }

    public void recentActive(boolean active) {
        this.recentActive = active;
    }

    /** The highest commit index this follower was told it may apply (what the last message allowed). */
    public long commitSent() {
        return commitSent;
    }

    /** Records that a message told this follower it may apply up to {@code index}. */
    public void commitSent(long index) {
        commitSent = Math.max(commitSent, index);
    }

    /** The newest read/lease context this follower acknowledged. */
    public long ackedContext() {
        return ackedContext;
    }

    /** Records an acknowledged context; contexts only grow. */
    public void ackContext(long context) {
        ackedContext = Math.max(ackedContext, context);
    }

    /** Whether the leader should hold back appends now (probe sent, window full, or snapshotting). */
    public boolean paused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflight.size() >= maxInflight;
            case SNAPSHOT -> true;
        };
    }

    /**
     * Records that an append whose last entry is {@code lastIndex} was sent. In REPLICATE the
     * next index moves optimistically; in PROBE the follower is paused until it answers.
     */
    public void sent(long lastIndex, boolean hadEntries) {
        if (state == State.REPLICATE) {
            if (hadEntries) {
                next = lastIndex + 1;
                inflight.addLast(lastIndex);
            }
        } else if (state == State.PROBE) {
            probeSent = true;
        }
    }

    /**
     * The follower stored everything up to {@code index}. Returns whether this told the leader
     * something new.
     */
    public boolean accepted(long index) {
        boolean updated = false;
        if (index > match) {
            match = index;
            updated = true;
        }
        if (next < index + 1) {
            next = index + 1;
        }
        probeSent = false;
        while (!inflight.isEmpty() && inflight.peekFirst() <= index) {
            inflight.pollFirst();
        }
        return updated;
    }

    /**
     * The follower refused an append whose previous index was {@code rejected}; the leader's next
     * guess is {@code hint + 1}. Stale rejections (of appends already superseded) are ignored.
     *
     * @return whether the rejection was acted on
     */
    public boolean rejected(long rejected, long hint) {
        if (state == State.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            // Go back to the hint and keep pipelining from there. The transport may reorder calls,
            // so most rejections in this state mean "arrived before its predecessor", not a
            // conflict; dropping to one-message-per-round-trip probing would stall a busy follower.
            next = Math.max(match + 1, Math.min(rejected, hint + 1));
            inflight.clear();
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(match + 1, Math.min(rejected, hint + 1));
        probeSent = false;
        return true;
    }

    /** A heartbeat was answered: a paused probe may send again, a full window frees one slot. */
    /**
     * Called on each heartbeat answer: whether appends sent in REPLICATE look lost, because the
     * follower's match stayed put over two heartbeat answers in a row while entries beyond it were
     * sent. Appends are not retried by the transport, so without this a lost append whose entries
     * are the last written stalls the follower until the next write (whose append it would refuse).
     */
    public boolean replicationStalled() {
        boolean quiet = state == State.REPLICATE && next - 1 > match && match == matchAtLastBeat;
        quietBeats = quiet ? quietBeats + 1 : 0;
        matchAtLastBeat = match;
        return quietBeats >= 2;
    }

    public void heartbeatAnswered() {
        if (state == State.PROBE) {
            probeSent = false;
        } else if (state == State.REPLICATE && inflight.size() >= maxInflight) {
            inflight.pollFirst();
        }
    }

    public void becomeProbe() {
        if (state == State.SNAPSHOT) {
            next = Math.max(match + 1, pendingSnapshot + 1);
            pendingSnapshot = 0;
        } else {
            next = match + 1;
        }
        state = State.PROBE;
        probeSent = false;
        inflight.clear();
        quietBeats = 0;
    }

    public void becomeReplicate() {
        state = State.REPLICATE;
        next = match + 1;
        probeSent = false;
        inflight.clear();
    }

    /** Starts sending the snapshot at {@code index}, at logical time {@code tick}. */
    public void becomeSnapshot(long index, long tick) {
        state = State.SNAPSHOT;
        pendingSnapshot = index;
        snapshotSinceTick = tick;
        inflight.clear();
    }

    @Override
    public String toString() {
        return state + "{match=" + match + ", next=" + next + ", inflight=" + inflight.size()
                + (state == State.SNAPSHOT ? ", snapshot=" + pendingSnapshot : "") + "}";
    }
}
