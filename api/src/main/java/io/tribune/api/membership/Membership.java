package io.tribune.api.membership;

import io.tribune.api.Experimental;
import io.tribune.api.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One node's membership in one pool.
 *
 * <p><b>Threading.</b> Thread-safe. Methods that talk to other nodes return futures and never
 * block; futures complete on plugin threads.
 *
 * <p><b>Lifecycle.</b> {@link #start()} binds sockets and makes the local node a one-member
 * pool; {@link #join} contacts seeds; {@link #leave} announces departure; {@link #close()} stops
 * without announcing (a crash from the others' point of view).
 */
public interface Membership extends AutoCloseable {

    /**
     * Binds and starts protocol timers.
     *
     * @throws IllegalStateException naming the address when the port cannot be bound
     */
    void start();

    /** The local member with its current tags. */
    Member localMember();

    /** All known members, including the local one and members that failed or left but are not yet reaped. */
    List<Member> members();

    /**
     * Contacts each seed address ({@code host:port}, or {@code host} for the pool's default port)
     * and merges state; completes with the number of seeds successfully contacted, or fails when
     * none could be.
     */
    CompletableFuture<Integer> join(List<String> seeds);

    /**
     * Announces a graceful leave and waits (at most {@code timeout}) for it to propagate. After
     * it completes the node no longer answers probes.
     */
    CompletableFuture<Void> leave(Duration timeout);

    /**
     * Marks a failed member as left so that it is not contacted again; with {@code prune}, removes it
     * from the list at once. Fails when no member of that name is known.
     */
    CompletableFuture<Void> forceLeave(String name, boolean prune);

    /** Replaces the local member's tags and disseminates them. */
    CompletableFuture<Void> updateTags(Map<String, String> tags);

    /**
     * Broadcasts a user event to every member (and delivers it locally).
     *
     * @throws IllegalArgumentException when name and payload exceed the plugin's size limit
     */
    CompletableFuture<Void> broadcast(String name, byte[] payload, boolean coalesce);

    /** Starts delivering events to {@code listener}. */
    Subscription subscribe(MembershipListener listener);

    /** The keyring, when this instance encrypts its traffic. */
    default Optional<Keyring> keyring() {
        return Optional.empty();
    }

    /**
     * Queries to every member (request/response over the pool), when the plugin offers them.
     * Plugins without the capability keep this default, which is always empty; a plugin that offers
     * it returns the same instance on every call, before and after {@link #start()}.
     */
    @Experimental(until = "2027-06-30")
    default Optional<MemberQueries> queries() {
        return Optional.empty();
    }

    /**
     * The local node's network coordinate in this pool, when the plugin computes one (from the round
     * trips of its probes). Plugins without coordinates keep this default, which is always empty; a
     * plugin that has them may still answer empty until its first sample. Thread-safe, never blocks;
     * each call returns the latest value.
     *
     * @since SPI 1.3
     */
    default Optional<NetworkCoordinate> coordinate() {
        return Optional.empty();
    }

    /**
     * The coordinate that {@code member} last reported to this node in this pool (learned from probe
     * answers, as Serf's agents keep a cache of their peers'), or empty when none is known, the member
     * is gone, or the plugin has no coordinates (the default). Thread-safe, never blocks.
     *
     * @since SPI 1.3
     */
    default Optional<NetworkCoordinate> coordinateOf(String member) {
        return Optional.empty();
    }

    /** Plugin-specific figures (member counts, health score, message counters). */
    default Map<String, String> stats() {
        return Map.of();
    }

    /** Stops timers and closes sockets without announcing a leave. Idempotent. */
    @Override
    void close();
}
