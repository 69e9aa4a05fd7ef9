package io.tribune.grpcapi;

import io.tribune.agent.Agent;
import io.tribune.agent.AgentContext;
import io.tribune.agent.AgentService;
import io.tribune.grpcapi.internal.GrpcApiServer;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Serves Tribune's native gRPC API ({@code tribune.v1}) on the agent's gRPC port
 * ({@code ports.grpc}, 8502 by default, negative disables it; 0 picks a free port), bound to the
 * agent's client address. Found by the agent with {@link java.util.ServiceLoader} as an
 * {@link AgentService}; started after the HTTP API and closed before the plugins.
 *
 * <p>A thin front end over the agent's request layer: every call becomes one of its operations, so
 * any agent answers it, client or server, in every consistency mode, with blocking reads and watches
 * (blocking queries), forwarded as HTTP requests are.
 */
public final class GrpcApiService implements AgentService {
    private volatile InetSocketAddress bound;

    private AgentContext agent;
    private GrpcApiServer server;

    /** Created by {@link java.util.ServiceLoader}. */
    public GrpcApiService() {
    }

    /**
     * Where the gRPC API of {@code agent} listens: empty when it is disabled, not started yet, or
     * closed. Lets an embedding program (and tests) that configured port 0 find the bound port.
     */
    public static Optional<InetSocketAddress> address(Agent agent) {
        return agent.serviceAddress("grpc-api");
    }

    @Override
    public Optional<InetSocketAddress> address() {
        return Optional.ofNullable(bound);
    }

    @Override
    public String name() {
        return "grpc-api";
    }

    /**
     * Binds and serves.
     *
     * @throws IllegalStateException when already started or the address cannot be bound
     */
    @Override
    public synchronized void start(AgentContext agent) {
        if (this.agent != null) {
            throw new IllegalStateException("the gRPC API is already started");
        }
        int port = agent.config().ports().grpc();
        if (port < 0) {
            System.getLogger(GrpcApiService.class.getName()).log(System.Logger.Level.INFO,
                    "gRPC API disabled (ports.grpc = {0})", port);
            return;
        }
        this.agent = agent;
        server = new GrpcApiServer(agent, io.tribune.agent.config.ConfigKeys.address(agent.config(), "grpc"), port,
                agent.config().limits().maxRequestBytes());
        bound = server.start();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            bound = null;
            server.close();
            server = null;
        }
    }
}
