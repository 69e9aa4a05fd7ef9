package io.tribune.gossip.swim.internal.driver;

import io.tribune.api.Cancellable;
import io.tribune.api.Metrics;
import io.tribune.api.PluginContext;
import io.tribune.api.Subscription;
import io.tribune.api.membership.Keyring;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.NetworkCoordinate;
import io.tribune.api.membership.Pool;
import io.tribune.api.membership.Query;
import io.tribune.api.membership.QueryHandler;
import io.tribune.api.membership.QueryLimits;
import io.tribune.api.membership.QueryResult;
import io.tribune.api.membership.UserEvent;
import io.tribune.gossip.swim.internal.core.Addr;
import io.tribune.gossip.swim.internal.core.MalformedMessageException;
import io.tribune.gossip.swim.internal.core.Msg;
import io.tribune.gossip.swim.internal.core.SwimNode;
import io.tribune.gossip.swim.internal.core.SwimTiming;
import io.tribune.gossip.swim.internal.core.Vivaldi;
import io.tribune.gossip.swim.internal.core.WireCodec;
import io.tribune.gossip.swim.internal.crypto.GossipKeyring;
import io.tribune.gossip.swim.internal.crypto.PacketCrypto;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Membership} that runs a {@link SwimNode} over real sockets.
 *
 * <p>Threads: one UDP receiver, one TCP acceptor, and a small bounded pool for TCP exchanges
 * (push-pull, fallback probes, joins), all owned here and stopped by {@link #close()}. The clock
 * tick comes from the platform scheduler. The core is confined by {@link #lock}; every call into
 * it is followed by {@link #flushLocked()}, which sends its packets, hands stream calls to the pool
 * and queues its events on the platform's serial executor while still holding the lock, so that
 * listeners see events in the order the core produced them.
 *
 * <p>Queries ({@link #queries()}): the core disseminates them and collects the answers; this
 * driver runs the local handlers on the same serial executor as the listeners (one at a time, in
 * the order the queries arrived), hands their outcomes back to the core, and completes the
 * futures of {@code query} on that executor too. A member without a handler for a query's name
 * answers it as FAILED with "no handler for query 'NAME'".
 */
public final class SwimMembership implements Membership {
    private static final int STREAM_THREADS = 4;
    private static final int STREAM_QUEUE = 256;

    private final MembershipSetup setup;
    private final SwimTiming timing;
    private final PacketCrypto crypto;
    private final int udpPacketBytes;
    private final Duration streamTimeout;
    /** The waits before each retry of a join that reached no seed ({@link #joinRetryDelays}). */
    private final List<Duration> joinRetryDelays;
    private final PluginContext context;
    private final System.Logger log;
    private final Executor events;
    private final CopyOnWriteArrayList<Sub> subscribers = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private final Map<String, AtomicLong> drops = new ConcurrentHashMap<>();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong packetsSent = new AtomicLong();
    private final AtomicLong packetsReceived = new AtomicLong();
    private final Metrics metrics;
    private final QueryLimits queryLimits;
    /** Local query handlers by name; lookups only. */
    private final Map<String, QueryHandler> handlers = new ConcurrentHashMap<>();
    /** Futures of this node's queries in flight, by the core's query id. */
    private final Map<Long, CompletableFuture<QueryResult>> pendingQueries = new ConcurrentHashMap<>();
    private final Queries queries = new Queries();

    private SwimNode node;
    private DatagramSocket udp;
    private ServerSocket tcp;
    /** Outbound exchanges (push-pull, fallback pings, joins). */
    private ThreadPoolExecutor streams;
    /** Inbound exchanges, apart from outbound ones so that a node joining itself cannot starve. */
    private ThreadPoolExecutor inbound;
    private Thread udpThread;
    private Thread tcpThread;
    private Cancellable ticker;
    private volatile boolean started;
    private volatile boolean closed;
    /** After a completed leave the node stays silent: it neither answers nor probes. */
    private volatile boolean silent;
    /** A live update's hand-over (-1: none), applied to the core before it starts. */
    private long resumeIncarnation = -1;
    private long resumeEventClock = -1;

    /** Creates an unstarted instance; see {@code SwimConfig} for the parameters' keys and defaults. */
    public SwimMembership(MembershipSetup setup, SwimTiming timing, GossipKeyring keyring, String label,
                          int udpPacketBytes, Duration streamTimeout, int joinRetries, Duration joinRetryInterval,
                          PluginContext context) {
        this.setup = setup;
        this.timing = timing.validate();
        this.udpPacketBytes = udpPacketBytes;
        this.streamTimeout = streamTimeout;
        this.joinRetryDelays = joinRetryDelays(joinRetries, joinRetryInterval);
        this.context = context;
        this.log = context.logger("gossip-swim");
        this.events = context.scheduler().serial("gossip-swim-events-" + setup.nodeName());
        this.metrics = context.metrics();
        this.crypto = keyring == null ? null : new PacketCrypto(keyring, label, new SecureRandom());
        SwimNode.checkName(setup.nodeName());
        SwimNode.checkTags(setup.tags());
        this.queryLimits = SwimNode.queryLimits(setup.nodeName(), setup.advertiseHost(), packetBudget());
    }

    /**
     * Continues a previous instance of this member (a live update of the plugin): the core starts at
     * an incarnation above {@code incarnation} and a user-event clock of at least {@code eventClock}
     * ({@link SwimNode#resume}). Call before {@link #start()}; the factory does so when the host sets
     * {@code gossip-swim.handover.*}.
     *
     * @throws IllegalStateException after {@link #start()}
     */
    public void resumeFrom(long incarnation, long eventClock) {
        synchronized (lock) {
            if (started || closed) {
                throw new IllegalStateException("gossip-swim '" + setup.nodeName() + "' resumes only before start");
            }
            if (incarnation < 0 || eventClock < 0 || incarnation == Long.MAX_VALUE) {
                throw new IllegalArgumentException("hand-over incarnation " + incarnation + " or event clock "
                        + eventClock + " out of range");
            }
            resumeIncarnation = incarnation;
            resumeEventClock = eventClock;
        }
    }

    /** The core's budget: the UDP size less the encryption envelope. */
    private int packetBudget() {
        return udpPacketBytes - (crypto == null ? 0 : PacketCrypto.OVERHEAD);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("gossip-swim '" + setup.nodeName() + "' is closed");
            }
            if (started) {
                return;
            }
            bind();
            Addr self = new Addr(setup.advertiseHost(), udp.getLocalPort());
            // The core's budget leaves room for the encryption envelope within the UDP size.
            node = new SwimNode(setup.nodeName(), self, setup.tags(), timing, context.random(), packetBudget());
            if (resumeIncarnation >= 0) {
                node.resume(resumeIncarnation, resumeEventClock);
            }
            node.start(now());
            AtomicInteger n = new AtomicInteger();
            streams = new ThreadPoolExecutor(STREAM_THREADS, STREAM_THREADS, 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(STREAM_QUEUE), r -> {
                        Thread t = new Thread(r, "gossip-swim-stream-" + setup.nodeName() + "-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            streams.allowCoreThreadTimeOut(true);
            inbound = new ThreadPoolExecutor(STREAM_THREADS, STREAM_THREADS, 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(STREAM_QUEUE), r -> {
                        Thread t = new Thread(r, "gossip-swim-serve-" + setup.nodeName() + "-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            inbound.allowCoreThreadTimeOut(true);
            metrics.gauge("members.alive", this::aliveGauge);
            metrics.gauge("health.score", this::healthGauge);
            // The core's own counts, read when metrics are read (the host maps them to memberlist's
            // names: docs/metrics.md), and the bytes this pool sent and received (UDP and TCP).
            for (String k : List.of("probe.sent", "probe.failed", "probe.indirect", "suspect.raised", "dead.declared",
                    "gossip.packets", "pushpull.started", "refute")) {
                metrics.counter(k, () -> coreCount(k));
            }
            metrics.counter("bytes.sent", bytesSent::get);
            metrics.counter("bytes.received", bytesReceived::get);
            udpThread = daemon("gossip-swim-udp-" + setup.nodeName(), this::udpLoop);
            tcpThread = daemon("gossip-swim-tcp-" + setup.nodeName(), this::tcpLoop);
            udpThread.start();
            tcpThread.start();
            ticker = context.scheduler().scheduleWithFixedDelay(timing.tick(), timing.tick(), this::tick);
            started = true;
            flushLocked();
            log.log(System.Logger.Level.INFO, "gossip-swim " + setup.pool() + " pool '" + setup.nodeName() + "' on "
                    + self + " (profile " + timing.name() + (crypto == null ? "" : ", encrypted") + ")");
        }
    }

    private void bind() {
        InetAddress host;
        try {
            host = InetAddress.getByName(setup.bindHost());
        } catch (IOException e) {
            throw new IllegalStateException("cannot resolve gossip bind address '" + setup.bindHost() + "'", e);
        }
        // UDP and TCP share one port number; with port 0, retry until both halves get the same one.
        IOException last = null;
        for (int attempt = 0; attempt < (setup.bindPort() == 0 ? 20 : 1); attempt++) {
            DatagramSocket u = null;
            try {
                u = new DatagramSocket(new InetSocketAddress(host, setup.bindPort()));
                ServerSocket t = new ServerSocket();
                try {
                    t.setReuseAddress(true);
                    t.bind(new InetSocketAddress(host, u.getLocalPort()), 128);
                } catch (IOException e) {
                    t.close();
                    throw e;
                }
                u.setReceiveBufferSize(1 << 20);
                udp = u;
                tcp = t;
                return;
            } catch (IOException e) {
                last = e;
                if (u != null) {
                    u.close();
                }
            }
        }
        throw new IllegalStateException("cannot bind gossip UDP+TCP on " + setup.bindHost() + ":" + setup.bindPort()
                + ": " + (last == null ? "unknown" : last.getMessage()), last);
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            silent = true;
            if (ticker != null) {
                ticker.cancel();
            }
        }
        if (udp != null) {
            udp.close();
        }
        if (tcp != null) {
            try {
                tcp.close();
            } catch (IOException e) {
                log.log(System.Logger.Level.DEBUG, "closing TCP listener: " + e.getMessage());
            }
        }
        if (streams != null) {
            streams.shutdownNow();
            inbound.shutdownNow();
            // A live update refreshes this bundle after close(): its threads must be gone by then, or
            // they fail on classes of a class loader that is no longer there. Queued exchanges are
            // dropped; one in progress ends within its stream timeout, and the wait is bounded.
            try {
                if (!streams.awaitTermination(2, TimeUnit.SECONDS) || !inbound.awaitTermination(2, TimeUnit.SECONDS)) {
                    log.log(System.Logger.Level.WARNING, "gossip-swim '" + setup.nodeName()
                            + "': stream threads still running 2 s after close");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Thread t : new Thread[] {udpThread, tcpThread}) {
            if (t != null && t != Thread.currentThread()) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (Sub s : subscribers) {
            s.close();
        }
        failPendingQueries("closed");
    }

    /** Fails the queries still in flight: once silent or closed, the core no longer ticks to finish them. */
    private void failPendingQueries(String why) {
        for (Long id : List.copyOf(pendingQueries.keySet())) {
            CompletableFuture<QueryResult> f = pendingQueries.remove(id);
            if (f != null) {
                f.completeExceptionally(new IllegalStateException("gossip-swim '" + setup.nodeName() + "' " + why
                        + " before its query finished"));
            }
        }
    }

    private long aliveGauge() {
        synchronized (lock) {
            return node == null ? 0 : node.aliveCount();
        }
    }

    private long healthGauge() {
        synchronized (lock) {
            return node == null ? 0 : node.healthScore();
        }
    }

    private long now() {
        return context.clock().millis();
    }

    // ------------------------------------------------------------------ core plumbing

    private void tick() {
        synchronized (lock) {
            if (closed || silent || node == null) {
                return;
            }
            node.tick(now());
            flushLocked();
        }
    }

    /** Carries out the core's outputs; must hold {@link #lock}. */
    private void flushLocked() {
        for (SwimNode.Out o : node.drainOutputs()) {
            if (o instanceof SwimNode.Packet p) {
                sendPacket(p);
            } else if (o instanceof SwimNode.StreamCall c) {
                submit(() -> streamCall(c.to(), c.request()));
            }
        }
        for (Object e : node.drainEvents()) {
            if (e instanceof SwimNode.QueryRequest q) {
                events.execute(() -> dispatchQuery(q));
            } else if (e instanceof SwimNode.QueryDone d) {
                CompletableFuture<QueryResult> f = pendingQueries.remove(d.id());
                if (f != null) {
                    events.execute(() -> f.complete(d.result()));
                }
            } else {
                for (Sub s : subscribers) {
                    events.execute(() -> s.deliver(e));
                }
            }
        }
    }

    /** Runs the local handler of a query; on the serial event executor. */
    private void dispatchQuery(SwimNode.QueryRequest q) {
        QueryHandler.run(handlers.get(q.name()), new Query(q.name(), q.payload().clone(), q.origin()),
                (answer, failure) -> answerQuery(q, answer, failure));
    }

    private void answerQuery(SwimNode.QueryRequest q, byte[] answer, String failure) {
        synchronized (lock) {
            if (closed || silent || node == null) {
                return;
            }
            node.answerQuery(q, answer, failure, now());
            flushLocked();
        }
    }

    private void submit(Runnable r) {
        try {
            streams.execute(r);
        } catch (RejectedExecutionException e) {
            drop("stream.rejected");
        }
    }

    private void sendPacket(SwimNode.Packet p) {
        if (silent) {
            return;
        }
        byte[] plain = WireCodec.encodePacket(p.msgs());
        byte[] wire = crypto == null ? plain : crypto.seal(plain);
        try {
            udp.send(new DatagramPacket(wire, wire.length, new InetSocketAddress(p.to().host(), p.to().port())));
            bytesSent.addAndGet(wire.length);
            packetsSent.incrementAndGet();
        } catch (IOException | IllegalArgumentException e) {
            drop("send.failed");
        }
    }

    private void udpLoop() {
        byte[] buf = new byte[65_536];
        DatagramPacket dp = new DatagramPacket(buf, buf.length);
        while (!closed) {
            try {
                dp.setLength(buf.length);
                udp.receive(dp);
            } catch (IOException e) {
                if (!closed) {
                    drop("receive.failed");
                }
                continue;
            }
            if (silent) {
                continue;
            }
            int len = dp.getLength();
            bytesReceived.addAndGet(len);
            packetsReceived.incrementAndGet();
            try {
                handleDatagram(buf, len);
            } catch (RuntimeException e) {
                // Never let one bad packet stop the receiver.
                drop("handler.error");
                log.log(System.Logger.Level.WARNING, "gossip packet handling failed", e);
            }
        }
    }

    private void handleDatagram(byte[] buf, int len) {
        if (len > udpPacketBytes + 64) {
            drop("oversized");
            return;
        }
        byte[] plain;
        if (crypto != null) {
            try {
                plain = crypto.open(buf, 0, len);
            } catch (PacketCrypto.OpenException e) {
                drop(e.failure().name().toLowerCase(java.util.Locale.ROOT));
                return;
            }
        } else {
            if (len > 0 && (buf[0] & 0xFF) == PacketCrypto.SEALED_VERSION) {
                drop("encrypted.refused");
                return;
            }
            plain = java.util.Arrays.copyOf(buf, len);
        }
        List<Msg> msgs;
        try {
            msgs = WireCodec.decodePacket(plain, 0, plain.length);
        } catch (MalformedMessageException e) {
            drop("malformed");
            return;
        }
        synchronized (lock) {
            if (closed || silent) {
                return;
            }
            node.receivePacket(msgs, now());
            flushLocked();
        }
    }

    private void tcpLoop() {
        while (!closed) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    drop("accept.failed");
                }
                continue;
            }
            try {
                inbound.execute(() -> serveStream(s));
            } catch (RejectedExecutionException e) {
                drop("stream.rejected");
                closeQuietly(s);
            }
        }
    }

    private void serveStream(Socket s) {
        try (s) {
            s.setSoTimeout((int) streamTimeout.toMillis());
            Msg req = readFrame(new DataInputStream(s.getInputStream()));
            if (req == null) {
                return;
            }
            Msg resp;
            synchronized (lock) {
                if (closed || silent) {
                    return;
                }
                resp = node.handleStream(req, now());
                flushLocked();
            }
            if (resp != null) {
                writeFrame(new DataOutputStream(s.getOutputStream()), resp);
            }
        } catch (IOException e) {
            drop("stream.io");
        }
    }

    /** Performs one request/response exchange; returns the response or null on failure. */
    private Msg exchange(Addr to, Msg request) {
        try (Socket s = new Socket()) {
            int timeout = (int) streamTimeout.toMillis();
            s.connect(new InetSocketAddress(to.host(), to.port()), timeout);
            s.setSoTimeout(timeout);
            writeFrame(new DataOutputStream(s.getOutputStream()), request);
            return readFrame(new DataInputStream(s.getInputStream()));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private void streamCall(Addr to, Msg request) {
        Msg resp = exchange(to, request);
        if (resp == null) {
            return;
        }
        synchronized (lock) {
            if (closed || silent) {
                return;
            }
            node.streamResponse(resp, now());
            flushLocked();
        }
    }

    private void writeFrame(DataOutputStream out, Msg m) throws IOException {
        byte[] plain = WireCodec.encodeStream(m);
        byte[] wire = crypto == null ? plain : crypto.seal(plain);
        out.writeInt(wire.length);
        out.write(wire);
        out.flush();
        bytesSent.addAndGet(wire.length + 4L);
    }

    private Msg readFrame(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len <= 0 || len > WireCodec.MAX_STREAM_BYTES + PacketCrypto.OVERHEAD) {
            drop("stream.oversized");
            return null;
        }
        byte[] wire = new byte[len];
        in.readFully(wire);
        bytesReceived.addAndGet(len + 4L);
        byte[] plain;
        if (crypto != null) {
            try {
                plain = crypto.open(wire, 0, len);
            } catch (PacketCrypto.OpenException e) {
                drop("stream." + e.failure().name().toLowerCase(java.util.Locale.ROOT));
                return null;
            }
        } else {
            if ((wire[0] & 0xFF) == PacketCrypto.SEALED_VERSION) {
                drop("stream.encrypted.refused");
                return null;
            }
            plain = wire;
        }
        try {
            return WireCodec.decodeStream(plain);
        } catch (MalformedMessageException e) {
            drop("stream.malformed");
            return null;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do: the peer sees a reset
        }
    }

    /** A count of the core's, for the metrics; 0 before start. */
    private long coreCount(String key) {
        synchronized (lock) {
            return node == null ? 0 : node.counters().getOrDefault(key, 0L);
        }
    }

    private void drop(String reason) {
        drops.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
        metrics.counter("dropped." + reason).increment();
    }

    // ------------------------------------------------------------------ Membership API

    private IllegalStateException notRunning() {
        if (closed) {
            return new IllegalStateException("gossip-swim '" + setup.nodeName() + "' is closed");
        }
        if (!started) {
            return new IllegalStateException("gossip-swim '" + setup.nodeName() + "' is not started");
        }
        if (silent) {
            return new IllegalStateException("gossip-swim '" + setup.nodeName() + "' has left the pool");
        }
        return null;
    }

    @Override
    public Member localMember() {
        synchronized (lock) {
            if (node == null) {
                return new Member(setup.nodeName(), setup.advertiseHost(), setup.bindPort() == 0
                        ? defaultPort() : setup.bindPort(), setup.tags(), MemberStatus.ALIVE, 0);
            }
            return node.localMember();
        }
    }

    private int defaultPort() {
        return setup.pool() == Pool.WAN ? 8302 : 8301;
    }

    @Override
    public List<Member> members() {
        synchronized (lock) {
            return node == null ? List.of(localMember()) : node.members();
        }
    }

    @Override
    public CompletableFuture<Integer> join(List<String> seeds) {
        Objects.requireNonNull(seeds, "seeds");
        if (seeds.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("join needs at least one seed address"));
        }
        if (seeds.size() > 1024) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(seeds.size() + " seeds exceed 1024"));
        }
        List<Addr> addrs = new ArrayList<>();
        try {
            for (String s : seeds) {
                addrs.add(Addr.parse(s, defaultPort()));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("bad seed address: " + e.getMessage()));
        }
        IllegalStateException bad = notRunning();
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        CompletableFuture<Integer> result = new CompletableFuture<>();
        attemptJoin(addrs, 0, result);
        return result;
    }

    /** The first wait before retrying a join that reached no seed; later waits double up to the interval. */
    static final Duration FIRST_JOIN_RETRY = Duration.ofMillis(100);

    /**
     * The waits before each retry of a join that reached no seed: a join keeps trying for
     * {@code retries × interval} in all (the window {@code gossip-swim.join-retries} and
     * {@code gossip-swim.join-retry-interval} describe), but the first retries come sooner, 100 ms
     * then doubling up to {@code interval}, the last one shortened to end the window exactly. At a
     * cluster's start the seed is usually a server starting at the same moment, whose port opens a
     * fraction of a second after the first refused attempt; waiting a whole interval then cost up to
     * a second of every start (issue 19). A refused connection on a LAN costs next to nothing, so the
     * few extra attempts are cheap. Pure; at most {@code retries + 17} waits for the bounded inputs.
     *
     * @param retries  {@code gossip-swim.join-retries}, 0..100 (0: no retry)
     * @param interval {@code gossip-swim.join-retry-interval}, positive
     */
    static List<Duration> joinRetryDelays(int retries, Duration interval) {
        if (retries < 0 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("join retries " + retries + " and interval " + interval
                    + " must be at least 0 and positive");
        }
        List<Duration> out = new ArrayList<>();
        Duration left = interval.multipliedBy(retries);
        Duration next = FIRST_JOIN_RETRY.compareTo(interval) < 0 ? FIRST_JOIN_RETRY : interval;
        while (!left.isZero()) {
            Duration d = next.compareTo(left) < 0 ? next : left;
            out.add(d);
            left = left.minus(d);
            Duration doubled = next.multipliedBy(2);
            next = doubled.compareTo(interval) < 0 ? doubled : interval;
        }
        return List.copyOf(out);
    }

    private void attemptJoin(List<Addr> seeds, int attempt, CompletableFuture<Integer> result) {
        try {
            streams.execute(() -> {
                int ok = 0;
                for (Addr a : seeds) {
                    Msg.PushPull mine;
                    synchronized (lock) {
                        if (closed) {
                            result.completeExceptionally(notRunning());
                            return;
                        }
                        mine = node.localState(true);
                    }
                    Msg resp = exchange(a, mine);
                    if (resp instanceof Msg.PushPull) {
                        ok++;
                        synchronized (lock) {
                            if (!closed) {
                                node.streamResponse(resp, now());
                                flushLocked();
                            }
                        }
                    }
                }
                if (ok > 0) {
                    result.complete(ok);
                } else if (attempt < joinRetryDelays.size() && !closed) {
                    context.scheduler().schedule(joinRetryDelays.get(attempt),
                            () -> attemptJoin(seeds, attempt + 1, result));
                } else {
                    result.completeExceptionally(new IllegalStateException("could not contact any of " + seeds.size()
                            + " seed(s) " + seeds + " after " + (attempt + 1) + " attempt(s)"));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("gossip-swim '" + setup.nodeName()
                    + "' is closed or overloaded"));
        }
    }

    @Override
    public CompletableFuture<Void> leave(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        IllegalStateException bad = notRunning();
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        long deadline = now() + Math.max(0, timeout.toMillis());
        synchronized (lock) {
            node.leave(now());
            flushLocked();
        }
        // Wait until the leave has gone out in a gossip round, then two more rounds so that the
        // receivers can relay it, or until the timeout.
        long settle = 2 * timing.gossipInterval().toMillis();
        AtomicLong sentAt = new AtomicLong(-1);
        Cancellable[] poll = new Cancellable[1];
        poll[0] = context.scheduler().scheduleWithFixedDelay(Duration.ZERO, timing.tick(), () -> {
            long t = now();
            boolean sent;
            synchronized (lock) {
                sent = node.leaveSent();
            }
            if (sent && sentAt.get() < 0) {
                sentAt.set(t);
            }
            if ((sentAt.get() >= 0 && t - sentAt.get() >= settle) || t >= deadline || closed) {
                silent = true;
                failPendingQueries("left the pool");
                if (poll[0] != null) {
                    poll[0].cancel();
                }
                done.complete(null);
            }
        });
        if (done.isDone()) {
            // The first run may finish before poll[0] was assigned.
            poll[0].cancel();
        }
        return done;
    }

    @Override
    public CompletableFuture<Void> forceLeave(String name, boolean prune) {
        Objects.requireNonNull(name, "name");
        IllegalStateException bad = notRunning();
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        synchronized (lock) {
            try {
                node.forceLeave(name, prune, now());
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
            flushLocked();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> updateTags(Map<String, String> tags) {
        Objects.requireNonNull(tags, "tags");
        try {
            SwimNode.checkTags(tags);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        IllegalStateException bad = notRunning();
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        synchronized (lock) {
            try {
                node.updateTags(tags, now());
            } catch (IllegalStateException e) {
                return CompletableFuture.failedFuture(e);
            }
            flushLocked();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> broadcast(String name, byte[] payload, boolean coalesce) {
        Objects.requireNonNull(name, "name");
        byte[] body = payload == null ? new byte[0] : payload.clone();
        SwimNode.checkUserEvent(name, body);
        IllegalStateException bad = notRunning();
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        synchronized (lock) {
            node.broadcastUser(name, body, coalesce, now());
            flushLocked();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Subscription subscribe(MembershipListener listener) {
        Sub s = new Sub(Objects.requireNonNull(listener, "listener"));
        subscribers.add(s);
        return s;
    }

    @Override
    public Optional<MemberQueries> queries() {
        return Optional.of(queries);
    }

    @Override
    public Optional<Keyring> keyring() {
        return crypto == null ? Optional.empty() : Optional.of(crypto.keyring());
    }

    /**
     * The local Vivaldi coordinate converted from the core's milliseconds to seconds, with the
     * adjustment term; empty before {@link #start()}, with coordinates turned off, and until the first
     * probe has been answered with a coordinate (a coordinate at the origin says nothing yet).
     */
    @Override
    public Optional<NetworkCoordinate> coordinate() {
        synchronized (lock) {
            if (node == null || !node.coordinateSampled()) {
                return Optional.empty();
            }
            return Optional.of(seconds(node.coordinate(), node.coordinateAdjustment()));
        }
    }

    /**
     * The coordinate {@code member} sent with its last probe answer, in seconds; gossip does not carry
     * the adjustment, so it is 0 here.
     */
    @Override
    public Optional<NetworkCoordinate> coordinateOf(String member) {
        synchronized (lock) {
            if (node == null) {
                return Optional.empty();
            }
            if (member.equals(setup.nodeName())) {
                return coordinate();
            }
            Vivaldi.Coordinate c = node.coordinateOf(member);
            return c == null ? Optional.empty() : Optional.of(seconds(c, 0));
        }
    }

    private static NetworkCoordinate seconds(Vivaldi.Coordinate c, double adjustmentMillis) {
        double[] v = c.vec();
        List<Double> vec = new ArrayList<>(v.length);
        for (double x : v) {
            vec.add(x / 1000.0);
        }
        return new NetworkCoordinate(vec, c.error(), adjustmentMillis / 1000.0, c.height() / 1000.0);
    }

    @Override
    public Map<String, String> stats() {
        Map<String, String> out = new LinkedHashMap<>();
        synchronized (lock) {
            out.put("profile", timing.name());
            out.put("encrypted", Boolean.toString(crypto != null));
            if (node != null) {
                List<Member> ms = node.members();
                out.put("members", Integer.toString(ms.size()));
                for (MemberStatus st : MemberStatus.values()) {
                    long c = ms.stream().filter(m -> m.status() == st).count();
                    out.put("members." + st.name().toLowerCase(java.util.Locale.ROOT), Long.toString(c));
                }
                out.put("health.score", Integer.toString(node.healthScore()));
                out.put("event.clock", Long.toString(node.eventClock()));
                out.put("broadcasts.queued", Integer.toString(node.queuedBroadcasts()));
                out.put("queries.pending", Integer.toString(node.pendingQueries()));
                node.counters().forEach((k, v) -> out.put("core." + k, Long.toString(v)));
                var coord = node.coordinate();
                out.put("coordinate.error", String.format(java.util.Locale.ROOT, "%.3f", coord.error()));
                out.put("coordinate.height.ms", String.format(java.util.Locale.ROOT, "%.3f", coord.height()));
            }
        }
        out.put("bytes.sent", Long.toString(bytesSent.get()));
        out.put("bytes.received", Long.toString(bytesReceived.get()));
        out.put("packets.sent", Long.toString(packetsSent.get()));
        out.put("packets.received", Long.toString(packetsReceived.get()));
        new java.util.TreeMap<>(drops).forEach((k, v) -> out.put("dropped." + k, Long.toString(v.get())));
        return out;
    }

    /**
     * The query capability (dissemination, retries and limits: see {@link SwimNode} and the README).
     * Limits: those of {@link QueryLimits#DEFAULT}, lowered where one UDP
     * packet ({@code gossip-swim.udp-packet-bytes} less the encryption envelope) could not hold a
     * query or an answer; at most {@link SwimNode#MAX_PENDING_QUERIES} of this node's queries in
     * flight.
     */
    private final class Queries implements MemberQueries {
        @Override
        public QueryLimits limits() {
            return queryLimits;
        }

        @Override
        public Subscription handle(String name, QueryHandler handler) {
            SwimNode.checkQueryName(name);
            Objects.requireNonNull(handler, "handler");
            if (closed) {
                throw new IllegalStateException("gossip-swim '" + setup.nodeName() + "' is closed");
            }
            if (handlers.putIfAbsent(name, handler) != null) {
                throw new IllegalStateException("a handler for query '" + name + "' is already registered");
            }
            AtomicBoolean open = new AtomicBoolean(true);
            return () -> {
                if (open.compareAndSet(true, false)) {
                    handlers.remove(name, handler);
                }
            };
        }

        @Override
        public CompletableFuture<QueryResult> query(String name, byte[] payload, Duration timeout) {
            byte[] body = payload == null ? new byte[0] : payload.clone();
            SwimNode.checkQuery(name, body, timeout, queryLimits);
            CompletableFuture<QueryResult> f = new CompletableFuture<>();
            synchronized (lock) {
                IllegalStateException bad = notRunning();
                if (bad != null) {
                    return CompletableFuture.failedFuture(bad);
                }
                long id;
                try {
                    id = node.startQuery(name, body, timeout, now());
                } catch (IllegalStateException e) {
                    return CompletableFuture.failedFuture(e);
                }
                pendingQueries.put(id, f);
                flushLocked();
            }
            return f;
        }
    }

    /** One listener registration. */
    private final class Sub implements Subscription {
        private final MembershipListener listener;
        private volatile boolean active = true;

        Sub(MembershipListener listener) {
            this.listener = listener;
        }

        void deliver(Object e) {
            if (!active) {
                return;
            }
            try {
                if (e instanceof MemberEvent me) {
                    listener.onMemberEvent(me);
                } else if (e instanceof UserEvent ue) {
                    listener.onUserEvent(ue);
                }
            } catch (RuntimeException ex) {
                log.log(System.Logger.Level.WARNING, "membership listener threw", ex);
            }
        }

        @Override
        public void close() {
            active = false;
            subscribers.remove(this);
        }
    }
}
