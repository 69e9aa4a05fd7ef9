package io.tribune.agent.server;

import io.tribune.agent.cluster.ServerTags;
import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides when a server's consensus starts and whether it bootstraps, as Consul's
 * {@code bootstrap_expect} does:
 * <ul>
 *   <li>a server with consensus state starts at once;</li>
 *   <li>{@code -bootstrap} (or {@code -dev}) bootstraps a one-server cluster;</li>
 *   <li>with {@code bootstrap_expect = N}, the server waits until it sees N alive servers of its
 *       datacenter through gossip, all announcing the same N, then every one of them bootstraps the
 *       same configuration (the N servers sorted by name) and starts;</li>
 *   <li>if it sees a server that already runs a cluster ({@code raft=1} tag), it starts without
 *       bootstrapping and waits for that cluster's leader to add it;</li>
 *   <li>a server with neither flag starts and waits to be added.</li>
 * </ul>
 * Once its consensus knows a leader, the server tags itself {@code raft=1}.
 */
public final class ServerBootstrap implements MembershipListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServerBootstrap.class.getName());
    private final Consensus consensus;
    private final Membership lan;
    private final String datacenter;
    private final String self;
    private final int expect;
    private final Scheduler scheduler;
    private Subscription membershipSub;
    private Subscription leaderSub;
    private Cancellable poll;
    private boolean started;
    private boolean tagged;

    /**
     * @param expect {@code bootstrap_expect}, 0 when not set
     */
    public ServerBootstrap(Consensus consensus, Membership lan, String datacenter, String self, int expect,
                           Scheduler scheduler) {
        this.consensus = consensus;
        this.lan = lan;
        this.datacenter = datacenter;
        this.self = self;
        this.expect = expect;
        this.scheduler = scheduler;
    }

    /** Starts consensus now or arranges to start it when enough servers are seen. */
    public synchronized void begin(boolean bootstrapAlone, List<ServerInfo> aloneConfiguration) {
        leaderSub = consensus.onLeadershipChange(l -> {
            if (l.leader().isPresent()) {
                markRaft();
            }
        });
        if (consensus.hasState()) {
            start("existing state");
        } else if (bootstrapAlone) {
            consensus.bootstrap(aloneConfiguration);
            start("bootstrap of a single server");
        } else if (expect > 0) {
            membershipSub = lan.subscribe(this);
            // Events may be missed before the subscription; check periodically as well.
            poll = scheduler.scheduleWithFixedDelay(Duration.ZERO, Duration.ofMillis(200), this::evaluate);
        } else {
            start("waiting to be added by a leader");
        }
    }

    @Override
    public void onMemberEvent(MemberEvent event) {
        evaluate();
    }

    /** Bootstraps or starts when the servers seen allow it. */
    synchronized void evaluate() {
        if (started) {
            return;
        }
        List<Member> servers = new ArrayList<>();
        Map<String, String> expects = new HashMap<>();
        for (Member m : lan.members()) {
            if (!ServerTags.isAliveServer(m, datacenter)) {
                continue;
            }
            if (!m.name().equals(self) && "1".equals(m.tag(ServerTags.RAFT))) {
                start("server " + m.name() + " already runs a cluster; waiting to be added");
                return;
            }
            servers.add(m);
            expects.put(m.name(), m.tag(ServerTags.EXPECT));
        }
        if (servers.size() < expect) {
            return;
        }
        for (Map.Entry<String, String> e : expects.entrySet()) {
            if (e.getValue() != null && !e.getValue().equals(Integer.toString(expect))) {
                LOG.log(System.Logger.Level.ERROR, "server {0} has bootstrap_expect {1} but this server has {2};"
                        + " not bootstrapping until they agree", e.getKey(), e.getValue(), expect);
                return;
            }
        }
        servers.sort(Comparator.comparing(Member::name));
        List<ServerInfo> config = new ArrayList<>();
        for (Member m : servers.subList(0, expect)) {
            config.add(ServerTags.serverInfo(m, true));
        }
        if (config.stream().noneMatch(s -> s.id().equals(self))) {
            start("enough servers without this one; waiting to be added");
            return;
        }
        LOG.log(System.Logger.Level.INFO, "found {0} servers, bootstrapping: {1}", expect, config);
        consensus.bootstrap(config);
        start("bootstrap_expect reached");
    }

    private void start(String why) {
        if (started) {
            return;
        }
        started = true;
        if (poll != null) {
            poll.cancel();
        }
        if (membershipSub != null) {
            membershipSub.close();
        }
        LOG.log(System.Logger.Level.INFO, "starting consensus: {0}", why);
        consensus.start();
        if (consensus.hasState() && consensus.leadership().leader().isPresent()) {
            markRaft();
        }
    }

    private synchronized void markRaft() {
        if (tagged) {
            return;
        }
        tagged = true;
        Map<String, String> tags = new HashMap<>(lan.localMember().tags());
        tags.put(ServerTags.RAFT, "1");
        lan.updateTags(tags).whenComplete((x, e) -> {
            if (e != null) {
                LOG.log(System.Logger.Level.WARNING, "could not tag this server raft=1: " + e);
            }
        });
    }

    /** Whether consensus has been started. */
    public synchronized boolean started() {
        return started;
    }

    @Override
    public synchronized void close() {
        if (poll != null) {
            poll.cancel();
        }
        if (membershipSub != null) {
            membershipSub.close();
        }
        if (leaderSub != null) {
            leaderSub.close();
        }
    }
}
