package io.tribune.client.recipes;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How a {@link Lock}, {@link LeaderElection} or {@link Semaphore} holds its keys: the session it
 * uses and how it waits. Immutable; each {@code with...} method returns a copy.
 *
 * <p>By default a recipe creates a session for each hold (TTL {@value #DEFAULT_TTL_SECONDS} s,
 * lock-delay {@value #DEFAULT_LOCK_DELAY_SECONDS} s, release behaviour: Consul's defaults for its
 * lock and semaphore), renews it at TTL/2 on a shared daemon scheduler, and destroys it when the hold
 * ends. With {@link #withSession(String)} it uses the caller's session instead and neither renews nor
 * destroys it.
 */
public final class RecipeOptions {
    /** Default session TTL, seconds: Consul's lock and semaphore sessions. */
    public static final int DEFAULT_TTL_SECONDS = 15;
    /** Default lock-delay, seconds: Consul's session default. */
    public static final int DEFAULT_LOCK_DELAY_SECONDS = 15;
    /** Default pause before trying again when a free key could not be taken (a lock-delay runs), seconds. */
    public static final int DEFAULT_RETRY_SECONDS = 5;

    private static final class SharedScheduler {
        // One daemon thread serves every keep-alive of the process: it only starts asynchronous renewals.
        static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tribune-recipes-keepalive");
            t.setDaemon(true);
            return t;
        });
    }

    private final Optional<String> session;
    private final String sessionName;
    private final Duration sessionTtl;
    private final Duration lockDelay;
    private final Duration retryInterval;
    private final ScheduledExecutorService scheduler;
    private final LostListener onLost;

    private RecipeOptions(Optional<String> session, String sessionName, Duration sessionTtl, Duration lockDelay,
                          Duration retryInterval, ScheduledExecutorService scheduler, LostListener onLost) {
        this.session = session;
        this.sessionName = sessionName;
        this.sessionTtl = sessionTtl;
        this.lockDelay = lockDelay;
        this.retryInterval = retryInterval;
        this.scheduler = scheduler;
        this.onLost = onLost;
    }

    /** The defaults described above, with a listener that ignores losses. */
    public static RecipeOptions defaults() {
        return new RecipeOptions(Optional.empty(), "Tribune recipe", Duration.ofSeconds(DEFAULT_TTL_SECONDS),
                Duration.ofSeconds(DEFAULT_LOCK_DELAY_SECONDS), Duration.ofSeconds(DEFAULT_RETRY_SECONDS), null,
                reason -> { });
    }

    /** Uses the caller's session (a UUID), which the recipe neither renews nor destroys. */
    public RecipeOptions withSession(String sessionId) {
        return new RecipeOptions(Optional.of(Objects.requireNonNull(sessionId, "sessionId")), sessionName, sessionTtl,
                lockDelay, retryInterval, scheduler, onLost);
    }

    /** The name of the sessions the recipe creates. */
    public RecipeOptions withSessionName(String name) {
        return new RecipeOptions(session, Objects.requireNonNull(name, "name"), sessionTtl, lockDelay, retryInterval,
                scheduler, onLost);
    }

    /**
     * The TTL of the sessions the recipe creates: 10 s .. 24 h; after a crash of the holder its keys
     * are freed within about this long (plus the lock-delay).
     *
     * @throws IllegalArgumentException outside 10 s .. 24 h
     */
    public RecipeOptions withSessionTtl(Duration ttl) {
        if (ttl.compareTo(Duration.ofSeconds(10)) < 0 || ttl.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("session TTL must be 10 s .. 24 h, was " + ttl);
        }
        return new RecipeOptions(session, sessionName, ttl, lockDelay, retryInterval, scheduler, onLost);
    }

    /**
     * The lock-delay of the sessions the recipe creates (0 .. 60 s): after such a session is
     * invalidated, its keys cannot be taken for this long, so a holder that lost its session has time
     * to notice before another takes over. 0 hands over at once.
     *
     * @throws IllegalArgumentException outside 0 .. 60 s
     */
    public RecipeOptions withLockDelay(Duration delay) {
        if (delay.isNegative() || delay.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("lock delay must be 0 .. 60 s, was " + delay);
        }
        return new RecipeOptions(session, sessionName, sessionTtl, delay, retryInterval, scheduler, onLost);
    }

    /**
     * How long to wait before trying a free key again after it could not be taken (a lock-delay
     * runs); changes of the key end the wait earlier.
     *
     * @throws IllegalArgumentException when not positive
     */
    public RecipeOptions withRetryInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("retry interval must be positive, was " + interval);
        }
        return new RecipeOptions(session, sessionName, sessionTtl, lockDelay, interval, scheduler, onLost);
    }

    /** The scheduler that renews created sessions (default: one shared daemon thread). */
    public RecipeOptions withScheduler(ScheduledExecutorService scheduler) {
        return new RecipeOptions(session, sessionName, sessionTtl, lockDelay, retryInterval,
                Objects.requireNonNull(scheduler, "scheduler"), onLost);
    }

    /** Told when a hold is lost without {@code release} (see {@link LostListener}). */
    public RecipeOptions withOnLost(LostListener listener) {
        return new RecipeOptions(session, sessionName, sessionTtl, lockDelay, retryInterval, scheduler,
                Objects.requireNonNull(listener, "listener"));
    }

    /** The caller's session, if one was given. */
    public Optional<String> session() {
        return session;
    }

    /** The session TTL. */
    public Duration sessionTtl() {
        return sessionTtl;
    }

    /** The lock-delay. */
    public Duration lockDelay() {
        return lockDelay;
    }

    /** The retry interval. */
    public Duration retryInterval() {
        return retryInterval;
    }

    LostListener onLost() {
        return onLost;
    }

    RecipeSession.Options sessionOptions() {
        return new RecipeSession.Options(session, sessionName, sessionTtl, lockDelay,
                scheduler != null ? scheduler : SharedScheduler.INSTANCE);
    }
}
