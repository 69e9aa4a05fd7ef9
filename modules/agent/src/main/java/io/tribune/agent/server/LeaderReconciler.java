package io.tribune.agent.server;

import io.tribune.agent.cluster.NodeIds;
import io.tribune.agent.cluster.ServerTags;
import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.state.Command;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.StateStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The leader's reconciliation of gossip membership (Consul's leader loop):
 * <ul>
 *   <li><b>Consensus configuration:</b> an alive server of this datacenter that is not in the
 *       configuration is added as a voter; a server that left gracefully or was reaped is
 *       removed; a server that has been failed longer than {@link Settings#deadServerAfter()} is
 *       removed too, but only while the remaining healthy voters keep a majority (autopilot's dead
 *       server cleanup). One change at a time, as Raft requires.</li>
 *   <li><b>Catalog:</b> every member of this datacenter has a node with a {@code serfHealth} check,
 *       passing while alive and critical once failed; a member that left or was reaped is
 *       deregistered. Writes are computed as differences from the catalog and capped per round, so a
 *       gossip storm cannot flood consensus with catalog writes.</li>
 * </ul>
 * Runs only while the local server is leader, every {@link Settings#interval()} and soon after
 * each membership event.
 */
public final class LeaderReconciler implements MembershipListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LeaderReconciler.class.getName());
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Tunables.
     *
     * @param interval         time between reconciliation rounds (default 1 s)
     * @param maxWritesPerRound catalog writes at most per round (default 32, so at most 32 writes/s)
     * @param deadServerAfter  how long a server must be failed before it is removed (default 30 s)
     */
    public record Settings(Duration interval, int maxWritesPerRound, Duration deadServerAfter) {
        /** The defaults. */
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(1), 32, Duration.ofSeconds(30));
    }

    private final Consensus consensus;
    private final StateStore state;
    private final Membership lan;
    private final String datacenter;
    private final String self;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Settings settings;
    private final Map<String, Long> failedSinceNanos = new HashMap<>();
    // Servers seen in the LEFT state (kept when the pool later reaps them). Noted from every event,
    // leader or not, and from every round: a server may leave and be reaped between two rounds, or
    // before this server leads, and would then look merely absent, and stay a voter for good.
    private final java.util.Set<String> seenLeft = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Subscription membershipSub;
    private Subscription leaderSub;
    private Cancellable periodic;
    private boolean running;
    private boolean changeInFlight;
    private boolean pending;
    private boolean closed;
    // Autopilot's CleanupDeadServers, read each round (the configuration may change through Raft).
    private final java.util.function.BooleanSupplier cleanupDeadServers;

    /** A reconciler that always removes dead servers (autopilot's default). */
    public LeaderReconciler(Consensus consensus, StateStore state, Membership lan, String datacenter, String self,
                            Scheduler scheduler, Clock clock, Settings settings) {
        this(consensus, state, lan, datacenter, self, scheduler, clock, settings, () -> true);
    }

    /**
     * As above; {@code cleanupDeadServers} (autopilot's setting, read each round on the reconciler's
     * thread, must not block) decides whether servers failed longer than
     * {@link Settings#deadServerAfter()} are removed. Servers that left are removed either way, as Consul.
     */
    public LeaderReconciler(Consensus consensus, StateStore state, Membership lan, String datacenter, String self,
                            Scheduler scheduler, Clock clock, Settings settings,
                            java.util.function.BooleanSupplier cleanupDeadServers) {
        this.cleanupDeadServers = cleanupDeadServers;
        this.consensus = consensus;
        this.state = state;
        this.lan = lan;
        this.datacenter = datacenter;
        this.self = self;
        this.scheduler = scheduler;
        this.clock = clock;
        this.settings = settings;
    }

    /** Starts following leadership and membership. */
    public synchronized void start() {
        membershipSub = lan.subscribe(this);
        periodic = scheduler.scheduleWithFixedDelay(settings.interval(), settings.interval(), this::kick);
        leaderSub = consensus.onLeadershipChange(l -> {
            if (l.isLeader()) {
                kick();
            }
        });
    }

    @Override
    public void onMemberEvent(MemberEvent event) {
        Member m = event.member();
        if (m.status() == MemberStatus.LEFT && ServerTags.isServer(m, datacenter)) {
            seenLeft.add(m.name());
        }
        kick();
    }

    /** Schedules a round soon, coalescing bursts of events into one round. */
    void kick() {
        synchronized (this) {
            if (closed || !consensus.isLeader()) {
                return;
            }
            if (running) {
                pending = true;
                return;
            }
            running = true;
        }
        scheduler.execute(this::round);
    }

    private void round() {
        try {
            reconcileServers();
            reconcileCatalog();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "reconciliation round failed: " + e);
        } finally {
            boolean again;
            synchronized (this) {
                running = false;
                again = pending;
                pending = false;
            }
            if (again) {
                scheduler.schedule(Duration.ofMillis(50), this::kick);
            }
        }
    }

    private Map<String, Member> membersOfDc() {
        Map<String, Member> out = new LinkedHashMap<>();
        for (Member m : lan.members()) {
            String dc = m.tag(ServerTags.DC);
            if (dc == null || dc.equals(datacenter)) {
                out.put(m.name(), m);
            }
        }
        return out;
    }

    /** One consensus membership change per round at most. */
    void reconcileServers() {
        Map<String, Member> members = membersOfDc();
        long now = clock.nanos();
        // What the pool shows is noted every round, a change in flight or not: a server that leaves
        // and is reaped while a change is in flight would otherwise look merely absent afterwards,
        // and stay a voter for good.
        for (Member m : members.values()) {
            if (m.status() == MemberStatus.FAILED && ServerTags.isServer(m, datacenter)) {
                failedSinceNanos.putIfAbsent(m.name(), now);
            } else {
                failedSinceNanos.remove(m.name());
            }
            if (m.status() == MemberStatus.LEFT) {
                seenLeft.add(m.name());
            } else {
                seenLeft.remove(m.name());
            }
        }
        synchronized (this) {
            if (changeInFlight || !consensus.isLeader()) {
                return;
            }
        }
        List<ServerInfo> config = consensus.configuration();
        for (Member m : members.values()) {
            if (ServerTags.isAliveServer(m, datacenter) && config.stream().noneMatch(s -> s.id().equals(m.name()))) {
                change("adding server " + m.name(), consensus.addVoter(ServerTags.serverInfo(m, true), WRITE_TIMEOUT));
                return;
            }
        }
        long voters = config.stream().filter(ServerInfo::voter).count();
        long failedVoters = config.stream().filter(s -> s.voter() && failedSinceNanos.containsKey(s.id())).count();
        for (ServerInfo s : config) {
            if (s.id().equals(self)) {
                continue;
            }
            Member m = members.get(s.id());
            // Only a server seen leaving (then possibly reaped from the pool) is removed at once. One
            // that is merely absent is not: a leader that has just (re)started does not know every
            // member yet, and removing a live server there once cut a 3-server cluster with one
            // server down to a configuration it could not reach a majority of.
            if ((m != null && m.status() == MemberStatus.LEFT) || (m == null && seenLeft.contains(s.id()))) {
                change("removing server " + s.id() + " (left)", consensus.removeServer(s.id(), WRITE_TIMEOUT));
                return;
            }
            Long since = failedSinceNanos.get(s.id());
            if (since != null && now - since >= settings.deadServerAfter().toNanos() && cleanupDeadServers.getAsBoolean()
                    && voters - failedVoters > voters / 2) {
                change("removing dead server " + s.id(), consensus.removeServer(s.id(), WRITE_TIMEOUT));
                return;
            }
        }
    }

    private void change(String what, CompletableFuture<Void> f) {
        synchronized (this) {
            changeInFlight = true;
        }
        LOG.log(System.Logger.Level.INFO, what);
        f.whenComplete((x, e) -> {
            synchronized (this) {
                changeInFlight = false;
            }
            if (e != null) {
                LOG.log(System.Logger.Level.WARNING, what + " failed: " + e.getMessage());
            }
            kick();
        });
    }

    /** Catalog writes that bring serfHealth in line with membership, at most maxWritesPerRound. */
    void reconcileCatalog() {
        int budget = settings.maxWritesPerRound();
        Map<String, Member> members = membersOfDc();
        long now = clock.wallMillis();
        for (Member m : members.values()) {
            if (budget <= 0) {
                pending();
                return;
            }
            Optional<HealthStatus> current = state.nodeChecks(m.name()).value().stream()
                    .filter(c -> c.checkId().equals(HealthCheck.SERF_HEALTH) && c.serviceId().isEmpty())
                    .map(HealthCheck::status).findFirst();
            switch (m.status()) {
                case ALIVE, SUSPECT -> {
                    if (current.orElse(null) != HealthStatus.PASSING) {
                        propose(register(m, HealthStatus.PASSING, "Agent alive and reachable", now));
                        budget--;
                    }
                }
                case FAILED -> {
                    if (current.orElse(null) != HealthStatus.CRITICAL) {
                        propose(register(m, HealthStatus.CRITICAL, "Agent not live or unreachable", now));
                        budget--;
                    }
                }
                case LEAVING, LEFT -> {
                    if (state.node(m.name()).value().isPresent() && !m.name().equals(self)) {
                        propose(new Command.Deregister(m.name(), Optional.empty(), Optional.empty(), now));
                        budget--;
                    }
                }
                default -> {
                }
            }
        }
        // Nodes whose agents were reaped from gossip: gone for good.
        for (Node n : state.nodes(Map.of()).value()) {
            if (budget <= 0) {
                pending();
                return;
            }
            if (!members.containsKey(n.node()) && !n.node().equals(self) && datacenter.equals(n.datacenter())
                    && state.nodeChecks(n.node()).value().stream().anyMatch(c -> c.checkId().equals(HealthCheck.SERF_HEALTH))) {
                propose(new Command.Deregister(n.node(), Optional.empty(), Optional.empty(), now));
                budget--;
            }
        }
    }

    private synchronized void pending() {
        pending = true;
    }

    /**
     * The registration that sets a member's serfHealth. A node already in the catalog at the member's
     * address keeps what its agent registered (metadata, tagged addresses such as its WAN address):
     * the leader only knows the member's gossip address, and a health change must not reset the rest
     * until the agent's anti-entropy puts it back.
     */
    private Command register(Member m, HealthStatus status, String output, long now) {
        String id = NodeIds.ofMember(m.name(), m.tag(NodeIds.TAG));
        Node node = state.node(m.name()).value()
                .filter(n -> n.address().equals(m.host()) && n.datacenter().equals(datacenter))
                .map(n -> new Node(id, m.name(), m.host(), datacenter, n.taggedAddresses(), n.meta(), 0, 0))
                .orElseGet(() -> new Node(id, m.name(), m.host(), datacenter,
                        Map.of("lan", m.host(), "wan", m.host()), Map.of(), 0, 0));
        HealthCheck serf = new HealthCheck(m.name(), HealthCheck.SERF_HEALTH, "Serf Health Status", status, "", output, "", "",
                List.of(), "", 0, 0);
        return new Command.Register(node, Optional.empty(), List.of(serf), now);
    }

    private void propose(Command c) {
        consensus.apply(c.encode(), WRITE_TIMEOUT).whenComplete((r, e) -> {
            if (e != null) {
                LOG.log(System.Logger.Level.DEBUG, "catalog reconciliation write failed: " + e);
            }
        });
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (periodic != null) {
            periodic.cancel();
        }
        if (membershipSub != null) {
            membershipSub.close();
        }
        if (leaderSub != null) {
            leaderSub.close();
        }
    }
}
