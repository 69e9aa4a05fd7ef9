package io.tribune.agent.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands the agent's log lines to live watchers ({@code /v1/agent/monitor}): each watcher gets the
 * lines at or above its level logged after it started, through a bounded queue of its own. Logging
 * never waits for a watcher: when a watcher's queue is full the line is dropped for it and counted,
 * and the watcher reports the count in its stream ({@link Watcher#takeDropped()}).
 *
 * <p>{@link #process()} is the broker of the process: {@code java.util.logging} is process-wide,
 * so the handler that feeds it ({@link LogHandler}) is too. Tests create brokers of their own.
 *
 * <p>Thread-safe. {@link #publish} may be called from any thread, concurrently; it does no I/O and
 * never blocks; a watcher's wake-up runs on the publishing thread and must only hand work off.
 */
public final class LogBroker {
    /** Most watchers at once: each holds a buffer, so their number is bounded. */
    public static final int MAX_WATCHERS = 64;
    /** Largest buffer a watcher may ask for, in lines. */
    public static final int MAX_CAPACITY = 65_536;
    private static final LogBroker PROCESS = new LogBroker();
    private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> levelListeners = new CopyOnWriteArrayList<>();

    /** A broker of its own, with no watchers (tests; the agent uses {@link #process()}). */
    public LogBroker() {
    }

    /** The broker that the process's log handler feeds. */
    public static LogBroker process() {
        return PROCESS;
    }

    /**
     * Starts a watcher of lines at {@code min} or above.
     *
     * @param capacity lines buffered before further ones are dropped (1..{@value #MAX_CAPACITY})
     * @param wakeup   called (on a logging thread, at most once until the next {@link Watcher#drain}) when
     *                 lines wait; it must not block or log
     * @throws IllegalArgumentException when the capacity is out of range
     * @throws IllegalStateException when {@value #MAX_WATCHERS} watchers already run
     */
    public Watcher watch(LogLevel min, int capacity, Runnable wakeup) {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(wakeup, "wakeup");
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 1.." + MAX_CAPACITY + ", got " + capacity);
        }
        Watcher w = new Watcher(min, capacity, wakeup);
        synchronized (watchers) {
            if (watchers.size() >= MAX_WATCHERS) {
                throw new IllegalStateException("too many log monitors (at most " + MAX_WATCHERS + ")");
            }
            watchers.add(w);
        }
        levelsChanged();
        return w;
    }

    /** Offers {@code line} to every watcher whose level it meets; never blocks. */
    public void publish(LogLine line) {
        for (Watcher w : watchers) {
            w.offer(line);
        }
    }

    /** The most verbose level any watcher asks for; empty without watchers. */
    public Optional<LogLevel> mostVerbose() {
        LogLevel min = null;
        for (Watcher w : watchers) {
            if (min == null || w.min.compareTo(min) < 0) {
                min = w.min;
            }
        }
        return Optional.ofNullable(min);
    }

    /** Watchers running now. */
    public int watchers() {
        return watchers.size();
    }

    /**
     * Calls {@code listener} whenever a watcher starts or stops (so that the logging system can let
     * more verbose records through while a verbose watcher runs). Listeners run on the thread that
     * started or closed the watcher.
     */
    public void onLevelsChanged(Runnable listener) {
        levelListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void levelsChanged() {
        for (Runnable r : levelListeners) {
            r.run();
        }
    }

    /** One watcher: a bounded queue of lines, a count of lines dropped, and a wake-up. */
    public final class Watcher implements AutoCloseable {
        private final LogLevel min;
        private final ArrayBlockingQueue<LogLine> queue;
        private final Runnable wakeup;
        private final AtomicLong dropped = new AtomicLong();
        private final AtomicBoolean signalled = new AtomicBoolean();
        private final AtomicBoolean closed = new AtomicBoolean();

        private Watcher(LogLevel min, int capacity, Runnable wakeup) {
            this.min = min;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.wakeup = wakeup;
        }

        /** The level this watcher asked for. */
        public LogLevel level() {
            return min;
        }

        void offer(LogLine line) {
            if (closed.get() || !line.level().atLeast(min)) {
                return;
            }
            if (!queue.offer(line)) {
                dropped.incrementAndGet();
            }
            if (signalled.compareAndSet(false, true)) {
                wakeup.run();
            }
        }

        /**
         * Takes up to {@code max} waiting lines, oldest first. Re-arms the wake-up first, so a line
         * offered during or after the drain wakes the watcher again.
         */
        public List<LogLine> drain(int max) {
            signalled.set(false);
            List<LogLine> out = new ArrayList<>(Math.min(max, queue.size()));
            queue.drainTo(out, max);
            if (!queue.isEmpty() && signalled.compareAndSet(false, true)) {
                // More than max waited: ask to be called again rather than loop here.
                wakeup.run();
            }
            return out;
        }

        /** Lines dropped since the last call (the queue was full), and resets the count. */
        public long takeDropped() {
            return dropped.getAndSet(0);
        }

        /** Stops watching; idempotent. Lines still queued are discarded. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                watchers.remove(this);
                queue.clear();
                levelsChanged();
            }
        }
    }
}
