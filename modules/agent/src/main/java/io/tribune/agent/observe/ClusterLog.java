package io.tribune.agent.observe;

import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Status;
import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.api.consensus.Leadership;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The log lines that tell an operator where the cluster stands, one per change:
 * <ul>
 *   <li>on a server, {@code New leader elected: <name> (term N)} when Raft reports a leader other
 *       than the last one logged, and {@code cluster leadership acquired (term N)} when it is this
 *       server (Consul's {@code agent.server: New leader elected});</li>
 *   <li>on every agent, {@code joined cluster with leader <address>} when the request layer first
 *       finds a leader, or a different one, and {@code lost cluster leader} when it no longer finds
 *       any (a client agent learns this by asking a server every {@link #CHECK_PERIOD}).</li>
 * </ul>
 *
 * <p>The decisions ({@link #onLeadership}, {@link #onLeaderAnswer}) are pure and return the line to
 * log, so they are tested without a cluster. Thread-safe: the methods are synchronized.
 */
public final class ClusterLog implements AutoCloseable {
    /** How often the agent asks for the leader: often enough to log a join promptly, rarely enough to cost nothing. */
    public static final Duration CHECK_PERIOD = Duration.ofSeconds(2);
    private static final System.Logger LOG = System.getLogger(ClusterLog.class.getName());
    private final String self;
    private long loggedTerm = -1;
    private String loggedLeader = "";
    private String joinedLeader = "";
    private Cancellable task;
    /** A question is out: the next tick skips, so a held request (no leader yet) never piles up. */
    private final java.util.concurrent.atomic.AtomicBoolean asking = new java.util.concurrent.atomic.AtomicBoolean();

    /** Decisions for the agent named {@code self}. */
    public ClusterLog(String self) {
        this.self = Objects.requireNonNull(self, "self");
    }

    /** The line to log for a Raft leadership report, if it is news. */
    public synchronized Optional<String> onLeadership(Leadership l) {
        if (l.leader().isEmpty()) {
            return Optional.empty();
        }
        String leader = l.leader().get().id();
        if (leader.equals(loggedLeader) && l.term() == loggedTerm) {
            return Optional.empty();
        }
        boolean sameLeader = leader.equals(loggedLeader);
        loggedLeader = leader;
        loggedTerm = l.term();
        if (sameLeader) {
            // Re-elected in a new term: worth a line, as the term tells that an election happened.
            return Optional.of("leader " + leader + " re-elected (term " + l.term() + ")");
        }
        return Optional.of(leader.equals(self) ? "cluster leadership acquired (term " + l.term() + ")"
                : "New leader elected: " + leader + " (term " + l.term() + ")");
    }

    /** The line to log for the request layer's answer to "who leads" (empty: none known), if it is news. */
    public synchronized Optional<String> onLeaderAnswer(String leaderAddress) {
        String now = leaderAddress == null ? "" : leaderAddress;
        if (now.equals(joinedLeader)) {
            return Optional.empty();
        }
        String before = joinedLeader;
        joinedLeader = now;
        if (now.isEmpty()) {
            return Optional.of("lost cluster leader " + before + ": no leader known");
        }
        return Optional.of("joined cluster with leader " + now);
    }

    /**
     * Logs leadership news of a server's consensus, and asks {@code requests} for the leader every
     * {@link #CHECK_PERIOD}.
     */
    public void start(Optional<io.tribune.api.consensus.Consensus> consensus, Requests requests, Scheduler scheduler) {
        consensus.ifPresent(c -> c.onLeadershipChange(l -> onLeadership(l).ifPresent(
                m -> LOG.log(System.Logger.Level.INFO, m))));
        Cancellable t = scheduler.scheduleWithFixedDelay(Duration.ofMillis(200), CHECK_PERIOD, () -> {
            if (!asking.compareAndSet(false, true)) {
                return;
            }
            try {
                requests.call(new Status.Leader(), Options.DEFAULT).whenComplete((r, err) -> {
                    asking.set(false);
                    String leader = err != null || r == null ? "" : r.value();
                    onLeaderAnswer(leader).ifPresent(m -> LOG.log(System.Logger.Level.INFO, m));
                });
            } catch (RuntimeException e) {
                asking.set(false);
                onLeaderAnswer("").ifPresent(m -> LOG.log(System.Logger.Level.INFO, m));
            }
        });
        synchronized (this) {
            task = t;
        }
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel();
            task = null;
        }
    }
}
