package io.tribune.agent.server;

import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.api.consensus.Consensus;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.StateStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Duties of the server that is leader, run from the agent's scheduler:
 * <ul>
 *   <li>invalidating sessions whose TTL ran out (Consul's semantics: a TTL session is destroyed
 *       once TTL x 2 passed since its last renewal, {@link io.tribune.state.Session#expiresAtMillis()});</li>
 *   <li>reaping KV tombstones older than {@link #TOMBSTONE_TTL} (Consul's {@code tombstone_ttl}),
 *       so deleted keys do not accumulate forever while blocking queries on them still see
 *       their delete index for that long.</li>
 * </ul>
 * Only the leader proposes, so followers never race it; a leader change simply moves the duty.
 */
public final class LeaderDuties {
    private static final System.Logger LOG = System.getLogger(LeaderDuties.class.getName());
    /** How often the leader looks for expired sessions; Consul arms per-session timers, one sweep a second is as timely. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

    /** How long a KV tombstone is kept before the leader reaps it: 15 minutes, Consul's default. */
    static final Duration TOMBSTONE_TTL = Duration.ofMinutes(15);

    private final Consensus consensus;
    private final StateStore state;
    private final LongSupplier wallMillis;
    private final LongSupplier monotonicMillis;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** (monotonic millis, applied index) taken each sweep; at most TTL / interval + 1 entries. */
    private final ArrayDeque<long[]> indexSamples = new ArrayDeque<>();
    private volatile boolean reaping;
    private Cancellable task;

    public LeaderDuties(Consensus consensus, StateStore state, LongSupplier wallMillis, LongSupplier monotonicMillis) {
        this.consensus = consensus;
        this.state = state;
        this.wallMillis = wallMillis;
        this.monotonicMillis = monotonicMillis;
    }

    /** Starts the periodic sweep on {@code scheduler}. */
    public synchronized void start(Scheduler scheduler) {
        if (task == null) {
            task = scheduler.scheduleWithFixedDelay(SWEEP_INTERVAL, SWEEP_INTERVAL, this::sweep);
        }
    }

    public synchronized void stop() {
        if (task != null) {
            task.cancel();
            task = null;
        }
    }

    private void sweep() {
        sweep(wallMillis.getAsLong());
        reapTombstones(monotonicMillis.getAsLong());
    }

    /**
     * Records the applied index at {@code nowMonotonicMillis} and, when leader, proposes reaping
     * the tombstones written at or before the newest index recorded at least
     * {@link #TOMBSTONE_TTL} ago.
     *
     * @return the number of tombstones reaped (0 when nothing was proposed)
     */
    synchronized CompletableFuture<Long> reapTombstones(long nowMonotonicMillis) {
        if (!consensus.isLeader()) {
            // Samples taken under another leader's log may be behind; start afresh when leader again.
            indexSamples.clear();
            return CompletableFuture.completedFuture(0L);
        }
        indexSamples.addLast(new long[] {nowMonotonicMillis, consensus.appliedIndex()});
        long cutoff = nowMonotonicMillis - TOMBSTONE_TTL.toMillis();
        long upTo = 0;
        while (!indexSamples.isEmpty() && indexSamples.peekFirst()[0] <= cutoff) {
            upTo = indexSamples.pollFirst()[1];
        }
        if (upTo == 0 || reaping || state.kvTombstoneCount() == 0) {
            return CompletableFuture.completedFuture(0L);
        }
        reaping = true;
        long index = upTo;
        return consensus.apply(new Command.TombstoneReap(index, wallMillis.getAsLong()).encode(), io.tribune.agent.rpc.internal.Router.APPLY_TIMEOUT)
                .handle((a, e) -> {
                    reaping = false;
                    if (e != null) {
                        LOG.log(System.Logger.Level.WARNING, "reaping KV tombstones up to " + index + " failed: " + e);
                        return 0L;
                    }
                    CommandResult r = CommandResult.decode(a.result());
                    return r instanceof CommandResult.Count c ? c.value() : 0L;
                });
    }

    /**
     * One sweep at {@code nowMillis}: when leader, proposes the destruction of every expired TTL
     * session not already being destroyed. Completes when those proposals are done.
     *
     * @return the number of sessions proposed for invalidation
     */
    CompletableFuture<Integer> sweep(long nowMillis) {
        if (!consensus.isLeader()) {
            return CompletableFuture.completedFuture(0);
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (Command c : state.expiredSessionInvalidations(nowMillis)) {
            String id = ((Command.SessionDestroy) c).id();
            if (!inFlight.add(id)) {
                continue;
            }
            pending.add(consensus.apply(c.encode(), io.tribune.agent.rpc.internal.Router.APPLY_TIMEOUT).whenComplete((a, e) -> {
                inFlight.remove(id);
                if (e != null) {
                    LOG.log(System.Logger.Level.WARNING, "invalidating expired session " + id + " failed: " + e);
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "invalidated expired session " + id);
                }
            }));
        }
        int n = pending.size();
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).handle((x, e) -> n);
    }
}
