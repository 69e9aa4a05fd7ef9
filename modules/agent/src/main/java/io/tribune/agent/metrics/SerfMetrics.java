package io.tribune.agent.metrics;

import io.tribune.agent.platform.AgentMetrics;
import io.tribune.api.Metrics;
import io.tribune.api.Subscription;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;

/**
 * Consul's {@code consul.serf.member.*} counters, counted by the host from the LAN pool's events, so
 * that every membership plugin feeds them: {@code join}, {@code failed}, {@code left},
 * {@code update} and {@code reap} (Serf's reap of a failed or left member).
 *
 * <p>Events arrive on the membership plugin's event thread; the counters are lock-free.
 */
public final class SerfMetrics implements MembershipListener {
    private final Metrics.Counter join;
    private final Metrics.Counter failed;
    private final Metrics.Counter left;
    private final Metrics.Counter update;
    private final Metrics.Counter reap;

    private SerfMetrics(AgentMetrics m) {
        join = m.counter("serf.member.join");
        failed = m.counter("serf.member.failed");
        left = m.counter("serf.member.left");
        update = m.counter("serf.member.update");
        reap = m.counter("serf.member.reap");
    }

    /** Counts {@code pool}'s events into {@code metrics} until the subscription is closed. */
    public static Subscription attach(Membership pool, AgentMetrics metrics) {
        return pool.subscribe(new SerfMetrics(metrics));
    }

    @Override
    public void onMemberEvent(MemberEvent event) {
        switch (event.type()) {
            case JOIN -> join.increment();
            case FAILED -> failed.increment();
            case LEAVE -> left.increment();
            case UPDATE -> update.increment();
            case REAP -> reap.increment();
            default -> { }
        }
    }
}
