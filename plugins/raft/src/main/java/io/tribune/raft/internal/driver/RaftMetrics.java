package io.tribune.raft.internal.driver;

import io.tribune.api.Clock;
import io.tribune.api.Metrics;
import io.tribune.raft.internal.core.Role;
import io.tribune.raft.internal.driver.ReadyLoop.StatsView;
import java.time.Duration;

/**
 * What the raft plugin reports through the Metrics SPI, all registered here. The host scopes the
 * names with {@code raft.} and maps them to Consul's (hashicorp/raft's) names:
 * <ul>
 *   <li>{@code apply}: commands proposed on this server (Consul's {@code consul.raft.apply});</li>
 *   <li>{@code commit-time-us}: from a proposal to its result on the leader, committed and applied
 *       ({@code consul.raft.commitTime});</li>
 *   <li>{@code leader.last-contact-us}: on a follower, the time since it last heard from the leader,
 *       sampled each tick ({@code consul.raft.leader.lastContact}; hashicorp/raft samples it on the
 *       leader, per follower);</li>
 *   <li>{@code state.leader}, {@code state.candidate}: times this server became leader, or stood
 *       for election as seen on a tick ({@code consul.raft.state.*}).</li>
 * </ul>
 *
 * <p>{@link #tick} and {@link #leadership} run on the raft executor; the rest is thread-safe.
 */
final class RaftMetrics {
    private final Clock clock;
    private final Metrics.Counter apply;
    private final Metrics.Histogram commitTime;
    private final Metrics.Histogram lastContact;
    private final Metrics.Counter becameLeader;
    private final Metrics.Counter becameCandidate;
    private Role lastRole;

    RaftMetrics(Metrics m, Clock clock) {
        this.clock = clock;
        this.apply = m.counter("apply");
        this.commitTime = m.histogram("commit-time-us");
        this.lastContact = m.histogram("leader.last-contact-us");
        this.becameLeader = m.counter("state.leader");
        this.becameCandidate = m.counter("state.candidate");
    }

    /** A command was proposed; returns the start of its commit time. */
    long proposed() {
        apply.increment();
        return clock.nanos();
    }

    /** The command proposed at {@code startedNanos} got its result. */
    void applied(long startedNanos) {
        commitTime.record((clock.nanos() - startedNanos) / 1000);
    }

    /** Leadership changed (raft executor). */
    void leadership(boolean wasLeader, boolean isLeader) {
        if (isLeader && !wasLeader) {
            becameLeader.increment();
        }
    }

    /** After a tick (raft executor): the role now, and the time since contact on a follower. */
    void tick(StatsView stats, Duration sinceContact) {
        if (stats == null) {
            return;
        }
        Role role = stats.role();
        if (role == Role.CANDIDATE && lastRole != Role.CANDIDATE) {
            becameCandidate.increment();
        }
        lastRole = role;
        if (role == Role.FOLLOWER && stats.leader() != null && sinceContact.toDays() < 1) {
            lastContact.record(sinceContact.toNanos() / 1000);
        }
    }
}
