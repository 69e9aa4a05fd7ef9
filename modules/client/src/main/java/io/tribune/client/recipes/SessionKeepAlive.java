package io.tribune.client.recipes;

import io.grpc.Status;
import io.tribune.client.Sessions;
import io.tribune.client.TribuneException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a TTL session alive: renews it every {@code ttl / 2} on a caller's scheduler and reports,
 * once, when the session is lost.
 *
 * <p>The session counts as lost when a renewal answers {@code NOT_FOUND} (it was destroyed, expired,
 * or invalidated by a failing check), or when no renewal has succeeded for a whole TTL (the servers
 * may have expired it meanwhile: an agent that cannot be reached cannot renew). Other failed
 * renewals ({@code UNAVAILABLE}, a timeout) are retried at the next period. After a loss, nothing is
 * renewed any more; the listener is called exactly once, on the scheduler's thread.
 *
 * <p>Renewals are asynchronous: the scheduler's thread only starts them, so one scheduler serves many
 * keep-alives. Thread-safe; {@link #close()} stops renewing (it does not destroy the session) and
 * may be called from any thread, also from the listener.
 */
public final class SessionKeepAlive implements AutoCloseable {
    /** Told once when the session is lost. */
    @FunctionalInterface
    public interface Listener {
        /**
         * The session is gone or could not be renewed for a whole TTL. Runs on the scheduler's
         * thread; should return quickly.
         *
         * @param sessionId the session
         * @param cause     the failure of the last renewal ({@code NOT_FOUND} for a session that no
         *                  longer exists)
         */
        void onLost(String sessionId, TribuneException cause);
    }

    private final Sessions sessions;
    private final String sessionId;
    private final long ttlNanos;
    private final Listener listener;
    private final AtomicBoolean lost = new AtomicBoolean();
    private final AtomicLong renewals = new AtomicLong();
    private volatile long lastSuccessNanos;
    private volatile boolean closed;
    private final ScheduledFuture<?> task;

    private SessionKeepAlive(Sessions sessions, String sessionId, Duration ttl, Duration period,
                             ScheduledExecutorService scheduler, Listener listener) {
        this.sessions = sessions;
        this.sessionId = sessionId;
        this.ttlNanos = ttl.toNanos();
        this.listener = listener;
        this.lastSuccessNanos = System.nanoTime();
        this.task = scheduler.scheduleAtFixedRate(this::renew, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Starts renewing {@code sessionId}, whose TTL is {@code ttl}, every {@code ttl / 2}: the rule
     * of Consul's clients, which leaves half a TTL for a renewal to arrive.
     *
     * @throws IllegalArgumentException when {@code ttl} is not positive
     */
    public static SessionKeepAlive start(Sessions sessions, String sessionId, Duration ttl,
                                         ScheduledExecutorService scheduler, Listener listener) {
        return start(sessions, sessionId, ttl, positive(ttl, "ttl").dividedBy(2), scheduler, listener);
    }

    /**
     * Starts renewing {@code sessionId} every {@code period}, which must be shorter than {@code ttl}
     * (tests use short periods to see renewals without waiting for half a TTL).
     *
     * @throws IllegalArgumentException when a duration is not positive or {@code period >= ttl}
     */
    public static SessionKeepAlive start(Sessions sessions, String sessionId, Duration ttl, Duration period,
                                         ScheduledExecutorService scheduler, Listener listener) {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(listener, "listener");
        if (positive(period, "period").compareTo(positive(ttl, "ttl")) >= 0) {
            throw new IllegalArgumentException("the renewal period (" + period + ") must be shorter than the TTL ("
                    + ttl + ")");
        }
        return new SessionKeepAlive(sessions, sessionId, ttl, period, scheduler, listener);
    }

    private static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }

    private void renew() {
        if (closed || lost.get()) {
            return;
        }
        sessions.renewAsync(sessionId).whenComplete((s, t) -> {
            if (t == null) {
                lastSuccessNanos = System.nanoTime();
                renewals.incrementAndGet();
                return;
            }
            TribuneException e = TribuneException.of(t instanceof java.util.concurrent.CompletionException
                    && t.getCause() != null ? t.getCause() : t);
            if (e.code() == Status.Code.NOT_FOUND || System.nanoTime() - lastSuccessNanos >= ttlNanos) {
                lose(e);
            }
            // Otherwise a passing failure (agent restarting, leader election): the next period retries.
        });
    }

    private void lose(TribuneException cause) {
        if (closed || !lost.compareAndSet(false, true)) {
            return;
        }
        task.cancel(false);
        listener.onLost(sessionId, cause);
    }

    /** The session kept alive. */
    public String sessionId() {
        return sessionId;
    }

    /** Whether the session was lost (the listener has been or is being told). */
    public boolean isLost() {
        return lost.get();
    }

    /** How many renewals succeeded so far. */
    public long renewals() {
        return renewals.get();
    }

    /** Stops renewing; the session itself stays until it expires or is destroyed. Idempotent. */
    @Override
    public void close() {
        closed = true;
        task.cancel(false);
    }
}
