package io.tribune.agent.local;

import io.tribune.state.HealthStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An extra kind of health check that another module contributes, found with
 * {@link java.util.ServiceLoader} ({@code provides io.tribune.agent.api.CheckRunner with ...}), so
 * that a check needing a heavy library (gRPC health checks need gRPC-Java) keeps that library out
 * of the agent core. The agent accepts a definition field named {@link #field()} (e.g. {@code GRPC})
 * once a runner for it is present, and refuses it with a 400 otherwise.
 *
 * <p>Threading: {@link #validate} is called on the thread registering the check; {@link #run} on a
 * scheduler thread and must not block it (return a future). Runs of one check never overlap; runs
 * of different checks may. A runner is shared by every check of its kind.
 */
public interface CheckRunner {
    /**
     * The definition field holding the target, matched without regard to case (e.g. {@code GRPC});
     * also, lower-cased, the check's {@code Type}.
     */
    String field();

    /** Further definition fields the runner reads (e.g. {@code GRPCUseTLS}), matched without regard to case. */
    default Set<String> optionFields() {
        return Set.of();
    }

    /**
     * Checks a definition before anything is registered.
     *
     * @param target  the value of {@link #field()}
     * @param options the {@link #optionFields()} present, by their names as returned there, as strings
     * @throws IllegalArgumentException with a message for the user when the target or an option is malformed
     */
    void validate(String target, Map<String, String> options);

    /**
     * Runs the check once. The future should complete within {@code timeout} (the agent also
     * turns a later answer into a critical timeout result) and should not fail: a failure is the
     * critical result of a check, with the reason as output.
     */
    CompletableFuture<Result> run(String target, Map<String, String> options, Duration timeout);

    /**
     * The outcome of one run.
     *
     * @param status passing, warning or critical
     * @param output text for the check's Output (the agent truncates it to 4 KiB)
     */
    record Result(HealthStatus status, String output) {
        public Result {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(output, "output");
        }
    }
}
