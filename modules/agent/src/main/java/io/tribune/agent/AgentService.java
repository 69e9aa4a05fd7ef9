package io.tribune.agent;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * An optional part of the agent that lives in its own module (the HTTP API, the gRPC API, the DNS
 * server, ...), found with {@link java.util.ServiceLoader} in the host's layer ({@code provides
 * io.tribune.agent.AgentService with ...}) or on the class path ({@code META-INF/services}).
 *
 * <p>The agent calls {@link #start} once, after its plugins and duties are up, on the start-up
 * thread, in ascending {@link #order()}, and {@link #close} once at shutdown, in reverse, before
 * the plugins close. A service that fails to start stops the agent's start with its exception.
 */
public interface AgentService extends AutoCloseable {

    /** A short name for logs and {@link AgentContext#serviceAddress}, e.g. {@code grpc-api}. */
    String name();

    /**
     * Where it starts among the optional parts: lower first. The HTTP API starts last (Consul opens its
     * HTTP listener last: once it answers, the other interfaces listen too, so scripts and tests can
     * wait for HTTP).
     */
    default int order() {
        return 0;
    }

    /** Starts serving with what the agent offers. */
    void start(AgentContext agent);

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
