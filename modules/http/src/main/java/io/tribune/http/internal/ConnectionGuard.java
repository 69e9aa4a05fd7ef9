package io.tribune.http.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of every HTTP connection: enforces {@link HttpLimits}. It counts connections per
 * client IP address (over the limit: a 429 and close, before anything is read), and closes a
 * connection that does not deliver a whole request within the read timeout (slowloris) or stays idle
 * between requests beyond the idle timeout. While a request is being served no timer runs, so a
 * blocking query may be held for its whole wait.
 *
 * <p>The {@code Dispatcher} tells it where a connection is: {@link #requestReceived} once a whole
 * request is decoded, {@link #responded} once its answer was written on a kept-alive connection.
 *
 * <p>Threading: one instance per channel; every method runs on the channel's event loop. The
 * per-address counts ({@link Counts}) are shared by all channels of one server and thread-safe.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    /** Open connections per client address, shared by one server's channels. */
    static final class Counts {
        private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

        /** Counts one more connection from {@code a} unless that would exceed {@code max} (0: no limit). */
        boolean tryAcquire(InetAddress a, int max) {
            boolean[] ok = {false};
            open.compute(a, (k, n) -> {
                int now = n == null ? 0 : n;
                if (max > 0 && now >= max) {
                    return n;
                }
                ok[0] = true;
                return now + 1;
            });
            return ok[0];
        }

        /** Forgets one connection from {@code a}; the entry goes away at zero, so the map stays bounded by live clients. */
        void release(InetAddress a) {
            open.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1);
        }

        /** Open connections from {@code a}, for tests. */
        int of(InetAddress a) {
            return open.getOrDefault(a, 0);
        }
    }

    private enum Phase {
        /** Waiting for the first byte of the next request (the idle timer runs, or the read timer for the first). */
        AWAITING,
        /** Bytes of a request arrived, the whole request has not (the read timer runs). */
        READING,
        /** A whole request is being served (no timer). */
        SERVING
    }

    private final HttpLimits limits;
    private final Counts counts;
    private InetAddress client;
    private boolean refused;
    private Phase phase = Phase.AWAITING;
    /**
     * When the connection is closed unless a whole request arrived by then (System.nanoTime), while
     * {@link #armed}. Moving it costs no timer operation: one scheduled check per connection follows
     * it (see {@link #check}), so a kept-alive connection does not schedule and cancel a task on its
     * event loop for every request.
     */
    private long deadline;
    private boolean armed;
    /** The deadline is the idle deadline (which the first byte of a request replaces by the read deadline). */
    private boolean idleTimer;
    /** The scheduled check, or null, and when it runs (System.nanoTime). */
    private ScheduledFuture<?> timer;
    private long timerAt;
    /** Requests received and not yet answered (more than one when a client pipelines). */
    private int inFlight;

    ConnectionGuard(HttpLimits limits, Counts counts) {
        this.limits = limits;
        this.counts = counts;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        SocketAddress remote = ctx.channel().remoteAddress();
        InetAddress a = remote instanceof InetSocketAddress isa ? isa.getAddress() : null;
        if (a != null && !counts.tryAcquire(a, limits.maxConnsPerClient())) {
            refused = true;
            String body = "Your IP is issuing too many concurrent connections, please rate limit your calls (at most "
                    + limits.maxConnsPerClient() + ", limits.http_max_conns_per_client)\n";
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    + "Content-Length: " + b.length + "\r\nConnection: close\r\n\r\n";
            ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), b))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        client = a;
        // The first request's read time counts from the accept: a connection that sends nothing is a
        // slow request too.
        arm(ctx, limits.readTimeout());
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (phase == Phase.AWAITING) {
            phase = Phase.READING;
            if (!armed || idleTimer) {
                arm(ctx, limits.readTimeout());
            }
        }
        super.channelRead(ctx, msg);
    }

    /** A whole request was decoded: it is served without a deadline of this guard's. */
    void requestReceived() {
        inFlight++;
        phase = Phase.SERVING;
        disarm();
    }

    /** Its answer was written and the connection stays open: the idle timer runs until the next request. */
    void responded(ChannelHandlerContext ctx) {
        inFlight = Math.max(0, inFlight - 1);
        if (phase != Phase.SERVING || inFlight > 0) {
            return;
        }
        phase = Phase.AWAITING;
        arm(ctx, limits.idleTimeout());
        idleTimer = true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (client != null) {
            counts.release(client);
            client = null;
        }
        if (!refused) {
            super.channelInactive(ctx);
        }
    }

    private void arm(ChannelHandlerContext ctx, java.time.Duration after) {
        deadline = System.nanoTime() + after.toNanos();
        armed = true;
        idleTimer = false;
        if (timer == null || timerAt - deadline > 0) {
            // No check scheduled, or it comes too late for this deadline: schedule one for it.
            if (timer != null) {
                timer.cancel(false);
            }
            schedule(ctx, after.toNanos());
        }
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timerAt = System.nanoTime() + delayNanos;
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The scheduled check: closes the connection once its deadline passed, else looks again at the deadline. */
    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (!armed || phase == Phase.SERVING) {
            return; // the next arm() schedules a check again
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            schedule(ctx, left);
            return;
        }
        // Too slow to send a request, or idle too long: free the descriptor for other clients.
        ctx.close();
    }

    /** No deadline while a request is served; a scheduled check that runs meanwhile does nothing. */
    private void disarm() {
        armed = false;
        idleTimer = false;
    }
}
