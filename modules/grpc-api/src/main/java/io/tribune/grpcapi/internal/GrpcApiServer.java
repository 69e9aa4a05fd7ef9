package io.tribune.grpcapi.internal;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.tribune.agent.AgentContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Netty gRPC server of the API, with its own event-loop groups and call executor (so stopping
 * it leaves no thread behind, which matters when the host is updated inside OSGi), every
 * {@code tribune.v1} service, server reflection ({@code grpc.reflection.v1}), and bounded sizes: inbound message and metadata size, concurrent
 * calls per connection, open watches.
 */
public final class GrpcApiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GrpcApiServer.class.getName());
    /** Most open watch streams per agent. */
    public static final int MAX_WATCHES = 4096;
    /** Most concurrent calls (including watches) on one client connection. */
    public static final int MAX_CALLS_PER_CONNECTION = 1024;
    /** Largest inbound metadata (headers), in bytes. */
    public static final int MAX_METADATA_BYTES = 16 * 1024;
    /** Largest message a watch sends: gRPC's default inbound limit of clients, 4 MiB. */
    public static final int MAX_WATCH_MESSAGE_BYTES = 4 * 1024 * 1024;
    /** Call executor threads. */
    static final int EXECUTOR_THREADS = 4;
    /** Netty I/O threads. */
    static final int IO_THREADS = 2;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService executor;
    private final Watches watches;
    private final Server server;
    private final InetSocketAddress bindAddress;

    /**
     * A server over {@code agent}'s request layer on {@code host:port} (port 0 picks a free one),
     * refusing inbound messages larger than {@code maxInboundBytes}. Nothing listens until {@link #start()}.
     */
    public GrpcApiServer(AgentContext agent, String host, int port, int maxInboundBytes) {
        this.bindAddress = new InetSocketAddress(host, port);
        this.boss = new MultiThreadIoEventLoopGroup(1, threads("tribune-grpc-api-boss"), NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(IO_THREADS, threads("tribune-grpc-api-io"),
                NioIoHandler.newFactory());
        this.executor = Executors.newFixedThreadPool(EXECUTOR_THREADS, threads("tribune-grpc-api"));
        Backend backend = new Backend(agent.requests(), executor);
        this.watches = new Watches(backend, agent.scheduler(), MAX_WATCHES, MAX_WATCH_MESSAGE_BYTES);
        this.server = NettyServerBuilder.forAddress(bindAddress)
                .channelType(NioServerSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .executor(executor)
                .maxInboundMessageSize(maxInboundBytes)
                .maxInboundMetadataSize(MAX_METADATA_BYTES)
                .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                .addService(new KvService(backend, watches))
                .addService(new TxnService(backend))
                .addService(new CatalogService(backend))
                .addService(new HealthService(backend, watches))
                .addService(new SessionService(backend))
                .addService(new EventService(backend))
                .addService(new AgentInfoService(backend))
                .addService(new StatusService(backend))
                .addService(new AgentLocalService(backend, agent.config().nodeName(),
                        agent.config().enableScriptChecks()))
                // Server reflection (grpc.reflection.v1), so grpcurl and other generic clients can list
                // the services and fetch their descriptors without the .proto files.
                .addService(ProtoReflectionServiceV1.newInstance())
                // Writes name another datacenter in their metadata (reads in ReadOptions).
                .intercept(new DatacenterHeader())
                // ACL token from the call's metadata, for every service.
                .intercept(new CallToken())
                .build();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Binds and starts serving; returns the bound address.
     *
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public InetSocketAddress start() {
        try {
            server.start();
        } catch (IOException e) {
            close();
            throw new IllegalStateException("cannot serve the gRPC API on " + bindAddress + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) server.getListenSockets().get(0);
        LOG.log(System.Logger.Level.INFO, "gRPC API on {0}", bound);
        return bound;
    }

    /** Open watch streams (for metrics and tests). */
    public int openWatches() {
        return watches.size();
    }

    /** Ends the watches, stops the server and waits (bounded) for its threads. Idempotent. */
    @Override
    public void close() {
        watches.closeAll();
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
