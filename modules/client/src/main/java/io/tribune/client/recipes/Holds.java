package io.tribune.client.recipes;

import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.client.TribuneException;
import io.tribune.client.WatchHandle;
import io.tribune.client.WatchListener;
import java.util.Optional;
import java.util.function.Function;

/**
 * The hold state a {@link Lock} or {@link Semaphore} keeps: one acquire at a time, the current hold
 * (its session and the watch that guards it), and loss reports tied to the attempt they concern (a
 * late report about an earlier hold, e.g. from its cancelled guard, cannot end a newer one).
 * Thread-safe; the listener is called outside the lock.
 */
final class Holds {
    /** One hold: its attempt, its session and its guard. */
    static final class Hold {
        final long generation;
        final RecipeSession session;
        private WatchHandle guard;
        private boolean ended;

        private Hold(long generation, RecipeSession session) {
            this.generation = generation;
            this.session = session;
        }

        /** Attaches the guard; closes it at once when the hold already ended. */
        private void guard(WatchHandle g) {
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

    private final String what;
    private final LostListener onLost;
    private final Object mu = new Object();
    private boolean acquiring;
    private long generation;
    private Hold hold;

    /** For the recipe named {@code what} in messages (e.g. "lock on 'k'"), reporting losses to {@code onLost}. */
    Holds(String what, LostListener onLost) {
        this.what = what;
        this.onLost = onLost;
    }

    /**
     * Starts an acquire attempt; returns its generation.
     *
     * @throws IllegalStateException when held or another attempt runs
     */
    long begin() {
        synchronized (mu) {
            if (hold != null || acquiring) {
                throw new IllegalStateException("the " + what + " is already held or being acquired");
            }
            acquiring = true;
            return ++generation;
        }
    }

    /** Ends the attempt (held or not). */
    void endAttempt() {
        synchronized (mu) {
            acquiring = false;
        }
    }

    /**
     * Records the hold of attempt {@code gen}, then guards it with the watch {@code watch} opens:
     * a message for which {@code lossReason} answers a reason, a failed or ended watch, lose it. The
     * hold exists before its guard starts, so a loss the guard sees at once is not missed.
     */
    void start(long gen, RecipeSession session, Function<WatchListener<KvWatchEvent>, WatchHandle> watch,
               Function<KvWatchEvent, Optional<String>> lossReason) {
        Hold h = new Hold(gen, session);
        synchronized (mu) {
            hold = h;
        }
        h.guard(watch.apply(new WatchListener<>() {
            @Override
            public void onNext(KvWatchEvent ev) {
                lossReason.apply(ev).ifPresent(r -> lost(gen, r));
            }

            @Override
            public void onError(TribuneException error) {
                lost(gen, "the watch guarding it failed: " + error.getMessage());
            }

            @Override
            public void onCompleted() {
                lost(gen, "the watch guarding it ended");
            }
        }));
    }

    /**
     * Ends the hold of attempt {@code gen}, if it is the current one: stops its guard, ends a session
     * made for it (which frees its keys if the servers still show them held) and tells the listener.
     */
    void lost(long gen, String reason) {
        Hold h;
        synchronized (mu) {
            h = hold;
            if (h == null || h.generation != gen) {
                return;
            }
            hold = null;
        }
        h.end();
        h.session.close();
        onLost.onLost(what + ": " + reason);
    }

    /** Ends the current hold for a release and returns it (its guard stopped), or null when none. */
    Hold take() {
        Hold h;
        synchronized (mu) {
            h = hold;
            hold = null;
        }
        if (h != null) {
            h.end();
        }
        return h;
    }

    boolean isHeld() {
        synchronized (mu) {
            return hold != null;
        }
    }

    Optional<String> session() {
        synchronized (mu) {
            return hold == null ? Optional.empty() : Optional.of(hold.session.id);
        }
    }
}
