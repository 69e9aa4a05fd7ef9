package io.tribune.testkit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Assertions on futures, for tests that drive a scheduler themselves and look at the outcome. */
public final class Futures {
    private Futures() {
    }

    /**
     * The failure of a future that has already failed: the exception it was completed with, without
     * the {@link CompletionException} a dependent stage wraps it in. Never waits.
     *
     * @throws AssertionError if {@code f} is not (yet) completed exceptionally
     */
    public static Throwable causeOf(CompletableFuture<?> f) {
        if (!f.isCompletedExceptionally()) {
            throw new AssertionError("the future should have failed: " + f);
        }
        Throwable t = f.handle((v, e) -> e).join();
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
