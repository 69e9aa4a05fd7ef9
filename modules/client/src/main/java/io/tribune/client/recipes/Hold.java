package io.tribune.client.recipes;

import io.tribune.client.WatchHandle;

/**
 * One hold of a {@link Lock} or {@link Semaphore}: its session and the watch that guards it. The
 * guard is attached after the hold exists (so a loss it reports at once finds the hold), and may
 * end before it is attached; {@link #end()} then closes it as soon as it arrives. Thread-safe.
 */
final class Hold {
    final long generation;
    final RecipeSession session;
    private WatchHandle guard;
    private boolean ended;

    Hold(long generation, RecipeSession session) {
        this.generation = generation;
        this.session = session;
    }

    /** Attaches the guard; closes it at once when the hold already ended. */
    void guard(WatchHandle g) {
        boolean close;
        synchronized (this) {
            guard = g;
            close = ended;
        }
        if (close) {
            g.close();
        }
    }

    /** Stops the guard (now, or when it is attached). Idempotent. */
    void end() {
        WatchHandle g;
        synchronized (this) {
            ended = true;
            g = guard;
        }
        if (g != null) {
            g.close();
        }
    }
}
