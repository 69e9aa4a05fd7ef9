package io.tribune.client.recipes;

import io.tribune.client.TribuneException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers the recipes share. */
final class Recipes {
    private Recipes() {
    }

    /** Waits for a call, rethrowing its failure as a {@link TribuneException}. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (ExecutionException | CompletionException e) {
            throw TribuneException.of(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the agent", e);
        }
    }
}
