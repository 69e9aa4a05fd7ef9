package io.tribune.agent.platform;

import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.platform.SystemPlatform;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an agent runs on, handed in from outside: time, scheduling, randomness and the threads that
 * build answers. In production it is {@link #system()}; a simulation hands every agent the same
 * virtual clock and single-threaded scheduler and a seed of its own ({@link #of}), so a whole cluster
 * of agents runs deterministically on one thread.
 *
 * <p>The agent draws every random choice (its plugins' generators, request ids, server shuffles,
 * jitter) from {@link #seed()}: nothing in the agent reads the wall clock, sleeps or uses an unseeded
 * random source directly.
 */
public interface AgentPlatform extends AutoCloseable {

    /** The clock of everything the agent and its plugins time. */
    Clock clock();

    /** The scheduler every timer and asynchronous task of the agent and its plugins runs on. */
    Scheduler scheduler();

    /** The root of every random generator of the agent and its plugins. */
    long seed();

    /**
     * Where work that follows a consensus or watch completion runs (building read answers, waking
     * blocked queries), so that it does not occupy the consensus plugin's thread.
     */
    Executor workers();

    /** Stops what the platform owns (threads); a platform made of parts owns nothing. Idempotent. */
    @Override
    void close();

    /**
     * The production platform: {@link SystemPlatform} with four scheduler threads, two worker threads
     * (daemons named {@code tribune-watch-N}), and a seed from {@link SecureRandom}.
     */
    static AgentPlatform system() {
        SystemPlatform sp = new SystemPlatform(4);
        AtomicInteger n = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "tribune-watch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        long seed = new SecureRandom().nextLong();
        return new Parts(sp, sp, seed, workers, () -> {
            workers.shutdownNow();
            try {
                workers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sp.close();
        });
    }

    /**
     * A platform made of given parts, for simulations and embedding: {@link #close()} closes nothing
     * (the caller owns the parts).
     *
     * @param workers where answers are built; a simulation passes its scheduler
     */
    static AgentPlatform of(Clock clock, Scheduler scheduler, long seed, Executor workers) {
        return new Parts(clock, scheduler, seed, workers, () -> { });
    }

    /** A platform of given parts; {@code onClose} runs at {@link #close()}. */
    record Parts(Clock clock, Scheduler scheduler, long seed, Executor workers, Runnable onClose)
            implements AgentPlatform {
        public Parts {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(workers, "workers");
            Objects.requireNonNull(onClose, "onClose");
        }

        @Override
        public void close() {
            onClose.run();
        }
    }
}
