package io.tribune.raft.internal.core;

import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.LogEntry;
import java.util.List;

/**
 * A Raft message between servers, with the paper's names. Every message carries the sender's
 * term (Raft §5.1: a server that sees a higher term adopts it). Values only; the driver encodes
 * them for the transport and the simulator passes them as they are.
 */
public sealed interface Message {
    /** Sender id. */
    String from();

    /** Receiver id. */
    String to();

    /** The sender's current term (for a pre-vote: the term the candidate would campaign in). */
    long term();

    /**
     * RequestVote (Raft §5.2), or a pre-vote when {@code preVote} (thesis §9.6), which changes no
     * state on the receiver. {@code transfer} marks an election started by TimeoutNow (thesis
     * §3.10), which followers grant even while they still hear from a leader.
     */
    record RequestVote(String from, String to, long term, long lastLogIndex, long lastLogTerm, boolean preVote,
                       boolean transfer) implements Message {
    }

    /** Answer to {@link RequestVote}. */
    record RequestVoteResponse(String from, String to, long term, boolean granted, boolean preVote)
            implements Message {
    }

    /**
     * AppendEntries (Raft §5.3). {@code context} is the leader's heartbeat round, echoed in the
     * response to confirm leadership for read index and lease (thesis §6.4).
     */
    record AppendEntries(String from, String to, long term, long prevLogIndex, long prevLogTerm,
                         List<LogEntry> entries, long leaderCommit, long context) implements Message {
        public AppendEntries {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Answer to {@link AppendEntries}, {@link Heartbeat} and {@link InstallSnapshot}. On success
     * {@code index} is the highest index known to match the leader; on rejection {@code index} is
     * the rejected previous index and {@code hintIndex} the follower's guess of the last index
     * that may match (fast backtracking by term).
     */
    record AppendEntriesResponse(String from, String to, long term, boolean success, long index, long hintIndex,
                                 long context, boolean heartbeat) implements Message {
    }

    /**
     * An empty AppendEntries that only asserts leadership and moves the commit index up to what the
     * follower is known to hold ({@code commit = min(leader commit, follower match)}).
     */
    record Heartbeat(String from, String to, long term, long commit, long context) implements Message {
    }

    /**
     * InstallSnapshot (Raft §7): the snapshot's metadata. The driver streams the data before it
     * hands this message to the receiving core, so the core only decides whether to use it.
     */
    record InstallSnapshot(String from, String to, long term, long index, long snapshotTerm,
                           List<ServerInfo> configuration) implements Message {
        public InstallSnapshot {
            configuration = List.copyOf(configuration);
        }
    }

    /** TimeoutNow (thesis §3.10): the receiver starts an election at once, skipping pre-vote. */
    record TimeoutNow(String from, String to, long term) implements Message {
    }

    /**
     * ReadIndex (thesis §6.4, reads from followers): a follower asks its leader for an index that
     * covers every write acknowledged before the request. {@code id} is the follower's, echoed in
     * the answer; {@code lease} asks the leader to confirm its leadership with its lease, as for
     * its own DEFAULT reads, instead of with a heartbeat round acknowledged by a majority.
     */
    record ReadIndex(String from, String to, long term, long id, boolean lease) implements Message {
    }

    /**
     * Answer to {@link ReadIndex}. When {@code ok}, reading local state once it has applied
     * {@code index} is as fresh as the mode asked; otherwise the sender does not lead (any more).
     * {@code commit} moves the follower's commit index like a {@link Heartbeat}'s:
     * {@code min(leader commit, follower match)}.
     */
    record ReadIndexResponse(String from, String to, long term, long id, long index, boolean ok, long commit)
            implements Message {
    }
}
