package io.tribune.transport.grpc.internal;

import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NegotiationType;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tribune.api.Clock;
import io.tribune.api.Metrics;
import io.tribune.api.PluginContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import io.tribune.api.transport.TransportSetup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Transport} over gRPC-Java with Netty.
 *
 * <p><b>Threads.</b> Each transport owns one boss and one worker event-loop group (NIO) and one
 * fixed executor; the server and every outgoing channel use them, and {@link #close()} shuts them
 * down and waits, so no thread outlives the transport (needed for OSGi bundle updates).
 * Handlers and future completions run on the executor; gRPC serialises the callbacks of one call.
 *
 * <p><b>Call-only.</b> With {@link TransportSetup#callOnly()} no gRPC server is ever built, so no
 * socket is bound and there is no boss group; {@link #start()} binds nothing and handler
 * registration throws. Outgoing channels, TLS and reconnect backoff are the same code as
 * for a serving transport.
 *
 * <p><b>Connections.</b> One {@link ManagedChannel} per peer endpoint, created on first use and kept
 * in an LRU map bounded by {@code max-peers}. gRPC multiplexes all calls to a peer over one
 * HTTP/2 connection, reconnects with exponential backoff (capped by
 * {@code reconnect.max-backoff}, see {@link #channel}) and closes it after {@code idle-timeout}.
 *
 * <p><b>Delivery.</b> A failure is {@linkplain TransportException#notDelivered() not delivered}
 * when the call was refused before it was handed to gRPC (closed transport, request over the
 * limit) or when gRPC closed it without ever creating a stream on a connection for it, which a
 * per-call {@link SendWitness} observes: connection refused, nothing listening, TLS handshake
 * failed, deadline passed while connecting. A call cancelled by {@link #close()} while in flight
 * stays unknown.
 */
public final class GrpcTransport implements Transport {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final TransportSetup setup;
    private final GrpcSettings settings;
    private final Clock clock;
    private final System.Logger log;
    private final TlsContexts tls;
    private final String name;

    final ConcurrentHashMap<String, RequestHandler> handlers = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, StreamHandler> streamHandlers = new ConcurrentHashMap<>();

    /** Accepts connections for the server; null for a call-only transport, which has none. */
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService executor;
    /** Threads we own, to avoid waiting for ourselves when close() runs on one of them. */
    private final Set<Thread> ownThreads = ConcurrentHashMap.newKeySet();

    private final Metrics.Counter callsStarted;
    private final Metrics.Counter callsFailed;
    private final Metrics.Histogram callMicros;
    /** Calls served, counted by {@link Inbound}. */
    final Metrics.Counter served;

    private final Object lock = new Object();
    /** Pooled channels in least-recently-used order. Guarded by lock. */
    private final LinkedHashMap<Endpoint, Peer> peers = new LinkedHashMap<>(16, 0.75f, true);
    /** Calls and streams this transport started and that have not ended. */
    private final Set<OutgoingCall> outgoing = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile Server server;
    private volatile Endpoint local;

    /** A pooled channel, when its connect backoff was last cut short, and the wait before the next cut. */
    private static final class Peer {
        final ManagedChannel channel;
        long lastBackoffResetNanos;
        long resetIntervalNanos;

        Peer(ManagedChannel channel, long now, long firstIntervalNanos) {
            this.channel = channel;
            this.lastBackoffResetNanos = now;
            this.resetIntervalNanos = firstIntervalNanos;
        }
    }

    /** The first wait before a failed connection is retried early; doubles up to reconnect.max-backoff. */
    static final long FIRST_RESET_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * A transport that is not listening yet.
     *
     * @throws IllegalArgumentException when the TLS files are unusable
     */
    public GrpcTransport(TransportSetup setup, GrpcSettings settings, PluginContext context) {
        this.setup = Objects.requireNonNull(setup, "setup");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = context.clock();
        this.log = context.logger("transport-grpc");
        this.tls = setup.tls().map(TlsContexts::load).orElse(null);
        this.name = "tribune-grpc-" + context.nodeName().replaceAll("[^A-Za-z0-9._-]", "_") + "-"
                + INSTANCES.incrementAndGet();
        this.local = setup.bind();
        Metrics metrics = context.metrics();
        this.callsStarted = metrics.counter("rpc.calls");
        this.callsFailed = metrics.counter("rpc.failures");
        this.callMicros = metrics.histogram("rpc.call-latency-us");
        this.served = metrics.counter("rpc.served");
        metrics.gauge("rpc.connections", this::peerCount);
        // Netty and JDK threads start lazily, so an unused transport costs no threads.
        this.boss = setup.callOnly() ? null
                : new MultiThreadIoEventLoopGroup(1, threads(name + "-boss"), NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(settings.eventLoopThreads(), threads(name + "-io"),
                NioIoHandler.newFactory());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(settings.executorThreads(), settings.executorThreads(),
                30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads(name + "-exec"));
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
    }

    private ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            // forget threads that ended (idle executor threads time out), so the set stays small
            ownThreads.removeIf(old -> !old.isAlive());
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            ownThreads.add(t);
            return t;
        };
    }

    // ---- lifecycle --------------------------------------------------------------------------

    @Override
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("transport " + local + " is closed and cannot start again");
            }
            if (server != null) {
                return;
            }
            if (setup.callOnly()) {
                // Nothing to bind: a client agent only dials servers (Consul client agents do not
                // listen on the server RPC port). Channels are made on first call, as always.
                log.log(System.Logger.Level.DEBUG, "started call-only; not listening"
                        + (tls != null ? " (TLS client)" : ""));
                return;
            }
            Endpoint bind = setup.bind();
            ServerServiceDefinition service = ServerServiceDefinition.builder(Wire.SERVICE)
                    .addMethod(Wire.UNARY, new Inbound.Unary(this))
                    .addMethod(Wire.STREAM, new Inbound.Stream(this))
                    .build();
            NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(bind.host(), bind.port()))
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers)
                    .channelType(NioServerSocketChannel.class)
                    .executor(executor)
                    .maxInboundMessageSize(setup.maxMessageBytes())
                    .maxInboundMetadataSize(Wire.MAX_METADATA_BYTES)
                    .flowControlWindow(settings.flowControlWindow())
                    .maxConcurrentCallsPerConnection(settings.maxConcurrentCalls())
                    .maxConnectionIdle(settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .keepAliveTime(settings.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                    .keepAliveTimeout(settings.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    // peers run with the same settings: let them ping as often as we would
                    .permitKeepAliveTime(settings.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                    .handshakeTimeout(settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .addService(service);
            if (tls != null) {
                b.sslContext(tls.server);
            }
            Server s = b.build();
            try {
                s.start();
            } catch (IOException | RuntimeException e) {
                s.shutdownNow();
                throw new TransportException(Code.UNAVAILABLE, "cannot listen on " + bind + ": " + e.getMessage(), e);
            }
            int port = bind.port();
            for (SocketAddress a : s.getListenSockets()) {
                if (a instanceof InetSocketAddress isa) {
                    port = isa.getPort();
                    break;
                }
            }
            server = s;
            local = new Endpoint(bind.host(), port);
            log.log(System.Logger.Level.DEBUG, "listening on " + local + (tls != null ? " (TLS)" : ""));
        }
    }

    private long peerCount() {
        synchronized (lock) {
            return peers.size();
        }
    }

    long clockNanos() {
        return clock.nanos();
    }

    /**
     * Whether incoming connections must present a client certificate that chains to the CA
     * (TLS with verifyIncoming): only then is a peer certificate a verified identity.
     */
    boolean verifiesClients() {
        return tls != null && tls.settings.verifyIncoming();
    }

    @Override
    public Endpoint localEndpoint() {
        return local;
    }

    @Override
    public int maxMessageBytes() {
        return setup.maxMessageBytes();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException on a call-only transport
     */
    @Override
    public void register(String method, RequestHandler handler) {
        refuseHandlersWhenCallOnly(method);
        Wire.checkMethod(method);
        handlers.put(method, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException on a call-only transport
     */
    @Override
    public void registerStream(String method, StreamHandler handler) {
        refuseHandlersWhenCallOnly(method);
        Wire.checkMethod(method);
        streamHandlers.put(method, Objects.requireNonNull(handler, "handler"));
    }

    private void refuseHandlersWhenCallOnly(String method) {
        if (setup.callOnly()) {
            throw new IllegalStateException("transport " + local + " is call-only and serves nothing; cannot register '"
                    + method + "'");
        }
    }

    /**
     * Stops serving, fails outgoing calls with CANCELLED, closes every connection and waits up to
     * {@code shutdown-timeout} for each thread pool. Idempotent. Called on one of the transport's
     * own threads, it does not wait for them.
     */
    @Override
    public void close() {
        List<ManagedChannel> channels = new ArrayList<>();
        Server s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (Peer p : peers.values()) {
                channels.add(p.channel);
            }
            peers.clear();
            s = server;
        }
        // unknown, not undelivered: a call in flight may have reached its handler
        TransportException cancelled = new TransportException(Code.CANCELLED, "transport " + local
                + " closed during the call");
        for (OutgoingCall c : new ArrayList<>(outgoing)) {
            c.cancel(cancelled);
        }
        if (s != null) {
            s.shutdownNow();
        }
        channels.forEach(ManagedChannel::shutdownNow);
        boolean wait = !ownThreads.contains(Thread.currentThread());
        long timeoutNanos = settings.shutdownTimeout().toNanos();
        try {
            if (wait) {
                if (s != null) {
                    s.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS);
                }
                for (ManagedChannel ch : channels) {
                    ch.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS);
                }
            }
            io.netty.util.concurrent.Future<?> b = boss == null ? null
                    : boss.shutdownGracefully(0, timeoutNanos, TimeUnit.NANOSECONDS);
            io.netty.util.concurrent.Future<?> w = workers.shutdownGracefully(0, timeoutNanos, TimeUnit.NANOSECONDS);
            executor.shutdown();
            if (wait) {
                if (b != null) {
                    b.await(timeoutNanos, TimeUnit.NANOSECONDS);
                }
                w.await(timeoutNanos, TimeUnit.NANOSECONDS);
                if (!executor.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS)) {
                    executor.shutdownNow();
                    log.log(System.Logger.Level.WARNING, "handlers of " + local + " still running after "
                            + settings.shutdownTimeout() + "; interrupted them");
                }
                // pools report termination just before their last threads exit; wait for the exits
                // too, so that no thread of this transport (or its class loader) outlives close()
                long deadline = System.nanoTime() + timeoutNanos;
                for (Thread t : new ArrayList<>(ownThreads)) {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    // ---- calling ----------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when the method name is empty, longer than 256 characters or
     *                                  not printable ASCII, or the timeout is not in (0, 1 day]
     */
    @Override
    public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
        Objects.requireNonNull(target, "target");
        Wire.checkMethod(method);
        Objects.requireNonNull(request, "request");
        Wire.checkTimeout(timeout);
        if (closed) {
            return CompletableFuture.failedFuture(closedFailure());
        }
        if (request.length > maxMessageBytes()) {
            return CompletableFuture.failedFuture(TransportException.undelivered(Code.TOO_LARGE, "request of "
                    + request.length + " bytes for '" + method + "' exceeds the limit of " + maxMessageBytes()
                    + " bytes; not sent"));
        }
        ManagedChannel ch;
        try {
            ch = channel(target);
        } catch (TransportException e) {
            return CompletableFuture.failedFuture(e);
        }
        SendWitness witness = new SendWitness();
        UnaryCall c = new UnaryCall(ch.newCall(Wire.UNARY, witness.options(timeout)), witness,
                "'" + method + "' to " + target);
        callsStarted.increment();
        long started = clock.nanos();
        c.result.whenComplete((r, e) -> {
            callMicros.record((clock.nanos() - started) / 1000);
            if (e != null) {
                callsFailed.increment();
            }
        });
        track(c);
        c.start(method, request);
        return c.result;
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException as for {@link #call}
     */
    @Override
    public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
        Objects.requireNonNull(target, "target");
        Wire.checkMethod(method);
        Wire.checkTimeout(timeout);
        String what = "stream '" + method + "' to " + target;
        if (closed) {
            return OutStream.failed(closedFailure(), maxMessageBytes());
        }
        ManagedChannel ch;
        try {
            ch = channel(target);
        } catch (TransportException e) {
            return OutStream.failed(e, maxMessageBytes());
        }
        SendWitness witness = new SendWitness();
        OutStream s = new OutStream(ch.newCall(Wire.STREAM, witness.options(timeout)), witness, what,
                maxMessageBytes(), outgoing::remove);
        track(s);
        s.start(method);
        return s;
    }

    /**
     * Registers a call so close() can cancel it; cancels at once if close() won the race. Runs
     * before the call is started, so a call cancelled here was never sent.
     */
    private void track(OutgoingCall c) {
        outgoing.add(c);
        if (closed) {
            c.cancel(closedFailure());
        }
    }

    /** The failure of a call that the closed transport never started: not delivered. */
    private TransportException closedFailure() {
        return TransportException.undelivered(Code.CANCELLED, "transport " + local + " is closed");
    }

    /**
     * The pooled channel to {@code target}, created on first use. A channel whose connection
     * failed sits in gRPC's exponential backoff (1 s growing by 1.6x up to 2 minutes). We cut the
     * wait short on use, after 100 ms, then 200 ms, 400 ms... up to {@code reconnect.max-backoff},
     * and start again from 100 ms once connected: servers of a new cluster that call each other
     * before all of them listen find each other within a fraction of a second instead of after
     * gRPC's first full second, and a peer that stays down is still probed only every few seconds.
     */
    ManagedChannel channel(Endpoint target) {
        synchronized (lock) {
            if (closed) {
                throw closedFailure();
            }
            long now = clock.nanos();
            Peer p = peers.get(target);
            if (p != null) {
                ConnectivityState state = p.channel.getState(false);
                if (state == ConnectivityState.READY) {
                    p.resetIntervalNanos = FIRST_RESET_INTERVAL_NANOS;
                } else if (state == ConnectivityState.TRANSIENT_FAILURE
                        && now - p.lastBackoffResetNanos >= p.resetIntervalNanos) {
                    p.lastBackoffResetNanos = now;
                    p.resetIntervalNanos = Math.min(p.resetIntervalNanos * 2, settings.reconnectMaxBackoff().toNanos());
                    p.channel.resetConnectBackoff();
                }
                return p.channel;
            }
            p = new Peer(newChannel(target), now, FIRST_RESET_INTERVAL_NANOS);
            peers.put(target, p);
            if (peers.size() > settings.maxPeers()) {
                Map.Entry<Endpoint, Peer> eldest = peers.entrySet().iterator().next();
                peers.remove(eldest.getKey());
                eldest.getValue().channel.shutdown(); // graceful: its calls in flight finish
            }
            return p.channel;
        }
    }

    private ManagedChannel newChannel(Endpoint target) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(target.host(), target.port())
                .eventLoopGroup(workers)
                .channelType(NioSocketChannel.class)
                .executor(executor)
                // name resolution would otherwise start gRPC's shared default executor threads
                .offloadExecutor(executor)
                .maxInboundMessageSize(setup.maxMessageBytes())
                .maxInboundMetadataSize(Wire.MAX_METADATA_BYTES)
                .flowControlWindow(settings.flowControlWindow())
                .idleTimeout(settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTime(settings.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(settings.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveWithoutCalls(false)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                // a request is handed to the peer at most once; callers decide about retries
                .disableRetry()
                .userAgent("tribune");
        if (tls != null) {
            b.negotiationType(NegotiationType.TLS).sslContext(tls.client);
            if (tls.settings.verifyServerHostname()) {
                b.overrideAuthority(tls.settings.serverName());
            }
        } else {
            b.usePlaintext();
        }
        return b.build();
    }

    // ---- outgoing calls ---------------------------------------------------------------------

    /** A call or stream this transport started. */
    interface OutgoingCall {
        /** Fails the call locally with {@code failure} and cancels it on the wire. */
        void cancel(TransportException failure);
    }

    /** One unary call from this transport. */
    private final class UnaryCall extends ClientCall.Listener<byte[]> implements OutgoingCall {
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ClientCall<byte[], byte[]> call;
        private final SendWitness witness;
        private final String what;
        private volatile boolean cancelledLocally;
        private byte[] response;

        UnaryCall(ClientCall<byte[], byte[]> call, SendWitness witness, String what) {
            this.call = call;
            this.witness = witness;
            this.what = what;
            result.whenComplete((r, e) -> outgoing.remove(this));
        }

        synchronized void start(String method, byte[] request) {
            if (result.isDone()) {
                return;
            }
            Metadata headers = new Metadata();
            headers.put(Wire.METHOD_KEY, method);
            call.start(this, headers);
            call.request(2);
            call.sendMessage(request);
            call.halfClose();
        }

        @Override
        public void onMessage(byte[] message) {
            response = message;
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            if (status.isOk() && response != null) {
                result.complete(response);
            } else if (status.isOk()) {
                result.completeExceptionally(new TransportException(Code.INTERNAL, what + ": no response"));
            } else {
                result.completeExceptionally(Wire.toTransport(status, trailers, cancelledLocally, what,
                        witness.nothingSent()));
            }
        }

        @Override
        public synchronized void cancel(TransportException failure) {
            cancelledLocally = true;
            if (result.completeExceptionally(failure)) {
                call.cancel(failure.getMessage(), null);
            }
        }
    }
}
