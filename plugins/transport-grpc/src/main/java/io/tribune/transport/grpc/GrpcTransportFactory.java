package io.tribune.transport.grpc;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.transport.grpc.internal.GrpcSettings;
import io.tribune.transport.grpc.internal.GrpcTransport;
import io.tribune.transport.grpc.internal.NettyAllocatorSizing;
import java.util.Objects;

/**
 * Creates gRPC transports.
 *
 * <p>Configuration keys (durations as {@code 500ms}, {@code 30s}, {@code 5m}):
 * <table>
 *   <caption>transport-grpc settings</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code transport-grpc.idle-timeout}</td><td>5m</td><td>a connection without calls for
 *       this long is closed (client idle mode and server max-connection-idle); reopened on the next
 *       call</td></tr>
 *   <tr><td>{@code transport-grpc.keepalive.time}</td><td>30s</td><td>HTTP/2 ping interval while
 *       calls are active, to notice dead peers faster than TCP does; servers permit pings this
 *       often</td></tr>
 *   <tr><td>{@code transport-grpc.keepalive.timeout}</td><td>10s</td><td>a ping unanswered this long
 *       closes the connection</td></tr>
 *   <tr><td>{@code transport-grpc.connect-timeout}</td><td>5s</td><td>TCP connect and TLS handshake
 *       limit</td></tr>
 *   <tr><td>{@code transport-grpc.reconnect.max-backoff}</td><td>5s</td><td>a failed connection is
 *       retried on use after 100 ms, then 200 ms, 400 ms... up to this bound (instead of gRPC's own
 *       backoff of 1 s growing by 1.6x); a restarted Raft peer is retried at least this often</td></tr>
 *   <tr><td>{@code transport-grpc.event-loop-threads}</td><td>2</td><td>Netty I/O threads, shared by
 *       the server and all outgoing connections</td></tr>
 *   <tr><td>{@code transport-grpc.executor-threads}</td><td>4</td><td>threads that run handlers and
 *       complete futures</td></tr>
 *   <tr><td>{@code transport-grpc.max-concurrent-calls}</td><td>4096</td><td>calls one peer
 *       connection may have in flight; more wait in the caller's queue</td></tr>
 *   <tr><td>{@code transport-grpc.max-peers}</td><td>1024</td><td>pooled connections kept; the
 *       least recently used is closed gracefully beyond that</td></tr>
 *   <tr><td>{@code transport-grpc.flow-control-window}</td><td>1048576</td><td>HTTP/2 stream window,
 *       bytes: how much a stalled stream receiver lets the sender buffer</td></tr>
 *   <tr><td>{@code transport-grpc.shutdown-timeout}</td><td>5s</td><td>how long {@code close()} waits
 *       for threads to end</td></tr>
 * </table>
 *
 * <p><b>Memory.</b> Before the first transport is built, {@code create} sets Netty's allocator
 * properties {@code io.netty.allocator.numDirectArenas} and {@code numHeapArenas} (one per two
 * event-loop threads) and {@code maxOrder} (7: 1 MiB chunks) where they have no value, so that the
 * pooled buffers gRPC keeps scale with the transport's threads rather than the machine's cores;
 * values given with {@code -D} win. They are JVM-wide and read once by Netty.
 *
 * <p>Message size comes from {@link TransportSetup#maxMessageBytes()} and TLS from
 * {@link TransportSetup#tls()}. With TLS configured the transport listens and calls with TLS only:
 * {@code verifyIncoming} requires client certificates signed by the CA; {@code verifyOutgoing}
 * verifies the server's chain against the CA (when off, any server certificate is accepted, but the
 * connection is still encrypted); {@code verifyServerHostname} (which implies
 * {@code verifyOutgoing}) also requires the server certificate to name {@code serverName} in its
 * subject alternative names.
 *
 * <p><b>Caller identity.</b> A handler's {@link io.tribune.api.transport.CallContext#peerIdentity()}
 * is the subject distinguished name of the caller's leaf certificate in RFC 2253 form
 * ({@link javax.security.auth.x500.X500Principal#RFC2253}, e.g. {@code CN=client.dc1.consul,O=Example}),
 * present only when the serving transport has TLS with {@code verifyIncoming}: then the TLS handshake
 * required the certificate and verified its chain against the CA before any call arrived. It is empty
 * for plaintext and for TLS without {@code verifyIncoming} (the server asks for no client
 * certificate). The subject is not unique by itself: every certificate the CA issued for the same
 * role may carry it.
 *
 * <p><b>Call-only.</b> {@link #supportsCallOnly()} is true: for a
 * {@link TransportSetup#callOnly()} setup no gRPC server is built, nothing listens on the bind
 * address (a connection to it is refused unless something else listens there), handlers cannot be
 * registered, and calls, streams, TLS (client certificate presented, server verified per
 * {@code verifyOutgoing}) and reconnect backoff work as for a serving transport.
 */
public final class GrpcTransportFactory implements TransportFactory {

    /** Creates the factory. */
    public GrpcTransportFactory() {
    }

    /** {@value GrpcTransportPlugin#NAME}. */
    @Override
    public String name() {
        return GrpcTransportPlugin.NAME;
    }

    /** True: call-only setups create a transport without a server. */
    @Override
    public boolean supportsCallOnly() {
        return true;
    }

    /**
     * A transport that is not yet listening (never, for a call-only setup). TLS files are read and
     * checked here, for a call-only setup too.
     *
     * @throws IllegalArgumentException for a bad configuration value (naming the key) or an
     *                                  unreadable or invalid TLS file (naming the file)
     */
    @Override
    public Transport create(TransportSetup setup, PluginConfig config, PluginContext context) {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(context, "context");
        GrpcSettings settings = GrpcSettings.from(Objects.requireNonNull(config, "config"));
        // Before the transport touches Netty: its allocator reads these once, when it loads.
        NettyAllocatorSizing.applyIfAbsent(System.getProperties(), settings.eventLoopThreads());
        return new GrpcTransport(setup, settings, context);
    }
}
