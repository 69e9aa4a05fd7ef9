package io.tribune.agent.observe;

import io.tribune.agent.rpc.Observe;
import io.tribune.agent.rpc.internal.Handlers;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The handlers of {@link Observe}'s operations on the local agent. Host facts are read on the
 * agent's workers (a few small files).
 */
public final class ObserveEndpoints {
    private ObserveEndpoints() {
    }

    /**
     * Registers the handlers.
     *
     * @param dataDir       the agent's data directory, whose disk {@code /v1/agent/host} describes
     * @param wallNanos     wall-clock nanoseconds since the epoch
     * @param workers       where host facts are read (file reads stay off the caller's thread)
     */
    public static void register(Handlers h, Path dataDir, LongSupplier wallNanos, Executor workers) {
        // Authorization happened in the request layer; granting the stream is all that is left.
        h.local(Observe.Monitor.class, (o, opt) -> CompletableFuture.completedFuture(true));
        h.local(Observe.Host.class, (o, opt) -> CompletableFuture.supplyAsync(
                () -> HostFacts.collect(dataDir, wallNanos.getAsLong()), workers));
    }
}
