package io.tribune.http.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.tribune.agent.rpc.AgentException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener of the agent: Netty with its own event loops, HTTP/1.1 keep-alive, bodies
 * aggregated up to a limit (413 beyond), routes matched by longest path prefix. Handlers answer
 * asynchronously, so a held blocking query costs a future and a channel, not a thread. Every
 * connection is held to {@link HttpLimits} by a {@link ConnectionGuard} (connections per client
 * address, read and idle timeouts), and the request target is decoded strictly ({@link RequestUri}).
 */
public final class HttpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());
    private final List<Map.Entry<String, Route>> routes = new ArrayList<>();
    private final int maxRequestBytes;
    private final HttpLimits limits;
    /** keys feature: http_config.response_headers, set on every response; written once before start. */
    private volatile Map<String, String> responseHeaders = Map.of();
    private final ConnectionGuard.Counts counts = new ConnectionGuard.Counts();
    // Telemetry: Consul's consul.http.<METHOD>.<route> timers (set by timing(), before start).
    private volatile HttpTimers timers = HttpTimers.NONE;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel channel;
    /** The HTTPS listener (config feature), if started: same routes and limits, TLS first in the pipeline. */
    private Channel tlsChannel;

    /** A server that accepts request bodies up to {@code maxRequestBytes}, with the default {@link HttpLimits}. */
    public HttpServer(int maxRequestBytes) {
        this(maxRequestBytes, HttpLimits.DEFAULT);
    }

    /**
     * A server that accepts request bodies up to {@code maxRequestBytes} and holds every client to
     * {@code limits} (connections per address, read and idle timeouts).
     */
    public HttpServer(int maxRequestBytes, HttpLimits limits) {
        this.maxRequestBytes = maxRequestBytes;
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
    }

    /** Serves paths starting with {@code prefix}; the longest matching prefix wins. */
    public HttpServer route(String prefix, Route route) {
        routes.add(Map.entry(prefix, route));
        routes.sort(Comparator.comparingInt((Map.Entry<String, Route> e) -> e.getKey().length()).reversed());
        return this;
    }

    /**
     * Times every request of a route from now on in {@code metrics}, on {@code clock}
     * ({@link HttpTimers}); call after the routes are added.
     */
    public HttpServer timing(io.tribune.agent.platform.AgentMetrics metrics, io.tribune.api.Clock clock) {
        timers = new HttpTimers(metrics, clock, routes.stream().map(Map.Entry::getKey).toList());
        return this;
    }

    /**
     * keys feature: headers set on every response before the handler's own (Consul's
     * {@code http_config.response_headers}; a handler's header of the same name wins). Call before
     * {@link #start}.
     */
    public HttpServer responseHeaders(Map<String, String> headers) {
        this.responseHeaders = Map.copyOf(headers);
        return this;
    }

    /**
     * Binds and starts serving.
     *
     * @return the bound address (with the actual port when 0 was asked)
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public InetSocketAddress start(String host, int port) {
        channel = bind(host, port, null);
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Binds an HTTPS listener serving the same routes (config feature: Consul's {@code ports.https}).
     * May be called with or without {@link #start}; shares its event loops.
     *
     * @param tls the server's TLS context ({@link HttpsContext#server}): certificate, protocols, and
     *            whether client certificates are required
     * @return the bound address
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public synchronized InetSocketAddress startHttps(String host, int port, io.netty.handler.ssl.SslContext tls) {
        tlsChannel = bind(host, port, java.util.Objects.requireNonNull(tls, "tls"));
        return (InetSocketAddress) tlsChannel.localAddress();
    }

    private synchronized Channel bind(String host, int port, io.netty.handler.ssl.SslContext tls) {
        if (boss == null) {
            boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                    NioIoHandler.newFactory());
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ConnectionGuard(limits, counts));
                        if (tls != null) {
                            // After the guard, so that the read timeout also bounds a stalled handshake.
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(8192, 16384, 16384));
                        ch.pipeline().addLast(new HttpObjectAggregator(maxRequestBytes, true));
                        ch.pipeline().addLast(new Dispatcher());
                    }
                });
        try {
            return b.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot listen for " + (tls == null ? "HTTP" : "HTTPS") + " on " + host
                    + ":" + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (tlsChannel != null) {
            tlsChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Serves {@code req} through the same routes as the listener, without a socket (used for
     * requests forwarded from other agents). Never fails: errors become Consul-style error
     * responses, as on the wire.
     */
    public CompletableFuture<HttpResponse> handle(HttpRequest req) {
        HttpTimers t = timers;
        long started = t.start();
        CompletableFuture<HttpResponse> f;
        try {
            f = dispatch(req);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.handle((resp, err) -> {
            t.record(routeOf(req.path()), req.method(), started);
            return err != null ? errorResponse(err) : resp;
        });
    }

    /** The index of the route serving {@code path} (longest prefix first), or -1. */
    private int routeOf(String path) {
        for (int i = 0; i < routes.size(); i++) {
            if (path.startsWith(routes.get(i).getKey())) {
                return i;
            }
        }
        return -1;
    }

    private CompletableFuture<HttpResponse> dispatch(HttpRequest req) {
        for (Map.Entry<String, Route> r : routes) {
            String prefix = r.getKey();
            if (req.path().startsWith(prefix)) {
                return r.getValue().handle(req, req.path().substring(prefix.length()));
            }
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    /** Turns any failure into Consul-style plain-text error responses. */
    static HttpResponse errorResponse(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof HttpError he) {
            return HttpResponse.text(he.status(), he.getMessage());
        }
        if (c instanceof AgentException ae) {
            if (ae.kind() == AgentException.Kind.INTERNAL) {
                LOG.log(System.Logger.Level.WARNING, "request failed", ae);
            }
            return HttpResponse.text(Statuses.of(ae.kind()), String.valueOf(ae.getMessage()));
        }
        LOG.log(System.Logger.Level.WARNING, "request failed", c);
        return HttpResponse.text(500, String.valueOf(c.getMessage() == null ? c.toString() : c.getMessage()));
    }

    private final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
            ConnectionGuard guard = ctx.pipeline().get(ConnectionGuard.class);
            if (guard != null) {
                guard.requestReceived();
            }
            boolean keepAlive = HttpUtil.isKeepAlive(msg);
            if (!msg.decoderResult().isSuccess()) {
                Throwable cause = msg.decoderResult().cause();
                int status = cause instanceof TooLongFrameException ? 431 : 400;
                write(ctx, HttpResponse.text(status, "malformed HTTP request: " + cause.getMessage()), false);
                return;
            }
            HttpRequest req;
            try {
                RequestUri.Decoded target = RequestUri.decode(msg.uri());
                Map<String, String> headers = new LinkedHashMap<>();
                msg.headers().forEach(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
                byte[] body = new byte[msg.content().readableBytes()];
                msg.content().readBytes(body);
                String remote = String.valueOf(ctx.channel().remoteAddress());
                req = new HttpRequest(msg.method().name(), target.path(), target.query(), headers, body, remote);
            } catch (HttpError e) {
                write(ctx, HttpResponse.text(e.status(), e.getMessage()), keepAlive);
                return;
            } catch (IllegalArgumentException e) {
                write(ctx, HttpResponse.text(400, "malformed request: " + e.getMessage()), keepAlive);
                return;
            }
            handle(req).thenAccept(r -> {
                if (ctx.executor().inEventLoop()) {
                    write(ctx, r, keepAlive);
                } else {
                    ctx.executor().execute(() -> write(ctx, r, keepAlive));
                }
            });
        }

        /** obs: a chunked body produced by the response's streamer; the connection closes when it ends. */
        private void stream(ChannelHandlerContext ctx, HttpResponse r) {
            io.netty.handler.codec.http.DefaultHttpResponse head = new io.netty.handler.codec.http.DefaultHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()));
            responseHeaders.forEach((k, v) -> head.headers().set(k, v));
            r.headers().forEach((k, v) -> head.headers().set(k, v));
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(head);
            Channel ch = ctx.channel();
            java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
            r.streamer().start(new HttpResponse.StreamSink() {
                @Override
                public boolean send(byte[] bytes) {
                    if (ended.get() || !ch.isActive()) {
                        return false;
                    }
                    ch.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
                    return true;
                }

                @Override
                public boolean writable() {
                    return ch.isWritable();
                }

                @Override
                public void end() {
                    if (ended.compareAndSet(false, true) && ch.isActive()) {
                        ch.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT)
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                }

                @Override
                public void onClose(Runnable run) {
                    ch.closeFuture().addListener(f -> run.run());
                }

                @Override
                public void execute(Runnable run) {
                    ch.eventLoop().execute(run);
                }

                @Override
                public void schedule(Runnable run, long delayMillis) {
                    ch.eventLoop().schedule(run, delayMillis, TimeUnit.MILLISECONDS);
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private void write(ChannelHandlerContext ctx, HttpResponse r, boolean keepAlive) {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (r.streamer() != null) {
                stream(ctx, r);
                return;
            }
            FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
            responseHeaders.forEach((k, v) -> out.headers().set(k, v));
            r.headers().forEach((k, v) -> out.headers().set(k, v));
            out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
            if (keepAlive) {
                out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(out);
                ConnectionGuard guard = ctx.pipeline().get(ConnectionGuard.class);
                if (guard != null) {
                    guard.responded(ctx);
                }
            } else {
                ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
