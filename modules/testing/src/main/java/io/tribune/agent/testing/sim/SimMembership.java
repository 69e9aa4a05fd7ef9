package io.tribune.agent.testing.sim;

import io.tribune.api.Subscription;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.UserEvent;
import io.tribune.api.transport.Endpoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One agent's view of a {@link SimPool}: the {@link Membership} the {@code membership-sim} plugin
 * hands out. See {@link SimPool} for the model; every state change happens under the pool's lock,
 * and listeners are called without it, on the pool's scheduler.
 */
final class SimMembership implements Membership {
    private final SimPool pool;
    private final MembershipSetup setup;
    private final String name;
    /** What this member says of itself: the pool's truth about it. Guarded by the pool's lock. */
    private Member self;
    /** The other members this view knows, in the order it learned of them. Guarded by the pool's lock. */
    private final LinkedHashMap<String, Member> known = new LinkedHashMap<>();
    /** Deliveries sent to this view and not yet received, in send order. Guarded by the pool's lock. */
    private final ArrayDeque<Delivery> inbox = new ArrayDeque<>();
    private final CopyOnWriteArrayList<Sub> subscribers = new CopyOnWriteArrayList<>();
    private Group group;
    private boolean started;
    private boolean closed;
    private boolean left;
    /** Removed from every view by a force-leave with prune: not passed on when groups merge. */
    private boolean reaped;
    /** Lamport clock of user events (Serf's event clock). */
    private long eventClock;

    SimMembership(SimPool pool, MembershipSetup setup) {
        this.pool = pool;
        this.setup = setup;
        this.name = setup.nodeName();
        this.self = new Member(name, setup.advertiseHost(), setup.bindPort(), setup.tags(), MemberStatus.ALIVE, 0);
    }

    /** The views that learn of each other's changes: those joined together, in join order. */
    static final class Group {
        final List<SimMembership> views = new ArrayList<>();

        void remove(SimMembership v) {
            views.remove(v);
        }
    }

    /** One thing sent to a view: a member change, a user event, or nothing but a hook. */
    private static final class Delivery {
        final MemberEvent.Type type;
        final Member member;
        final boolean reap;
        final UserEvent user;
        final Runnable after;
        boolean done;

        Delivery(MemberEvent.Type type, Member member, boolean reap, UserEvent user, Runnable after) {
            this.type = type;
            this.member = member;
            this.reap = reap;
            this.user = user;
            this.after = after;
        }
    }

    static void checkName(String name) {
        if (name.isEmpty() || name.length() > 128) {
            throw new IllegalArgumentException("node name must be 1..128 characters, got " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == ',' || c == '@') {
                throw new IllegalArgumentException("node name '" + name + "' contains an invalid character");
            }
        }
    }

    String name() {
        return name;
    }

    Group group() {
        return group;
    }

    boolean isClosed() {
        return closed;
    }

    boolean isStarted() {
        return started;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void start() {
        synchronized (pool.lock) {
            if (closed) {
                throw new IllegalStateException(describe() + " is closed");
            }
            if (started) {
                return;
            }
            long previous = pool.previousIncarnation(name);
            int port = pool.register(this, self.host(), setup.bindPort());
            self = new Member(name, self.host(), port, self.tags(), MemberStatus.ALIVE, previous + 1);
            group = new Group();
            group.views.add(this);
            started = true;
            pool.note("start " + name + " at " + self.host() + ":" + port + " incarnation " + self.incarnation());
            send(this, new Delivery(MemberEvent.Type.JOIN, self, false, null, null), true);
        }
    }

    @Override
    public Member localMember() {
        synchronized (pool.lock) {
            return self;
        }
    }

    @Override
    public List<Member> members() {
        synchronized (pool.lock) {
            if (!started) {
                return List.of(self);
            }
            List<Member> out = new ArrayList<>(known.size() + 1);
            out.add(self);
            out.addAll(known.values());
            return out;
        }
    }

    @Override
    public CompletableFuture<Integer> join(List<String> seeds) {
        Objects.requireNonNull(seeds, "seeds");
        if (seeds.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("join needs at least one seed address"));
        }
        if (seeds.size() > SimPool.MAX_MEMBERS) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(seeds.size()
                    + " seeds exceed the limit of " + SimPool.MAX_MEMBERS));
        }
        // Parse everything before changing anything: a bad seed fails the call and changes nothing.
        List<Endpoint> parsed = new ArrayList<>();
        try {
            for (String s : seeds) {
                parsed.add(Endpoint.parse(s, SimPool.FIRST_PORT));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("bad seed address: " + e.getMessage()));
        }
        synchronized (pool.lock) {
            IllegalStateException bad = checkRunning();
            if (bad != null) {
                return CompletableFuture.failedFuture(bad);
            }
            int contacted = 0;
            for (Endpoint e : parsed) {
                SimMembership seed = pool.lookup(e.host(), e.port());
                if (seed == null || seed.left || pool.isCut(seed.name, name) || pool.isCut(name, seed.name)) {
                    continue;
                }
                contacted++;
                if (seed.group != group) {
                    merge(seed.group);
                }
            }
            if (contacted == 0) {
                return CompletableFuture.failedFuture(new IllegalStateException("no seed of " + seeds
                        + " could be contacted: no running member of the pool listens there"));
            }
            return CompletableFuture.completedFuture(contacted);
        }
    }

    /** Each side learns every member of the other; then the groups are one. Under the lock. */
    private void merge(Group other) {
        List<SimMembership> mine = List.copyOf(group.views);
        List<SimMembership> theirs = List.copyOf(other.views);
        pool.note("join " + name + ": " + names(mine) + " meet " + names(theirs));
        introduce(mine, theirs);
        introduce(theirs, mine);
        for (SimMembership v : theirs) {
            v.group = group;
            group.views.add(v);
        }
    }

    private void introduce(List<SimMembership> receivers, List<SimMembership> members) {
        for (SimMembership w : receivers) {
            if (w.closed) {
                continue;
            }
            for (SimMembership x : members) {
                if (!x.reaped) {
                    send(w, new Delivery(SimPool.learnedAs(x.self), x.self, false, null, null), false);
                }
            }
        }
    }

    private static List<String> names(List<SimMembership> views) {
        return views.stream().map(SimMembership::name).toList();
    }

    @Override
    public CompletableFuture<Void> leave(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (pool.lock) {
            if (closed || !started) {
                return CompletableFuture.failedFuture(new IllegalStateException(describe()
                        + (closed ? " is closed" : " is not started")));
            }
            if (left) {
                return CompletableFuture.completedFuture(null);
            }
            left = true;
            self = SimPool.withStatus(self, MemberStatus.LEFT, self.incarnation() + 1);
            pool.note("leave " + name);
            // Complete once every open view has heard of it, or at the timeout.
            List<SimMembership> receivers = openViews(null);
            int[] remaining = {receivers.size()};
            Runnable counted = () -> {
                if (--remaining[0] == 0) {
                    done.complete(null);
                }
            };
            for (SimMembership w : receivers) {
                send(w, new Delivery(MemberEvent.Type.LEAVE, self, false, null, counted), w == this);
            }
            pool.scheduler.schedule(timeout, () -> done.complete(null));
        }
        return done;
    }

    @Override
    public CompletableFuture<Void> forceLeave(String target, boolean prune) {
        Objects.requireNonNull(target, "name");
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (pool.lock) {
            IllegalStateException bad = checkRunning();
            if (bad != null) {
                return CompletableFuture.failedFuture(bad);
            }
            if (target.equals(name)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "cannot force-leave the local member '" + target + "': use leave"));
            }
            SimMembership t = group.views.stream().filter(v -> v.name.equals(target)).findFirst().orElse(null);
            if (!known.containsKey(target) || t == null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("no member named '" + target
                        + "' is known to " + name));
            }
            pool.note("force-leave " + target + " by " + name + (prune ? " (prune)" : ""));
            List<SimMembership> receivers = openViews(t);
            boolean toldSelf = false;
            if (t.self.status() != MemberStatus.LEFT) {
                Member gone = SimPool.withStatus(t.self, MemberStatus.LEFT, t.self.incarnation());
                for (SimMembership w : receivers) {
                    send(w, new Delivery(MemberEvent.Type.LEAVE, gone, false, null,
                            w == this && !prune ? () -> done.complete(null) : null), w == this);
                    toldSelf |= w == this;
                }
                if (!t.closed && !t.left && !prune) {
                    // Force-leave is meant for failed members: a running one hears of it and refutes,
                    // as with a false failure (it comes back with the next incarnation).
                    t.self = SimPool.withStatus(t.self, MemberStatus.ALIVE, t.self.incarnation() + 1);
                    pool.note("force-leave of running " + target + " refuted at incarnation " + t.self.incarnation());
                    for (SimMembership w : receivers) {
                        send(w, new Delivery(MemberEvent.Type.JOIN, t.self, false, null, null), false);
                    }
                } else {
                    t.self = gone;
                }
            }
            if (prune) {
                t.reaped = true;
                for (SimMembership w : receivers) {
                    send(w, new Delivery(MemberEvent.Type.REAP, t.self, true, null,
                            w == this ? () -> done.complete(null) : null), w == this);
                    toldSelf |= w == this;
                }
            }
            if (!toldSelf) {
                // Already left and not pruned: nothing to tell anyone.
                done.complete(null);
            }
        }
        return done;
    }

    @Override
    public CompletableFuture<Void> updateTags(Map<String, String> tags) {
        Objects.requireNonNull(tags, "tags");
        try {
            SimPool.checkTags(tags);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        synchronized (pool.lock) {
            IllegalStateException bad = checkRunning();
            if (bad != null) {
                return CompletableFuture.failedFuture(bad);
            }
            self = new Member(name, self.host(), self.port(), tags, self.status(), self.incarnation() + 1);
            pool.note("tags " + name + " " + new java.util.TreeMap<>(tags));
            for (SimMembership w : openViews(null)) {
                send(w, new Delivery(MemberEvent.Type.UPDATE, self, false, null, null), w == this);
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public CompletableFuture<Void> broadcast(String eventName, byte[] payload, boolean coalesce) {
        Objects.requireNonNull(eventName, "name");
        byte[] body = payload == null ? new byte[0] : payload.clone();
        if (eventName.isEmpty()) {
            throw new IllegalArgumentException("user event name is empty");
        }
        int size = SimPool.utf8(eventName) + body.length;
        if (size > SimPool.MAX_USER_EVENT_BYTES) {
            throw new IllegalArgumentException("user event '" + eventName + "' is " + size + " bytes, over the limit of "
                    + SimPool.MAX_USER_EVENT_BYTES + " bytes (name plus payload)");
        }
        synchronized (pool.lock) {
            IllegalStateException bad = checkRunning();
            if (bad != null) {
                return CompletableFuture.failedFuture(bad);
            }
            // Lamport rule: tick before sending; receivers move their clocks past it.
            eventClock++;
            UserEvent ev = new UserEvent(eventName, body, eventClock, coalesce);
            for (SimMembership w : openViews(null)) {
                send(w, new Delivery(null, null, false, ev, null), w == this);
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public Subscription subscribe(MembershipListener listener) {
        Sub s = new Sub(Objects.requireNonNull(listener, "listener"));
        subscribers.add(s);
        return s;
    }

    @Override
    public Map<String, String> stats() {
        synchronized (pool.lock) {
            Map<String, String> out = new LinkedHashMap<>();
            out.put("members", Integer.toString(started ? known.size() + 1 : 1));
            long alive = known.values().stream().filter(m -> m.status() == MemberStatus.ALIVE).count()
                    + (self.status() == MemberStatus.ALIVE ? 1 : 0);
            out.put("members.alive", Long.toString(alive));
            out.put("event.clock", Long.toString(eventClock));
            out.put("simulated", "true");
            return out;
        }
    }

    @Override
    public void close() {
        synchronized (pool.lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (started) {
                pool.note("close " + name + (left ? "" : " without leaving"));
                if (!left) {
                    pool.closedWithoutLeave(this);
                }
            }
        }
        for (Sub s : subscribers) {
            s.close();
        }
    }

    // ---------------------------------------------------------------- failures

    /** The pool's failure detector concluded this member failed (see {@link SimPool#fail}); on the scheduler. */
    void failNow() {
        synchronized (pool.lock) {
            if (!started || reaped || self.status() != MemberStatus.ALIVE && self.status() != MemberStatus.SUSPECT) {
                return;
            }
            Member failed = SimPool.withStatus(self, MemberStatus.FAILED, self.incarnation());
            List<SimMembership> receivers = openViews(this);
            for (SimMembership w : receivers) {
                send(w, new Delivery(MemberEvent.Type.FAILED, failed, false, null, null), false);
            }
            if (closed) {
                self = failed;
                pool.note("fail " + name);
                return;
            }
            // A running member hears that it is suspected and refutes with a higher incarnation (SWIM §4.2).
            self = SimPool.withStatus(self, MemberStatus.ALIVE, self.incarnation() + 1);
            pool.note("fail " + name + " (running: refuted at incarnation " + self.incarnation() + ")");
            for (SimMembership w : receivers) {
                send(w, new Delivery(MemberEvent.Type.JOIN, self, false, null, null), false);
            }
        }
    }

    /**
     * A cut: this view no longer hears {@code member} and concludes it failed (this view only).
     * Whether it marked it (false when it did not know it as alive). Under the lock.
     */
    boolean markFailed(String member) {
        Member m = known.get(member);
        if (closed || m == null || (m.status() != MemberStatus.ALIVE && m.status() != MemberStatus.SUSPECT)) {
            return false;
        }
        pool.note("view of " + name + " marks " + member + " failed (cut)");
        send(this, new Delivery(MemberEvent.Type.FAILED, SimPool.withStatus(m, MemberStatus.FAILED, m.incarnation()),
                false, null, null), true);
        return true;
    }

    /** After a heal: a running member that views marked failed comes back with its next incarnation. Under the lock. */
    void refute() {
        if (closed || left || !started || self.status() != MemberStatus.ALIVE) {
            return;
        }
        self = SimPool.withStatus(self, MemberStatus.ALIVE, self.incarnation() + 1);
        pool.note("refute " + name + " at incarnation " + self.incarnation());
        for (SimMembership w : openViews(this)) {
            send(w, new Delivery(MemberEvent.Type.JOIN, self, false, null, null), false);
        }
    }

    // ---------------------------------------------------------------- delivery

    /** The open views of this view's group but {@code except}, in join order. Under the lock. */
    private List<SimMembership> openViews(SimMembership except) {
        List<SimMembership> out = new ArrayList<>();
        for (SimMembership w : group.views) {
            if (!w.closed && w != except) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * Queues {@code d} for {@code to} and schedules its arrival: at once for the view that made the
     * change, after a propagation delay otherwise. Under the lock.
     */
    private void send(SimMembership to, Delivery d, boolean local) {
        String about = d.member != null ? d.member.name() : name;
        if (!local && pool.isCut(about, to.name)) {
            pool.hold(() -> {
                if (!to.closed) {
                    send(to, d, false);
                }
            });
            return;
        }
        to.inbox.add(d);
        long delay = local ? 0 : pool.delayNanos();
        pool.scheduler.schedule(Duration.ofNanos(delay), () -> to.receiveUpTo(d));
    }

    /**
     * Receives every queued delivery up to and including {@code d}, in send order: a delivery whose
     * delay was drawn shorter than an earlier one's brings the earlier one with it, so that a view
     * never learns of changes out of order. On the scheduler.
     */
    private void receiveUpTo(Delivery d) {
        while (true) {
            Delivery x;
            boolean notify;
            synchronized (pool.lock) {
                if (d.done) {
                    return;
                }
                x = inbox.poll();
                if (x == null) {
                    return;
                }
                x.done = true;
                notify = !closed && apply(x);
            }
            if (notify) {
                for (Sub s : subscribers) {
                    s.deliver(x);
                }
            }
            if (x.after != null) {
                x.after.run();
            }
        }
    }

    /** Updates this view for {@code x}; whether listeners hear of it. Under the lock. */
    private boolean apply(Delivery x) {
        if (x.user != null) {
            eventClock = Math.max(eventClock, x.user.lamportTime());
            return true;
        }
        if (x.member.name().equals(name)) {
            return x.type != null; // news of itself: its own state is already the truth
        }
        if (x.reap) {
            known.remove(x.member.name());
        } else {
            Member old = known.get(x.member.name());
            if (old != null && old.incarnation() > x.member.incarnation()) {
                return false; // an older state of a restarted member: nothing new
            }
            known.put(x.member.name(), x.member);
        }
        return x.type != null;
    }

    private IllegalStateException checkRunning() {
        if (closed) {
            return new IllegalStateException(describe() + " is closed");
        }
        if (!started) {
            return new IllegalStateException(describe() + " is not started");
        }
        if (left) {
            return new IllegalStateException(describe() + " has left");
        }
        return null;
    }

    private String describe() {
        return SimPool.PLUGIN_NAME + " view of '" + name + "'";
    }

    /** One listener registration; a closed one receives nothing new. */
    private final class Sub implements Subscription {
        private final MembershipListener listener;
        private volatile boolean active = true;

        Sub(MembershipListener listener) {
            this.listener = listener;
        }

        void deliver(Delivery x) {
            if (!active) {
                return;
            }
            // A listener's failure is its own: the next listeners and deliveries go on (as a gossip
            // plugin logs and continues).
            try {
                if (x.user != null) {
                    listener.onUserEvent(x.user);
                } else {
                    listener.onMemberEvent(new MemberEvent(x.type, x.member));
                }
            } catch (RuntimeException e) {
                System.getLogger(SimMembership.class.getName()).log(System.Logger.Level.WARNING,
                        "membership listener of " + name + " threw", e);
            }
        }

        @Override
        public void close() {
            active = false;
            subscribers.remove(this);
        }
    }
}
