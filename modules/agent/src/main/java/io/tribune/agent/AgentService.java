package io.tribune.agent;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * An optional part of the agent that lives in its own module (the gRPC API, the DNS server, ...),
 * found with {@link java.util.ServiceLoader} in the host's layer ({@code provides
 * io.tribune.agent.AgentService with ...}) or on the class path ({@code META-INF/services}).
 *
 * <p>The agent calls {@link #start} once, after its plugins and the HTTP API are up, on the
 * start-up thread, and {@link #close} once at shutdown, before the plugins close. A service that
 * fails to start stops the agent's start with its exception.
 */
public interface AgentService extends AutoCloseable {

    /** A short name for logs, e.g. {@code grpc-api}. */
    String name();

    /** Starts serving with the agent's components. */
    void start(Agent agent);

    /**
     * Where the service listens once started (with the actual port when 0 was configured); empty
     * when it does not listen, is disabled, or is closed.
     */
    default Optional<InetSocketAddress> address() {
        return Optional.empty();
    }

    /** Stops serving and releases threads and sockets; idempotent. */
    @Override
    void close();
}
