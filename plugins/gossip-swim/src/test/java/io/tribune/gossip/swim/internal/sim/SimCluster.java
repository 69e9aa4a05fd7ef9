package io.tribune.gossip.swim.internal.sim;

import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.gossip.swim.internal.core.Addr;
import io.tribune.gossip.swim.internal.core.MalformedMessageException;
import io.tribune.gossip.swim.internal.core.Msg;
import io.tribune.gossip.swim.internal.core.SwimNode;
import io.tribune.gossip.swim.internal.core.SwimTiming;
import io.tribune.gossip.swim.internal.core.WireCodec;
import io.tribune.testkit.SimScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A whole SWIM cluster in one thread: every {@link SwimNode} runs on one {@link SimScheduler}
 * (virtual time), and packets cross a simulated network with latency, loss, crashed and stalled
 * nodes. Every packet is encoded and decoded with the real {@link WireCodec}, so byte counts are
 * real. A run is a pure function of its seed; {@link #fail(String)} puts the seed in the message.
 *
 * <p>Checks the invariant "a member never returns from FAILED/LEFT at the same incarnation" on
 * every event.
 *
 * <p>Queries: every live node answers each {@link SwimNode.QueryRequest} at once with its own
 * name, as a driver whose handler completes immediately would; sinks see the requests and the
 * {@link SwimNode.QueryDone}s like any other event. {@link #lostQueryAnswers()} counts the answer
 * packets the simulated network dropped, {@link #deliveredAnswersFrom()} who got at least one through.
 */
public final class SimCluster {
    /** Receives every event of every node: (node, event, virtual millis). */
    public interface EventSink {
        void on(Node node, Object event, long nowMillis);
    }

    /** One simulated member. */
    public final class Node {
        public final String name;
        public final Addr addr;
        public final SwimNode core;
        boolean crashed;
        long stallUntilMillis;
        long bytesSent;
        double x;
        double y;
        int side;

        Node(String name, Addr addr, SwimNode core) {
            this.name = name;
            this.addr = addr;
            this.core = core;
        }

        public boolean crashed() {
            return crashed;
        }

        /** This node's view of {@code other}'s status, or null. */
        public MemberStatus statusOf(String other) {
            var m = core.member(other);
            return m == null ? null : m.status();
        }
    }

    private final long seed;
    private final SwimTiming timing;
    private final SimScheduler sched = new SimScheduler();
    private final SplittableRandom net;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<Addr, Node> byAddr = new HashMap<>();
    private final Map<String, Long> deadAt = new HashMap<>();
    private final List<EventSink> sinks = new ArrayList<>();
    private double loss;
    private long latencyMinMillis = 1;
    private long latencyJitterMillis = 4;
    private double geometrySideMillis;
    private long totalBytes;
    private long totalPackets;
    private long decodeFailures;
    private long lostQueryAnswers;
    private final java.util.Set<String> deliveredAnswersFrom = new java.util.TreeSet<>();

    public SimCluster(long seed, SwimTiming timing) {
        this.seed = seed;
        this.timing = timing;
        this.net = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    public SimCluster loss(double fraction) {
        this.loss = fraction;
        return this;
    }

    public SimCluster latency(long minMillis, long jitterMillis) {
        this.latencyMinMillis = minMillis;
        this.latencyJitterMillis = jitterMillis;
        return this;
    }

    /**
     * Places nodes added from now on at random points of a square of side {@code sideMillis}; the
     * one-way latency between two nodes becomes the minimum latency plus their distance (plus jitter).
     * This gives round trips a geometry that network coordinates can learn.
     */
    public SimCluster geometry(double sideMillis) {
        this.geometrySideMillis = sideMillis;
        return this;
    }

    /** The true mean round trip between two nodes, ms. */
    public double trueRttMillis(Node a, Node b) {
        return 2 * (latencyMinMillis + Math.hypot(a.x - b.x, a.y - b.y) + latencyJitterMillis / 2.0);
    }

    public void onEvent(EventSink sink) {
        sinks.add(sink);
    }

    public long nowMillis() {
        return sched.clock().millis();
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node node(int i) {
        return nodes.get(i);
    }

    public long totalBytes() {
        return totalBytes;
    }

    public long totalPackets() {
        return totalPackets;
    }

    public long decodeFailures() {
        return decodeFailures;
    }

    /** Query answer packets lost to simulated packet loss. */
    public long lostQueryAnswers() {
        return lostQueryAnswers;
    }

    /** Members at least one of whose query answers was delivered (to a live node), sorted. */
    public java.util.Set<String> deliveredAnswersFrom() {
        return deliveredAnswersFrom;
    }

    /** Adds and starts a node; its ticks begin at once. */
    public Node add(String name) {
        int i = nodes.size();
        Addr a = new Addr("10." + (i / 65536) + "." + ((i / 256) % 256) + "." + (i % 256), 7946);
        SwimNode core = new SwimNode(name, a, Map.of("role", "node", "dc", "sim"), timing,
                new SplittableRandom(seed * 1_000_003L + i), 1400);
        Node n = new Node(name, a, core);
        if (geometrySideMillis > 0) {
            n.x = net.nextDouble() * geometrySideMillis;
            n.y = net.nextDouble() * geometrySideMillis;
        }
        nodes.add(n);
        byAddr.put(a, n);
        core.start(nowMillis());
        flush(n);
        sched.scheduleWithFixedDelay(timing.tick(), timing.tick(), () -> {
            if (!n.crashed && nowMillis() >= n.stallUntilMillis) {
                n.core.tick(nowMillis());
                flush(n);
            }
        });
        return n;
    }

    /** {@code n} joins through {@code seedNode} with a push-pull exchange, as the driver does. */
    public void join(Node n, Node seedNode) {
        stream(n, seedNode.addr, n.core.localState(true));
    }

    /** {@code from} starts a query now (its own handler answers at once, as every node's does). */
    public long startQuery(Node from, String name, byte[] payload, Duration timeout) {
        long id = from.core.startQuery(name, payload, timeout, nowMillis());
        flush(from);
        return id;
    }

    /** Stops a node for good: it sends and receives nothing more. */
    public void crash(Node n) {
        n.crashed = true;
    }

    /** Freezes a node (a long GC pause): its timers and inbound packets wait until the stall ends. */
    public void stall(Node n, Duration d) {
        n.stallUntilMillis = Math.max(n.stallUntilMillis, nowMillis() + d.toMillis());
    }

    /** Cuts every path between {@code sideB} and the rest, in both directions, until {@link #heal()}. */
    public void partition(java.util.Collection<Node> sideB) {
        for (Node n : nodes) {
            n.side = 0;
        }
        for (Node n : sideB) {
            n.side = 1;
        }
    }

    /** Removes the partition. */
    public void heal() {
        for (Node n : nodes) {
            n.side = 0;
        }
    }

    public void runFor(Duration d) {
        sched.runFor(d);
    }

    /**
     * Runs until {@code cond} holds, checking it every {@link #POLL} of virtual time (checking
     * before every task would make whole-cluster conditions quadratic); event times are recorded
     * by the sinks, so this does not blur measurements.
     */
    public boolean runUntil(BooleanSupplier cond, Duration limit) {
        long end = nowMillis() + limit.toMillis();
        while (!cond.getAsBoolean()) {
            if (nowMillis() >= end) {
                return false;
            }
            sched.runFor(Duration.ofMillis(Math.min(POLL.toMillis(), end - nowMillis())));
        }
        return true;
    }

    /** Granularity of {@link #runUntil}. */
    public static final Duration POLL = Duration.ofMillis(50);

    /** Whether every live node sees every other live node ALIVE. */
    public boolean converged() {
        int live = liveCount();
        for (Node a : nodes) {
            if (a.crashed) {
                continue;
            }
            int alive = a.core.aliveCount();
            if (alive != live) {
                return false;
            }
        }
        return true;
    }

    public int liveCount() {
        int c = 0;
        for (Node n : nodes) {
            if (!n.crashed) {
                c++;
            }
        }
        return c;
    }

    /** An assertion error that names the seed, so the run can be replayed. */
    public AssertionError fail(String message) {
        return new AssertionError(message + " (replay with seed " + seed + ")");
    }

    private void flush(Node from) {
        boolean again = true;
        while (again) {
            again = false;
            for (SwimNode.Out o : from.core.drainOutputs()) {
                if (o instanceof SwimNode.Packet p) {
                    packet(from, p);
                } else if (o instanceof SwimNode.StreamCall c) {
                    stream(from, c.to(), c.request());
                }
            }
            long now = nowMillis();
            for (Object e : from.core.drainEvents()) {
                checkInvariant(from, e);
                for (EventSink s : sinks) {
                    s.on(from, e, now);
                }
                if (e instanceof SwimNode.QueryRequest q && !from.crashed) {
                    from.core.answerQuery(q, from.name.getBytes(java.nio.charset.StandardCharsets.UTF_8), null, now);
                    again = true;
                }
            }
        }
    }

    private void checkInvariant(Node viewer, Object e) {
        if (!(e instanceof MemberEvent me)) {
            return;
        }
        String key = viewer.name + "|" + me.member().name();
        if (me.type() == MemberEvent.Type.FAILED || me.type() == MemberEvent.Type.LEAVE) {
            deadAt.put(key, me.member().incarnation());
        } else if (me.type() == MemberEvent.Type.JOIN) {
            Long dead = deadAt.remove(key);
            if (dead != null && me.member().incarnation() <= dead) {
                throw fail(viewer.name + " saw " + me.member().name() + " return from dead at incarnation "
                        + me.member().incarnation() + " (died at " + dead + ")");
            }
        } else if (me.type() == MemberEvent.Type.REAP) {
            deadAt.remove(key);
        }
    }

    /** TCP hides loss by retransmitting: a lost segment costs one 1 s retransmission timeout. */
    private long tcpLossDelay() {
        return loss > 0 && net.nextDouble() < loss ? 1000 : 0;
    }

    private long latency(Node from, Node to) {
        double d = Math.hypot(from.x - to.x, from.y - to.y);
        return latencyMinMillis + Math.round(d) + (latencyJitterMillis > 0 ? net.nextLong(latencyJitterMillis + 1) : 0);
    }

    private void packet(Node from, SwimNode.Packet p) {
        if (from.crashed) {
            return;
        }
        byte[] wire = WireCodec.encodePacket(p.msgs());
        if (wire.length > 1400) {
            throw fail(from.name + " built a packet of " + wire.length + " bytes, over its 1400-byte budget");
        }
        from.bytesSent += wire.length;
        totalBytes += wire.length;
        totalPackets++;
        if (loss > 0 && net.nextDouble() < loss) {
            if (p.msgs().stream().anyMatch(m -> m instanceof Msg.QueryAnswer)) {
                lostQueryAnswers++;
            }
            return;
        }
        Node to = byAddr.get(p.to());
        if (to == null || to.side != from.side) {
            return;
        }
        sched.schedule(Duration.ofMillis(latency(from, to)), () -> deliver(to, wire));
    }

    private void deliver(Node to, byte[] wire) {
        if (to.crashed) {
            return;
        }
        if (nowMillis() < to.stallUntilMillis) {
            // A stalled process reads its socket buffer when it wakes up.
            sched.schedule(Duration.ofMillis(to.stallUntilMillis - nowMillis()), () -> deliver(to, wire));
            return;
        }
        List<Msg> msgs;
        try {
            msgs = WireCodec.decodePacket(wire, 0, wire.length);
        } catch (MalformedMessageException e) {
            decodeFailures++;
            return;
        }
        for (Msg m : msgs) {
            if (m instanceof Msg.QueryAnswer a) {
                deliveredAnswersFrom.add(a.from());
            }
        }
        to.core.receivePacket(msgs, nowMillis());
        flush(to);
    }

    /** A TCP exchange: never lost while both ends are up, but a lost segment delays it by a retransmission. */
    private void stream(Node from, Addr toAddr, Msg request) {
        Node to = byAddr.get(toAddr);
        if (to == null || from.crashed || to.side != from.side) {
            return;
        }
        byte[] req = WireCodec.encodeStream(request);
        from.bytesSent += req.length;
        totalBytes += req.length;
        sched.schedule(Duration.ofMillis(latency(from, to) + tcpLossDelay()), () -> serve(from, to, req));
    }

    private void serve(Node from, Node to, byte[] req) {
        if (to.crashed) {
            return;
        }
        if (nowMillis() < to.stallUntilMillis) {
            sched.schedule(Duration.ofMillis(to.stallUntilMillis - nowMillis()), () -> serve(from, to, req));
            return;
        }
        Msg resp;
        try {
            resp = to.core.handleStream(WireCodec.decodeStream(req), nowMillis());
        } catch (MalformedMessageException e) {
            decodeFailures++;
            return;
        }
        flush(to);
        if (resp == null) {
            return;
        }
        byte[] wire = WireCodec.encodeStream(resp);
        to.bytesSent += wire.length;
        totalBytes += wire.length;
        sched.schedule(Duration.ofMillis(latency(to, from) + tcpLossDelay()), () -> answer(from, wire));
    }

    private void answer(Node from, byte[] wire) {
        if (from.crashed) {
            return;
        }
        if (nowMillis() < from.stallUntilMillis) {
            sched.schedule(Duration.ofMillis(from.stallUntilMillis - nowMillis()), () -> answer(from, wire));
            return;
        }
        try {
            from.core.streamResponse(WireCodec.decodeStream(wire), nowMillis());
        } catch (MalformedMessageException e) {
            decodeFailures++;
            return;
        }
        flush(from);
    }
}
