package io.tribune.agent.cluster;

import io.tribune.agent.config.CoordinateSettings;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.rpc.NearSort;
import io.tribune.agent.rpc.Requests;
import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.NetworkCoordinate;
import io.tribune.state.Coordinate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Sends this agent's LAN coordinate to the servers every {@code coordinate_update_period} (Consul's
 * agents do the same), where the leader queues it and writes it with others in batches
 * ({@code io.tribune.agent.server.CoordinateBatcher}). Nothing is sent while the membership plugin has
 * no coordinate (before the first probe, or a plugin without coordinates), or when the coordinate has
 * not the published dimensionality; a failed send is counted and simply tried again next period.
 *
 * <p>The first send waits a random part of one period, so that agents started together do not all
 * send at once. Thread-safe: {@link #sendNow()} may run on the scheduler and on a test's thread; at
 * most one send is in flight (a period that finds one running skips).
 */
public final class CoordinateSender implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CoordinateSender.class.getName());

    private final String node;
    private final Membership membership;
    private final Requests requests;
    private final CoordinateSettings settings;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean inFlight = new java.util.concurrent.atomic.AtomicBoolean();
    private Cancellable task;

    /**
     * @param node       this agent's node name, the one its catalog entry has
     * @param membership its LAN pool
     * @param requests   the request layer, with the agent's token
     */
    public CoordinateSender(String node, Membership membership, Requests requests, CoordinateSettings settings) {
        this.node = Objects.requireNonNull(node, "node");
        this.membership = Objects.requireNonNull(membership, "membership");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Starts sending on {@code scheduler}; idempotent. */
    public synchronized void start(Scheduler scheduler, RandomGenerator random) {
        if (task == null) {
            long periodMillis = settings.updatePeriod().toMillis();
            Duration first = Duration.ofMillis(periodMillis / 2 + random.nextLong(Math.max(1, periodMillis / 2)));
            task = scheduler.scheduleWithFixedDelay(first, settings.updatePeriod(), () -> sendNow());
        }
    }

    /** Stops sending; idempotent. */
    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel();
            task = null;
        }
    }

    /** Coordinates accepted by the servers, since start. */
    public long sent() {
        return sent.get();
    }

    /** Sends that failed, since start. */
    public long failed() {
        return failed.get();
    }

    /**
     * The coordinate this agent would send now: the pool's, as a catalog coordinate of this node in
     * the default segment; empty when there is none or it is not publishable.
     */
    public Optional<Coordinate> current() {
        return membership.coordinate().filter(NetworkCoordinate::valid)
                .filter(c -> c.vec().size() == NearSort.DIMENSIONS)
                .map(c -> new Coordinate(node, "", c.vec(), c.error(), c.adjustment(), c.height()));
    }

    /**
     * Sends the current coordinate once. Completes with true when a server accepted it, false when
     * there was nothing to send, a send was already in flight, or it failed (logged at debug: the
     * cluster may be electing, the node not registered yet).
     */
    public CompletableFuture<Boolean> sendNow() {
        Optional<Coordinate> c = current();
        if (c.isEmpty() || !inFlight.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> out;
        try {
            out = requests.call(new Coordinates.Update(List.of(c.get()))).handle((r, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                    LOG.log(System.Logger.Level.DEBUG, "sending the coordinate of " + node + " failed: " + e);
                    return false;
                }
                sent.incrementAndGet();
                return true;
            });
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, "sending the coordinate of " + node + " failed: " + e);
            out = CompletableFuture.completedFuture(false);
        }
        return out.whenComplete((x, e) -> inFlight.set(false));
    }
}
