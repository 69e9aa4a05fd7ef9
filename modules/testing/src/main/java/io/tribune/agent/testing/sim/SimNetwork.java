package io.tribune.agent.testing.sim;

import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.Scheduler;
import io.tribune.api.SpiKind;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.testkit.ForwardingTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Seeded network latency for simulations: plugin {@value #PLUGIN_NAME} wraps {@code transport-inproc}
 * (which delivers on the next scheduler turn) and delays each leg of every exchange by a time drawn
 * from a generator of its own, seeded with the run's seed and the node's name: a unary call's request
 * and its reply, each chunk of a stream, and a stream's end and its answer. Delays of one stream stay
 * in order (a chunk leaves only after the previous one was taken, as the SPI requires of the caller);
 * separate calls may overtake each other, as on separate connections.
 *
 * <p>Configuration: {@value #HUB_KEY} names the {@code transport-inproc} hub. The deadline handed to
 * the inner transport is the caller's less the request's delay, so a call fails no later than asked
 * (its failure reaches the caller after the reply leg's delay, a few milliseconds at most).
 *
 * <p>Closing a transport fails what it still owes its callers with {@code CANCELLED}, as the inner
 * transport does with calls in flight; a request whose delay had not run out never left, and its
 * failure says so ({@link TransportException#notDelivered()}).
 *
 * <p><b>Faults.</b> {@link #cut(String, String)} stops every leg from one node to another (a one-way
 * partition; cut both ways for a symmetric one) until {@link #heal}; {@link #loss(double)} drops each
 * leg with a seeded probability. Nodes are named by their agents' node names; a target endpoint is
 * mapped to the node that listens there. Legs behave as on the connection-oriented transports the
 * agents use (TCP under gRPC): a <em>lost</em> leg is sent again after a retransmission timeout
 * ({@value #FIRST_RTO_MILLIS} ms, doubling at each further loss of the same leg, up to
 * {@value #MAX_RTO_MILLIS} ms), so loss delays legs and reorders separate calls; a <em>cut</em> leg
 * is sent again at such timeouts until the cut heals, and arrives at the first one after the heal.
 * A leg still cut at the caller's deadline never arrives: the caller fails at the deadline with
 * {@code DEADLINE_EXCEEDED} (the handler may have run, so it is not marked {@code notDelivered}),
 * and a stream whose chunk or end expires so is cancelled. Loss is drawn from the sending node's
 * generator, so it is part of the seed's run.
 *
 * <p>Threading: the delays are timers of the plugin context's scheduler; one simulation thread calls
 * everything.
 */
public final class SimNetwork {
    /** Retransmission timeout after a first loss of a leg, in milliseconds (TCP's minimum RTO, RFC 6298 §2.4, is 1 s; Linux uses 200 ms). */
    public static final int FIRST_RTO_MILLIS = 200;
    /** Longest retransmission timeout, in milliseconds. */
    public static final int MAX_RTO_MILLIS = 3_200;
    /** The transport plugin's name, as agents select it ({@code plugins.transport}). */
    public static final String PLUGIN_NAME = "transport-sim";
    /** Configuration key of the {@code transport-inproc} hub the wrapped transports share. */
    public static final String HUB_KEY = "transport-sim.hub";

    private final TransportFactory inner;
    private final long seed;
    private final long minNanos;
    private final long maxNanos;
    /** Cut legs, as {@code "from>to"} node names; ordered so that traces of the state are stable. */
    private final java.util.TreeSet<String> cuts = new java.util.TreeSet<>();
    /** Which node listens on each endpoint, filled as transports start. */
    private final java.util.LinkedHashMap<Endpoint, String> names = new java.util.LinkedHashMap<>();
    private double lossRate;

    /**
     * A network of {@code inner}'s transports with delays uniform in {@code [min, max]} per leg.
     *
     * @throws IllegalArgumentException unless {@code 0 <= min <= max <= 1 s}
     */
    public SimNetwork(TransportFactory inner, long seed, Duration min, Duration max) {
        this.inner = Objects.requireNonNull(inner, "inner");
        checkBounds(min, max);
        this.seed = seed;
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** @throws IllegalArgumentException unless {@code 0 <= min <= max <= 1 s} */
    static void checkBounds(Duration min, Duration max) {
        if (min.isNegative() || min.compareTo(max) > 0 || max.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("latency bounds must satisfy 0 <= min <= max <= 1 s, got " + min
                    + " and " + max);
        }
    }

    // ---------------------------------------------------------------- faults

    /**
     * Stops every leg from node {@code from} to node {@code to} (requests, replies, stream chunks)
     * until {@link #heal}; the other direction is untouched (a one-way partition). Idempotent.
     *
     * @throws IllegalArgumentException when both are the same node
     */
    public synchronized void cut(String from, String to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.equals(to)) {
            throw new IllegalArgumentException("a node cannot be cut from itself: " + from);
        }
        cuts.add(from + ">" + to);
    }

    /** Restores every cut leg; loss is left as it is. What was dropped stays dropped. */
    public synchronized void heal() {
        cuts.clear();
    }

    /** Whether legs from {@code from} to {@code to} are cut. */
    public synchronized boolean isCut(String from, String to) {
        return cuts.contains(from + ">" + to);
    }

    /**
     * Drops each leg with probability {@code rate} from now on (0 to stop).
     *
     * @throws IllegalArgumentException outside {@code [0, 0.5]}: beyond half, nothing useful gets through
     */
    public synchronized void loss(double rate) {
        if (!(rate >= 0 && rate <= 0.5)) {
            throw new IllegalArgumentException("loss rate must be in [0, 0.5], got " + rate);
        }
        this.lossRate = rate;
    }

    /** The current loss rate. */
    public synchronized double lossRate() {
        return lossRate;
    }

    private synchronized void listening(Endpoint e, String node) {
        names.put(e, node);
    }

    private synchronized String nodeAt(Endpoint e) {
        return names.get(e);
    }

    /** Whether a leg from {@code from} to {@code to} is cut. */
    private synchronized boolean cutLeg(String from, String to) {
        return from != null && to != null && cuts.contains(from + ">" + to);
    }

    /** The retransmission delay of one leg under loss (zero when its first send arrives); draws from {@code random}. */
    private synchronized long lossDelayNanos(SplittableRandom random) {
        if (lossRate == 0) {
            return 0;
        }
        long delay = 0;
        long rto = FIRST_RTO_MILLIS;
        while (random.nextDouble() < lossRate) {
            delay += rto * 1_000_000L;
            rto = Math.min(MAX_RTO_MILLIS, rto * 2);
        }
        return delay;
    }

    /** A plugin offering the wrapped factory, to register beside the plugins on the class path. */
    public Plugin plugin() {
        TransportFactory f = new TransportFactory() {
            @Override
            public String name() {
                return PLUGIN_NAME;
            }

            @Override
            public boolean supportsCallOnly() {
                return inner.supportsCallOnly();
            }

            @Override
            public Transport create(TransportSetup setup, PluginConfig config, PluginContext context) {
                String hub = config.getString(HUB_KEY, "default");
                Transport t = inner.create(setup, PluginConfig.of(Map.of("transport-inproc.hub", hub)), context);
                return new Delayed(t, context.nodeName(), context.clock(), context.scheduler(),
                        new SplittableRandom(mix(seed, context.nodeName())));
            }
        };
        return new Plugin() {
            @Override
            public PluginDescriptor descriptor() {
                return PluginDescriptor.of(PLUGIN_NAME, "test", "transport-inproc with seeded latency",
                        SpiKind.TRANSPORT);
            }

            @Override
            public List<TransportFactory> transportFactories() {
                return List.of(f);
            }
        };
    }

    private static long mix(long seed, String name) {
        long h = seed ^ 0x632BE59BD9B4E019L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return h;
    }

    /** One node's transport: the inner one, with every leg delayed. */
    private final class Delayed extends ForwardingTransport {
        private final String node;
        private final io.tribune.api.Clock clock;
        private final Scheduler scheduler;
        private final SplittableRandom random;
        /** Outcomes still owed to callers, in the order they were asked for. */
        private final LinkedHashSet<CompletableFuture<?>> pending = new LinkedHashSet<>();
        /** Those of {@link #pending} whose request or chunk was handed to the inner transport. */
        private final LinkedHashSet<CompletableFuture<?>> handedOver = new LinkedHashSet<>();
        private boolean closed;

        Delayed(Transport t, String node, io.tribune.api.Clock clock, Scheduler scheduler, SplittableRandom random) {
            super(t);
            this.node = node;
            this.clock = clock;
            this.scheduler = scheduler;
            this.random = random;
        }

        /** One leg's travel time: the seeded latency plus any retransmissions after losses. */
        private synchronized Duration delay() {
            long d = maxNanos == minNanos ? minNanos : minNanos + random.nextLong(maxNanos - minNanos + 1);
            return Duration.ofNanos(d + lossDelayNanos(random));
        }

        /** Tracks {@code f} until it completes; false (and {@code f} failed) when closed. */
        private synchronized boolean track(CompletableFuture<?> f) {
            if (closed) {
                f.completeExceptionally(closedFailure(true));
                return false;
            }
            pending.add(f);
            f.whenComplete((x, e) -> untrack(f));
            return true;
        }

        private synchronized void untrack(CompletableFuture<?> f) {
            pending.remove(f);
            handedOver.remove(f);
        }

        /** Notes that {@code f}'s request left: from now on its peer may have served it. */
        private synchronized void handedOver(CompletableFuture<?> f) {
            if (pending.contains(f)) {
                handedOver.add(f);
            }
        }

        /**
         * CANCELLED for a closed transport; {@code notDelivered} when the request never left (its delay
         * had not run out), which the SPI lets a caller rely on as "never reached the handler".
         */
        private TransportException closedFailure(boolean notDelivered) {
            return new TransportException(TransportException.Code.CANCELLED, "transport " + delegate.localEndpoint()
                    + " is closed", null, notDelivered);
        }

        @Override
        public void start() {
            delegate.start();
            listening(delegate.localEndpoint(), node);
        }

        /**
         * Sends one leg from {@code from} to {@code to}: after its travel time it arrives and
         * {@code deliver} runs, unless the leg is cut then; a cut leg is sent again at retransmission
         * timeouts, as TCP does, and arrives at the first one after the heal; if the deadline comes
         * first, {@code expire} runs at the deadline instead.
         */
        private void transmit(String from, String to, long deadlineNanos, Runnable deliver, Runnable expire) {
            scheduler.schedule(delay(), () -> arrive(from, to, deadlineNanos, FIRST_RTO_MILLIS, deliver, expire));
        }

        private void arrive(String from, String to, long deadlineNanos, long rtoMillis, Runnable deliver,
                            Runnable expire) {
            if (!cutLeg(from, to)) {
                deliver.run();
                return;
            }
            long now = now();
            long rto = rtoMillis * 1_000_000L;
            if (now + rto >= deadlineNanos) {
                scheduler.schedule(Duration.ofNanos(Math.max(0, deadlineNanos - now)), expire);
                return;
            }
            scheduler.schedule(Duration.ofNanos(rto), () -> arrive(from, to, deadlineNanos,
                    Math.min(MAX_RTO_MILLIS, rtoMillis * 2), deliver, expire));
        }

        /** Completes {@code out} like {@code in}, once the reply from {@code peer} has travelled back. */
        private <T> void relay(CompletableFuture<T> in, CompletableFuture<T> out, String peer, long deadlineNanos) {
            in.whenComplete((v, e) -> transmit(peer, node, deadlineNanos, () -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(v);
                }
            }, () -> expire(out)));
        }

        /** A leg that never arrived: the caller fails at its deadline, not knowing whether it was served. */
        private void expire(CompletableFuture<?> out) {
            out.completeExceptionally(new TransportException(TransportException.Code.DEADLINE_EXCEEDED,
                    "no answer before the deadline (the simulated network was cut)"));
        }

        private long now() {
            return clock.nanos();
        }

        @Override
        public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(timeout, "timeout");
            byte[] copy = request.clone();
            CompletableFuture<byte[]> out = new CompletableFuture<>();
            if (!track(out)) {
                return out;
            }
            long deadline = now() + timeout.toNanos();
            String peer = nodeAt(target);
            transmit(node, peer, deadline, () -> {
                if (out.isDone()) {
                    return;
                }
                handedOver(out);
                // What is left of the caller's time after the request's travel, so that the call
                // fails no later than asked.
                long left = deadline - now();
                Duration innerTimeout = Duration.ofNanos(Math.max(1_000_000L, left));
                CompletableFuture<byte[]> in;
                try {
                    in = delegate.call(target, method, copy, innerTimeout);
                } catch (RuntimeException e) {
                    in = CompletableFuture.failedFuture(e);
                }
                relay(in, out, peer, deadline);
            }, () -> expire(out));
            return out;
        }

        @Override
        public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
            OutboundStream s = delegate.openStream(target, method, timeout);
            String peer = nodeAt(target);
            long deadline = now() + timeout.toNanos();
            return new OutboundStream() {
                @Override
                public CompletableFuture<Void> send(byte[] chunk) {
                    byte[] copy = chunk.clone();
                    CompletableFuture<Void> out = new CompletableFuture<>();
                    if (track(out)) {
                        // The chunk travels; taking the next one is local flow control, at once.
                        transmit(node, peer, deadline, () -> {
                            if (!out.isDone()) {
                                handedOver(out);
                                s.send(copy).whenComplete((v, e) -> {
                                    if (e != null) {
                                        out.completeExceptionally(e);
                                    } else {
                                        out.complete(v);
                                    }
                                });
                            }
                        }, () -> {
                            s.cancel("deadline passed while the simulated network was cut");
                            expire(out);
                        });
                    }
                    return out;
                }

                @Override
                public CompletableFuture<byte[]> finish() {
                    CompletableFuture<byte[]> out = new CompletableFuture<>();
                    if (track(out)) {
                        transmit(node, peer, deadline, () -> {
                            if (!out.isDone()) {
                                handedOver(out);
                                relay(s.finish(), out, peer, deadline);
                            }
                        }, () -> {
                            s.cancel("deadline passed while the simulated network was cut");
                            expire(out);
                        });
                    }
                    return out;
                }

                @Override
                public void cancel(String reason) {
                    s.cancel(reason);
                }
            };
        }

        /**
         * Closes the inner transport, then fails what is still owed with CANCELLED: marked
         * {@code notDelivered} for what had not left yet, not for what the inner transport had.
         */
        @Override
        public void close() {
            List<CompletableFuture<?>> owed;
            List<CompletableFuture<?>> left;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                owed = new ArrayList<>(pending);
                left = new ArrayList<>(handedOver);
                pending.clear();
                handedOver.clear();
            }
            delegate.close();
            for (CompletableFuture<?> f : owed) {
                f.completeExceptionally(closedFailure(!left.contains(f)));
            }
        }
    }
}
