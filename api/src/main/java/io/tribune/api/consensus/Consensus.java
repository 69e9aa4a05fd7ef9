package io.tribune.api.consensus;

import io.tribune.api.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One server's view of the replicated log.
 *
 * <p><b>Threading.</b> Thread-safe; methods never block (except {@link #close()}); futures
 * complete on plugin threads, so callers must not block in their callbacks.
 *
 * <p><b>Failures.</b> Futures fail with {@link NotLeaderException} when the operation needs the
 * leader, and with {@link ConsensusException} on timeout or shutdown (outcome unknown for
 * {@link #apply}).
 *
 * <p><b>Fail-stop.</b> When {@link StateMachine#apply} throws (or returns {@code null}) for a
 * committed entry, this server stops taking part at once, for good (until the process restarts
 * it): it applies no further entry, grants no vote, accepts no entries, and gives up leadership
 * (a leader stops acting as one, so the others elect a new leader after an election timeout). Every pending future fails with a
 * {@link ConsensusException} naming the index and the cause; later calls fail the same way;
 * {@link #isLeader()} is false; {@link #stats()} reports the reason under the key
 * {@code stopped}; and the plugin logs it at ERROR. The other servers keep going as long as a
 * majority of voters remains. A state machine's exception is thus never swallowed: replicas never
 * diverge silently. (A plugin may stop the same way when it cannot write its log.)
 */
public interface Consensus extends AutoCloseable {

    /**
     * Starts the server: restores the newest snapshot, replays the log into the state machine up
     * to the commit index known locally, and starts taking part in elections (if it is in the
     * configuration). Called once, after the transport is started.
     */
    void start();

    /**
     * Whether this server has any persisted state (a term, a log or a snapshot). A server without
     * state waits to be bootstrapped or added by a leader. May be called before {@link #start()}.
     */
    boolean hasState();

    /**
     * Sets the first configuration of a brand-new cluster. Called before {@link #start()}, and only
     * valid when {@link #hasState()} is false; every server must be given the same configuration.
     * The configuration is persisted before this method returns.
     *
     * @throws ConsensusException when the server already has state
     */
    void bootstrap(List<ServerInfo> servers);

    /**
     * Replicates {@code command} and applies it; the future carries the index and the state
     * machine's result once the command is committed and applied on this server.
     *
     * @param timeout how long to wait for the commit before failing; the command may still commit
     */
    CompletableFuture<Applied> apply(byte[] command, Duration timeout);

    /**
     * A read barrier: completes with an index once the local state machine has applied at least
     * that index and a read of local state then satisfies {@code mode}.
     * {@link ReadConsistency#STALE} completes at once with the last applied index on any server.
     *
     * <p>On the leader, DEFAULT and CONSISTENT complete as {@link ReadConsistency} describes. On a
     * follower a plugin may serve them too (Raft thesis §6.4, reads from followers): the follower
     * asks the leader for a read index, the leader answers once it has confirmed its leadership as
     * for its own read of that mode, the follower waits until it has applied that index, and the
     * barrier completes, so the host reads local state with the same guarantee as on the leader.
     * Or the barrier fails with {@link NotLeaderException} (a plugin that does not serve follower
     * reads, a follower that knows no leader, or whose leader cannot be reached or refuses), naming
     * the leader when one is known. The host handles both: it reads locally when the barrier
     * completes, and forwards the read to the leader, or holds it during an election, on
     * NotLeaderException.
     *
     * @param timeout how long to wait before failing with {@link ConsensusException}
     */
    CompletableFuture<Long> readBarrier(ReadConsistency mode, Duration timeout);

    /** Whether this server currently believes it is the leader. */
    boolean isLeader();

    /** The current term and leader as this server knows them. */
    Leadership leadership();

    /** Observes leadership changes; the listener receives the current state at once. */
    Subscription onLeadershipChange(Consumer<Leadership> listener);

    /**
     * How long since this server last heard from a leader: zero on the leader, and
     * {@code Duration.ofMillis(Long.MAX_VALUE)} when it never has. Reported with stale reads.
     */
    Duration lastContact();

    /** Index of the last entry applied to the local state machine. */
    long appliedIndex();

    /**
     * On the leader, each other server of the configuration with its match index and the time since
     * it last answered; empty on a follower, and by default (plugins that do not track it). Safe from
     * any thread; a snapshot that may lag the leader's loop by one step. Ordered by server id.
     *
     * @since added with autopilot health; a default method, so existing plugins stay compatible
     */
    default java.util.List<FollowerProgress> followerProgress() {
        return java.util.List.of();
    }

    /** The latest configuration (committed or not) known to this server. */
    List<ServerInfo> configuration();

    /** Adds a voting server (or makes a non-voter a voter). Leader only; one change at a time. */
    CompletableFuture<Void> addVoter(ServerInfo server, Duration timeout);

    /** Adds a server that replicates the log without voting. Leader only. */
    CompletableFuture<Void> addNonVoter(ServerInfo server, Duration timeout);

    /** Removes a server from the configuration. Leader only. */
    CompletableFuture<Void> removeServer(String id, Duration timeout);

    /**
     * Hands leadership to {@code target} (or, when empty, to the most up-to-date voter) and
     * completes when the new leader is elected. Leader only.
     */
    CompletableFuture<Void> transferLeadership(Optional<String> target, Duration timeout);

    /** Takes a snapshot now and compacts the log; completes with the snapshot's index. */
    CompletableFuture<Long> snapshotNow();

    /**
     * Plugin-specific figures for {@code /v1/agent/self} (term, commit index, ...). After a
     * fail-stop (see the class comment) the key {@code stopped} holds why the server stopped.
     */
    Map<String, String> stats();

    /**
     * Stops taking part: fails pending futures, stops threads and timers, closes nothing it was
     * given (the host closes storage and transport). Idempotent.
     */
    @Override
    void close();
}
