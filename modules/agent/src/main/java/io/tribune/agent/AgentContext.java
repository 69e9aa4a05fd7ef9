package io.tribune.agent;

import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.rpc.Requests;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * What an optional part of the agent ({@link AgentService}: the HTTP API, the gRPC API, DNS) gets
 * from it: the configuration, the request layer it translates its wire format into, and the
 * platform's time and threads. Nothing else: a front end never reaches consensus, the state store
 * or the transport directly, so forwarding, consistency and authorization stay in one place.
 *
 * <p>Thread-safe.
 */
public interface AgentContext {

    /** The agent's configuration. */
    AgentConfig config();

    /** The request layer: every operation a front end serves goes through it. */
    Requests requests();

    /** The platform clock. */
    Clock clock();

    /** The platform scheduler (timers, short tasks; never block in them). */
    Scheduler scheduler();

    /** Threads for work that may take a while (encoding a large answer). */
    Executor workers();

    /** A new random generator for the caller's exclusive use, derived from the agent's seed. */
    RandomGenerator random(String purpose);

    /** Registers {@code c} to be closed when the agent shuts down, before the parts started earlier. */
    void closeOnShutdown(AutoCloseable c);

    /**
     * Where another optional part ({@link AgentService#name()}) listens: empty when it is not
     * installed, disabled, or not started yet.
     */
    Optional<InetSocketAddress> serviceAddress(String name);

    /**
     * The agent's metrics, for a front end's own figures (the HTTP API's request timers). Thread-safe;
     * recording is lock-free. The default records into a registry nobody serves.
     */
    default io.tribune.agent.platform.AgentMetrics metrics() {
        return io.tribune.agent.platform.AgentMetrics.detached();
    }
}
