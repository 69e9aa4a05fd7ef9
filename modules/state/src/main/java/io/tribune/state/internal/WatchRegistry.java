package io.tribune.state.internal;

import io.tribune.state.Change;
import io.tribune.state.WatchTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Blocking-query waiters indexed by what they watch ({@link TargetIndex}), so a write finds the
 * waiters it affects in O(changes x distinct prefix lengths + woken waiters), not by scanning
 * every waiter. Thread-safe; every method holds one monitor for a short time and no callback
 * runs under it.
 */
public final class WatchRegistry {

    /** One registered waiter; identity-compared. */
    public static final class Waiter {
        final WatchTarget target;
        final CompletableFuture<Long> future;
        boolean registered;

        Waiter(WatchTarget target, CompletableFuture<Long> future) {
            this.target = target;
            this.future = future;
        }

        /** The future to complete. */
        public CompletableFuture<Long> future() {
            return future;
        }
    }

    private final TargetIndex<Waiter> index = new TargetIndex<>();

    /** The monitor callers hold to make check-then-register atomic with respect to waking. */
    public Object lock() {
        return this;
    }

    /** Number of registered waiters. */
    public synchronized int size() {
        return index.size();
    }

    /** Registers a waiter; callers hold {@link #lock()} across their index check and this call. */
    public synchronized Waiter add(WatchTarget target, CompletableFuture<Long> future) {
        Waiter w = new Waiter(target, future);
        index.add(target, w);
        w.registered = true;
        return w;
    }

    /** Unregisters a waiter (after a timeout or cancellation); idempotent. */
    public synchronized void remove(Waiter w) {
        if (w.registered) {
            w.registered = false;
            index.remove(w.target, w);
        }
    }

    /** Removes and returns every waiter affected by {@code changes}. */
    public synchronized List<Waiter> takeAffected(List<Change> changes) {
        List<Waiter> out = new ArrayList<>();
        if (index.size() == 0) {
            return out;
        }
        for (Change c : changes) {
            index.forEachMatch(c, w -> {
                if (w.registered) {
                    w.registered = false;
                    out.add(w);
                }
            });
        }
        for (Waiter w : out) {
            index.remove(w.target, w);
        }
        return out;
    }

    /** Removes and returns every waiter (after a restore, when anything may have changed). */
    public synchronized List<Waiter> takeAll() {
        List<Waiter> out = index.all();
        for (Waiter w : out) {
            w.registered = false;
        }
        index.clear();
        return out;
    }
}
