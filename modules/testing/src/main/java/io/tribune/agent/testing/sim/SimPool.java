package io.tribune.agent.testing.sim;

import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.Scheduler;
import io.tribune.api.SpiKind;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One shared, in-memory gossip pool for simulations: every agent's {@link Membership} (plugin
 * {@value #PLUGIN_NAME}) is a view of it. It is a <em>simulation double of gossip</em>, not a
 * product plugin: it has no network, no probes and no real failure detection. It gives whole-agent
 * simulations the membership behaviour the agent relies on (server discovery through tags,
 * {@code bootstrap_expect}, failures seen by the leader's reconciliation) without the cost and the
 * timing noise of SWIM; gossip itself is tested by {@code gossip-swim}'s own simulation and by the
 * membership conformance kit.
 *
 * <p><b>Model.</b> The pool keeps the truth about each member (name, host, port, tags, status,
 * incarnation). A started view is alone until it {@link Membership#join joins} a seed (an address of
 * another started view); joining merges the two groups, and each side learns every member of the
 * other. Every later change of a member (tags, leave, force-leave, failure) and every user event is
 * delivered to every open view of its group through the scheduler: to the view that made it at once,
 * to the others after a propagation delay drawn from the pool's seeded generator within the bounds
 * of the {@link Builder}. A view receives its deliveries one at a time, in the order they were sent
 * (a later delivery never overtakes an earlier one), and updates its member list as each arrives,
 * just before its listeners hear of it. Given the same seed and the same calls, the order of every
 * delivery is the same.
 *
 * <p><b>Faults.</b> {@link #fail(String, Duration)} is what a failure detector would conclude: after
 * the delay the test chooses, every other view marks the member FAILED and gets the event. Failing a
 * view that is still running is a false positive, which the member refutes as SWIM does (it comes
 * back ALIVE with a higher incarnation); so does a running member that is force-left without
 * pruning. With {@link Builder#detectClosedAfter}, a view closed
 * without leaving is failed that long after its close, so the pool passes the membership kit's
 * failure-detection case; a simulation that wants to choose the moment leaves it unset and calls
 * {@code fail} itself.
 *
 * <p><b>Partitions.</b> {@link #cut(String, String, Duration)} stops news of one member from reaching
 * another view (a one-way cut; cut both ways for a symmetric partition): deliveries about the member
 * (and its user events) to that view are held, and after the given delay the view concludes the
 * member failed, as a failure detector that no longer hears it would (the event reaches that view
 * only; the others keep their own opinion). {@link #heal()} releases what was held, in order, and
 * every running member that some view had marked failed refutes, as SWIM's suspicion does: it
 * comes back ALIVE with the next incarnation, and every view gets a JOIN event. A join across a cut
 * cannot reach its seed.
 *
 * <p><b>Not offered.</b> {@link Membership#queries()} is empty (so keyring operations report that
 * the membership has no queries); there is no keyring and no WAN pool (a {@link Pool#WAN} setup is
 * refused). Closed views never come back; a new view may take the name of a closed one (a restart).
 *
 * <p><b>Threading.</b> Thread-safe: state is guarded by one lock, and listeners are called without
 * it. Deliveries run on the scheduler handed to {@link #builder}, normally a simulation's
 * single-threaded {@code SimScheduler}; views ignore the scheduler of their plugin context, so that
 * all of them share one order.
 *
 * <p><b>Sizes.</b> At most {@value #MAX_MEMBERS} members, {@value #MAX_TAGS} tags of
 * {@value #MAX_TAG_BYTES} bytes in all per member, user events of {@value #MAX_USER_EVENT_BYTES}
 * bytes (name plus payload, Serf's limit), node names of 128 characters; larger input is refused with
 * {@link IllegalArgumentException} and changes nothing.
 */
public final class SimPool {
    /** The membership plugin's name, as agents select it ({@code plugins.membership}). */
    public static final String PLUGIN_NAME = "membership-sim";
    /** Most members (started views, closed ones included until replaced) in one pool. */
    public static final int MAX_MEMBERS = 512;
    /** Most tags per member. */
    public static final int MAX_TAGS = 64;
    /** Most bytes of tag keys and values per member. */
    public static final int MAX_TAG_BYTES = 4096;
    /** Most bytes of a user event's name and payload together (Serf's {@code UserEventSizeLimit}). */
    public static final int MAX_USER_EVENT_BYTES = 512;
    /** Gossip port of the first view started with port 0; the next ones count up. */
    static final int FIRST_PORT = 18301;

    final Object lock = new Object();
    final Scheduler scheduler;
    private final SplittableRandom random;
    private final long minDelayNanos;
    private final long maxDelayNanos;
    private final Optional<Duration> detectClosedAfter;
    /** Started views by name, in start order (a restart replaces the closed view in place). */
    private final LinkedHashMap<String, SimMembership> views = new LinkedHashMap<>();
    private int nextPort = FIRST_PORT;
    private final List<Consumer<String>> observers = new ArrayList<>();
    /** Cut pairs, as {@code "member>view"} names: the view hears nothing of the member. */
    private final java.util.TreeSet<String> cuts = new java.util.TreeSet<>();
    /** Deliveries held by a cut, in the order they were sent. */
    private final List<Runnable> held = new ArrayList<>();
    /** Members some view marked failed because of a cut: they refute at the heal. */
    private final java.util.LinkedHashSet<String> markedByCut = new java.util.LinkedHashSet<>();

    private SimPool(Builder b) {
        this.scheduler = b.scheduler;
        this.random = new SplittableRandom(b.seed);
        this.minDelayNanos = b.minDelay.toNanos();
        this.maxDelayNanos = b.maxDelay.toNanos();
        this.detectClosedAfter = b.detectClosedAfter;
    }

    /** A pool whose deliveries run on {@code scheduler}. */
    public static Builder builder(Scheduler scheduler) {
        return new Builder(scheduler);
    }

    /** The pool's knobs; every one has a default. */
    public static final class Builder {
        private final Scheduler scheduler;
        private long seed;
        private Duration minDelay = Duration.ZERO;
        private Duration maxDelay = Duration.ZERO;
        private Optional<Duration> detectClosedAfter = Optional.empty();

        private Builder(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        }

        /** Seed of the propagation delays (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * How long a change takes to reach another view: uniform in {@code [min, max]} per view and
         * change (default zero: the next scheduler turn).
         *
         * @throws IllegalArgumentException when {@code min} is negative or above {@code max}, or
         *                                  {@code max} is over one minute
         */
        public Builder propagation(Duration min, Duration max) {
            checkPropagation(min, max);
            this.minDelay = min;
            this.maxDelay = max;
            return this;
        }

        /**
         * Fails a view closed without leaving this long after its close (default: never; the test
         * calls {@link SimPool#fail}).
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder detectClosedAfter(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("detection delay must not be negative, got " + d);
            }
            this.detectClosedAfter = Optional.of(d);
            return this;
        }

        /** The pool, empty. */
        public SimPool build() {
            return new SimPool(this);
        }
    }

    /** @throws IllegalArgumentException unless {@code 0 <= min <= max <= 1 min} */
    static void checkPropagation(Duration min, Duration max) {
        if (min.isNegative() || min.compareTo(max) > 0 || max.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("propagation bounds must satisfy 0 <= min <= max <= 1 min, got "
                    + min + " and " + max);
        }
    }

    // ---------------------------------------------------------------- plugin

    /**
     * The factory of this pool's views: each {@code create} makes a view that is not yet started.
     * It refuses a {@link Pool#WAN} setup ({@link IllegalArgumentException}).
     */
    public MembershipFactory factory() {
        return new MembershipFactory() {
            @Override
            public String name() {
                return PLUGIN_NAME;
            }

            @Override
            public Membership create(MembershipSetup setup, PluginConfig config, PluginContext context) {
                Objects.requireNonNull(setup, "setup");
                if (setup.pool() != Pool.LAN) {
                    throw new IllegalArgumentException(PLUGIN_NAME + " simulates the LAN pool only; set the "
                            + "serf_wan port to -1");
                }
                SimMembership.checkName(setup.nodeName());
                checkTags(setup.tags());
                return new SimMembership(SimPool.this, setup);
            }
        };
    }

    /**
     * A plugin offering {@link #factory()}, to hand to a plugin registry beside the plugins found on
     * the class path. Its descriptor names {@value #PLUGIN_NAME} and the host's SPI version.
     */
    public Plugin plugin() {
        MembershipFactory f = factory();
        return new Plugin() {
            @Override
            public PluginDescriptor descriptor() {
                return PluginDescriptor.of(PLUGIN_NAME, "test", "a simulation double of gossip: views of one "
                        + "shared in-memory pool", SpiKind.MEMBERSHIP);
            }

            @Override
            public List<MembershipFactory> membershipFactories() {
                return List.of(f);
            }
        };
    }

    // ---------------------------------------------------------------- test controls

    /**
     * Declares {@code name} failed after {@code after}, as failure detection would: every other open
     * view of its group marks it FAILED (same incarnation) and gets a FAILED event; a member that left
     * or was already failed is left alone then. If the member is still running, it refutes: it comes
     * back ALIVE with the next incarnation, and the others get a JOIN event.
     *
     * @throws IllegalArgumentException when no member of that name was started, or the delay is negative
     */
    public void fail(String name, Duration after) {
        Objects.requireNonNull(name, "name");
        if (after.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + after);
        }
        synchronized (lock) {
            SimMembership v = views.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no member named '" + name + "' was started in this pool");
            }
            scheduler.schedule(after, () -> v.failNow());
        }
    }

    /**
     * Cuts news of member {@code member} off from the view of {@code view} until {@link #heal()}; after
     * {@code detectAfter}, that view marks the member failed (unless the cut was healed by then).
     * Idempotent for a pair already cut (the first detection stands).
     *
     * @throws IllegalArgumentException when either was never started, they are the same, or the delay
     *                                  is negative
     */
    public void cut(String member, String view, Duration detectAfter) {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(view, "view");
        if (detectAfter.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + detectAfter);
        }
        synchronized (lock) {
            SimMembership m = views.get(member);
            SimMembership v = views.get(view);
            if (m == null || v == null || member.equals(view)) {
                throw new IllegalArgumentException("cannot cut '" + member + "' from '" + view + "': both must be "
                        + "started members, and different");
            }
            if (!cuts.add(member + ">" + view)) {
                return;
            }
            note("cut " + member + " > " + view);
            scheduler.schedule(detectAfter, () -> {
                synchronized (lock) {
                    if (!cuts.contains(member + ">" + view)) {
                        return;
                    }
                    SimMembership current = views.get(view);
                    if (current != null && current.markFailed(member)) {
                        markedByCut.add(member);
                    }
                }
            });
        }
    }

    /**
     * Removes every cut: held deliveries go out (with fresh propagation delays, in the order they were
     * held), and every running member marked failed by a cut refutes with its next incarnation.
     */
    public void heal() {
        synchronized (lock) {
            if (cuts.isEmpty() && held.isEmpty() && markedByCut.isEmpty()) {
                return;
            }
            note("heal (" + held.size() + " held deliveries)");
            cuts.clear();
            List<Runnable> out = List.copyOf(held);
            held.clear();
            out.forEach(Runnable::run);
            for (String name : List.copyOf(markedByCut)) {
                SimMembership v = views.get(name);
                if (v != null) {
                    v.refute();
                }
            }
            markedByCut.clear();
        }
    }

    /** Whether news of {@code member} cannot reach {@code view}. Under the lock. */
    boolean isCut(String member, String view) {
        return !cuts.isEmpty() && cuts.contains(member + ">" + view);
    }

    /** Holds a delivery until the heal. Under the lock. */
    void hold(Runnable resend) {
        held.add(resend);
    }

    /** The pool's truth about {@code name} (what its own view says of itself), if it was started. */
    public Optional<Member> member(String name) {
        synchronized (lock) {
            SimMembership v = views.get(name);
            return v == null ? Optional.empty() : Optional.of(v.localMember());
        }
    }

    /** The names of the started members, in start order. */
    public List<String> names() {
        synchronized (lock) {
            return List.copyOf(views.keySet());
        }
    }

    /**
     * Calls {@code observer} with a line for every change the pool makes (start, join, tags, leave,
     * failure, refutation), at the moment it makes it; for simulation traces. Called under the pool's
     * lock: it must not call back into the pool.
     */
    public void observe(Consumer<String> observer) {
        synchronized (lock) {
            observers.add(Objects.requireNonNull(observer, "observer"));
        }
    }

    // ---------------------------------------------------------------- used by the views

    /** Registers a view at its start: checks name and port, assigns a port when 0. Under the lock. */
    int register(SimMembership v, String host, int requestedPort) {
        SimMembership old = views.get(v.name());
        if (old != null && !old.isClosed()) {
            throw new IllegalStateException("a member named '" + v.name() + "' is already running in this pool");
        }
        if (old == null && views.size() >= MAX_MEMBERS) {
            throw new IllegalStateException("the pool is full: " + MAX_MEMBERS + " members");
        }
        int port = requestedPort;
        if (port == 0) {
            do {
                port = nextPort++;
            } while (addressTaken(host, port));
        } else if (addressTaken(host, port)) {
            throw new IllegalStateException("gossip address " + host + ":" + port + " is already in use in the pool");
        }
        if (old != null) {
            old.group().remove(old);
        }
        views.put(v.name(), v);
        return port;
    }

    /** The incarnation a restarted member continues from (0 for a new name). Under the lock. */
    long previousIncarnation(String name) {
        SimMembership old = views.get(name);
        return old == null ? -1 : old.localMember().incarnation();
    }

    private boolean addressTaken(String host, int port) {
        for (SimMembership o : views.values()) {
            if (!o.isClosed() && o.isStarted() && o.localMember().port() == port && o.localMember().host().equals(host)) {
                return true;
            }
        }
        return false;
    }

    /** The open view listening on {@code host:port}, if any. Under the lock. */
    SimMembership lookup(String host, int port) {
        for (SimMembership o : views.values()) {
            if (o.isStarted() && !o.isClosed() && o.localMember().port() == port
                    && sameHost(host, o.localMember().host())) {
                return o;
            }
        }
        return null;
    }

    /** Equal hosts, or {@code localhost} and a loopback address. */
    private static boolean sameHost(String a, String b) {
        return a.equals(b) || (a.equals("localhost") && b.startsWith("127."))
                || (b.equals("localhost") && a.startsWith("127."));
    }

    /** A propagation delay for one delivery to another view. Under the lock. */
    long delayNanos() {
        if (maxDelayNanos == minDelayNanos) {
            return minDelayNanos;
        }
        return minDelayNanos + random.nextLong(maxDelayNanos - minDelayNanos + 1);
    }

    /** Schedules the failure of a view closed without leaving, when the pool detects closes. Under the lock. */
    void closedWithoutLeave(SimMembership v) {
        detectClosedAfter.ifPresent(d -> scheduler.schedule(d, v::failNow));
    }

    /** Tells the observers of a change. Under the lock. */
    void note(String line) {
        for (Consumer<String> o : observers) {
            o.accept(line);
        }
    }

    /** Refuses tags over the limits, naming the limit. */
    static void checkTags(Map<String, String> tags) {
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException(tags.size() + " tags exceed the limit of " + MAX_TAGS);
        }
        int bytes = 0;
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new IllegalArgumentException("tag keys must be non-empty and values non-null");
            }
            bytes += utf8(e.getKey()) + utf8(e.getValue());
        }
        if (bytes > MAX_TAG_BYTES) {
            throw new IllegalArgumentException("tags take " + bytes + " bytes, over the limit of " + MAX_TAG_BYTES);
        }
    }

    static int utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** A member's state after a change of status. */
    static Member withStatus(Member m, MemberStatus status, long incarnation) {
        return new Member(m.name(), m.host(), m.port(), m.tags(), status, incarnation);
    }

    /** The event type a view gets when it learns of {@code m} while merging groups, or null for none. */
    static MemberEvent.Type learnedAs(Member m) {
        return switch (m.status()) {
            case ALIVE, SUSPECT -> MemberEvent.Type.JOIN;
            case FAILED -> MemberEvent.Type.FAILED;
            case LEAVING, LEFT -> MemberEvent.Type.LEAVE;
        };
    }
}
