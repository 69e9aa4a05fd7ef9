package io.tribune.agent.server;

import io.tribune.api.Subscription;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A membership view the test scripts: one shared {@link View} of members (as gossip would converge
 * to), and per node a {@link Membership} onto it. It stands in for the gossip layer so that the
 * server duties can be tested against real Raft servers with exact control over who is alive,
 * failed or gone.
 */
final class ScriptedMembership implements Membership {
    /** The members everyone sees, and the listeners to tell about changes. */
    static final class View {
        private final Map<String, Member> members = new LinkedHashMap<>();
        private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();

        void put(Member m) {
            MemberEvent.Type type;
            synchronized (this) {
                Member old = members.put(m.name(), m);
                type = old == null ? MemberEvent.Type.JOIN
                        : m.status() == MemberStatus.FAILED ? MemberEvent.Type.FAILED
                        : m.status() == MemberStatus.LEFT ? MemberEvent.Type.LEAVE : MemberEvent.Type.UPDATE;
            }
            MemberEvent e = new MemberEvent(type, m);
            listeners.forEach(l -> l.onMemberEvent(e));
        }

        void setStatus(String name, MemberStatus status) {
            Member m;
            synchronized (this) {
                m = members.get(name);
            }
            put(new Member(m.name(), m.host(), m.port(), m.tags(), status, m.incarnation() + 1));
        }

        void remove(String name) {
            Member m;
            synchronized (this) {
                m = members.remove(name);
            }
            if (m != null) {
                MemberEvent e = new MemberEvent(MemberEvent.Type.REAP, m);
                listeners.forEach(l -> l.onMemberEvent(e));
            }
        }

        synchronized List<Member> all() {
            return new ArrayList<>(members.values());
        }

        synchronized Member get(String name) {
            return members.get(name);
        }
    }

    private final View view;
    private final String name;

    ScriptedMembership(View view, String name) {
        this.view = view;
        this.name = name;
    }

    @Override
    public void start() {
    }

    @Override
    public Member localMember() {
        return view.get(name);
    }

    @Override
    public List<Member> members() {
        return view.all();
    }

    @Override
    public CompletableFuture<Integer> join(List<String> seeds) {
        return CompletableFuture.completedFuture(seeds.size());
    }

    @Override
    public CompletableFuture<Void> leave(Duration timeout) {
        view.setStatus(name, MemberStatus.LEFT);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> forceLeave(String node, boolean prune) {
        view.setStatus(node, MemberStatus.LEFT);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> updateTags(Map<String, String> tags) {
        Member m = view.get(name);
        view.put(new Member(m.name(), m.host(), m.port(), tags, m.status(), m.incarnation() + 1));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> broadcast(String event, byte[] payload, boolean coalesce) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Subscription subscribe(MembershipListener listener) {
        view.listeners.add(listener);
        return () -> view.listeners.remove(listener);
    }

    @Override
    public void close() {
    }
}
