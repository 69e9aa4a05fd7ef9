package io.tribune.client.recipes;

import io.tribune.api.grpc.v1.Consistency;
import io.tribune.api.grpc.v1.KvEntry;
import io.tribune.api.grpc.v1.KvGetRequest;
import io.tribune.api.grpc.v1.KvGetResponse;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.api.grpc.v1.KvWatchRequest;
import io.tribune.api.grpc.v1.ReadOptions;
import io.tribune.client.TribuneException;
import io.tribune.client.WatchHandle;
import io.tribune.client.WatchListener;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Leader election on one KV key (Consul's application leader election): candidates
 * {@link #campaign} for the key's {@link Lock}; the holder is the leader and its value (e.g. its
 * address) is what everyone {@link #leader() reads} or {@link #observe observes}; the leader
 * {@link #resign()}s by releasing, or loses leadership with its session, and another candidate takes
 * over.
 *
 * <pre>{@code
 * LeaderElection e = new LeaderElection(new Lock(client, "service/web/leader", myAddress,
 *         RecipeOptions.defaults().withOnLost(reason -> stepDown())));
 * e.observe(leader -> log.info("leader: {}", leader.map(l -> l.getValue().toStringUtf8()).orElse("none")));
 * if (e.campaign(Duration.ofMinutes(1))) { lead(); }
 * }</pre>
 *
 * <p>Thread-safety and failure contracts are the {@link Lock}'s: one campaign at a time;
 * {@link #isLeader()}, {@link #resign()}, {@link #close()} from any thread; loss of leadership is
 * told once through the lock's {@link LostListener}.
 */
public final class LeaderElection implements AutoCloseable {
    private final Lock lock;

    /** An election over {@code lock}: its key is the election's, its value the candidate's. */
    public LeaderElection(Lock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /**
     * Campaigns until elected or {@code timeout} passes.
     *
     * @return true when this candidate is the leader
     * @see Lock#acquire(Duration)
     */
    public boolean campaign(Duration timeout) throws InterruptedException {
        return lock.acquire(timeout);
    }

    /** Whether this candidate leads (as far as it knows). */
    public boolean isLeader() {
        return lock.isHeld();
    }

    /**
     * The current leader's entry (its value and session), read from the servers' leader; empty when
     * nobody leads.
     *
     * @throws TribuneException when the read fails
     */
    public Optional<KvEntry> leader() {
        KvGetResponse r = Recipes.await(lock.client().kv().getAsync(KvGetRequest.newBuilder().setKey(lock.key())
                .setRead(ReadOptions.newBuilder().setConsistency(Consistency.CONSISTENCY_DEFAULT)).build()));
        return r.getFound() ? held(r.getEntry()) : Optional.empty();
    }

    private static Optional<KvEntry> held(KvEntry e) {
        return e.getSession().isEmpty() ? Optional.empty() : Optional.of(e);
    }

    /**
     * Tells {@code listener} the current leader, then the leader after each change of the key
     * (a new leader, or none after a resignation or loss), on a gRPC thread, calls never overlapping;
     * consecutive equal answers may repeat. Close the handle to stop. A failed watch ends the calls
     * (see {@link WatchListener#onError}); observe again to resume.
     */
    public WatchHandle observe(Consumer<Optional<KvEntry>> listener) {
        Objects.requireNonNull(listener, "listener");
        KvWatchRequest req = KvWatchRequest.newBuilder().setKey(lock.key())
                .setRead(ReadOptions.newBuilder().setConsistency(Consistency.CONSISTENCY_DEFAULT)).build();
        return lock.client().kv().watch(req, new WatchListener<KvWatchEvent>() {
            @Override
            public void onNext(KvWatchEvent ev) {
                listener.accept(ev.getEntriesCount() == 0 ? Optional.empty() : held(ev.getEntries(0)));
            }
        });
    }

    /** Gives up leadership, if held; another candidate may then be elected. False when not leading. */
    public boolean resign() {
        return lock.release();
    }

    /** Resigns if leading. */
    @Override
    public void close() {
        lock.close();
    }
}
