package io.tribune.agent.cluster;

import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.api.membership.Membership;
import java.time.Duration;
import java.util.List;

/**
 * Consul's {@code retry_join}: tries to join the given addresses every {@code interval} until one
 * attempt reaches at least one of them, or {@code max} attempts have failed ({@code max = 0}: forever).
 */
public final class RetryJoin implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RetryJoin.class.getName());
    private final Membership membership;
    private final List<String> addresses;
    private final Duration interval;
    private final int max;
    private final Scheduler scheduler;
    private final String pool;
    private int attempts;
    private Cancellable next;
    private boolean closed;

    public RetryJoin(Membership membership, List<String> addresses, Duration interval, int max, Scheduler scheduler,
                     String pool) {
        this.membership = membership;
        this.addresses = List.copyOf(addresses);
        this.interval = interval;
        this.max = max;
        this.scheduler = scheduler;
        this.pool = pool;
    }

    /** Makes the first attempt now (asynchronously). */
    public synchronized void start() {
        if (!addresses.isEmpty()) {
            next = scheduler.schedule(Duration.ZERO, this::attempt);
        }
    }

    private void attempt() {
        synchronized (this) {
            if (closed) {
                return;
            }
            attempts++;
        }
        membership.join(addresses).whenComplete((n, e) -> {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (e == null && n != null && n > 0) {
                    LOG.log(System.Logger.Level.INFO, "joined the {0} pool through {1} of {2}", pool, n, addresses);
                    return;
                }
                if (max > 0 && attempts >= max) {
                    LOG.log(System.Logger.Level.ERROR, "could not join the {0} pool through {1} after {2} attempts; "
                            + "giving up", pool, addresses, attempts);
                    return;
                }
                LOG.log(attempts == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                        "join of the {0} pool through {1} failed (attempt {2}), retrying in {3}: {4}", pool, addresses,
                        attempts, interval, e == null ? "no address answered" : e.getMessage());
                next = scheduler.schedule(interval, this::attempt);
            }
        });
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel();
        }
    }
}
