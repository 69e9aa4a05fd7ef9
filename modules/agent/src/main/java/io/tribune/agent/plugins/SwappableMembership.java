package io.tribune.agent.plugins;

import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.api.Subscription;
import io.tribune.api.membership.Keyring;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.membership.NetworkCoordinate;
import io.tribune.api.membership.QueryHandler;
import io.tribune.api.membership.QueryLimits;
import io.tribune.api.membership.QueryResult;
import io.tribune.api.membership.UserEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The membership (one pool, LAN or WAN) the agent hands to its parts: a stable object in front of the
 * plugin's instance, so that a live update of the membership plugin replaces the instance without
 * re-wiring the request layer, the leader's reconciler, the keyring queries or anything else that
 * holds the pool, and without the other members or the agent's listeners seeing the node go.
 *
 * <p><b>Hand-over.</b> {@link #release()} snapshots what the next instance needs (the local member:
 * name, address and port, tags and incarnation; every member; the keyring's keys and primary; the
 * user-event clock) and closes the running instance; the runtime then swaps the plugin's code;
 * {@link #resume} creates the next instance from that {@link Handover} (the caller binds it to the same
 * port with the same tags and hands the incarnation and event clock to the plugin), installs the
 * keys, registers every query handler and the front's own listener on it, starts it and joins the
 * members that were alive (at most {@value #MAX_JOIN_SEEDS}), so that the node rejoins at once. A
 * plugin that starts above the handed-over incarnation is accepted by every member at once (SWIM §4.2),
 * and refutes any suspicion raised while no instance ran; one that starts at 0 gets there by refuting
 * its own state as the join's push-pull brings it back. The other members declare the node failed only
 * when the gap (from {@code release} to the join) outlasts their failure detection: for gossip-swim's
 * LAN preset, one protocol period plus Lifeguard's shortest suspicion timeout, 0.4 s + 4 &times;
 * max(1, log10 n) &times; 0.4 s (2.0 s up to 10 members, 5.2 s at 1,000 with every
 * confirmation; 10 s and more with none).
 *
 * <p><b>Listeners see no false events.</b> The agent's listeners subscribe here, once, and the front
 * keeps their view: the last state it delivered of each member. An event that changes nothing in that
 * view is not delivered (the next instance's JOIN of itself and of every member it learns again, a
 * FAILED or LEAVE a listener already had); a JOIN of a member they see up with other tags or another
 * address is delivered as UPDATE. Members that had failed or left and that the next instance does not
 * know (peers do not gossip failed members to a newcomer) stay listed by {@link #members()}, unchanged,
 * until that instance learns them or {@code carryFor} passes (then they are reaped with a REAP event,
 * as the plugin would have done), so the catalog loses no node because of the swap. Outside a swap this
 * filter changes nothing for a plugin that emits only changes, as the SPI asks. User events are
 * delivered once per (Lamport time, name, payload) over the last {@value #RECENT_USER_EVENTS}, so that
 * copies still in flight around the swap are not delivered twice.
 *
 * <p><b>Calls during a swap</b> (from {@code release} until {@code resume} has started the next
 * instance): {@link #members()}, {@link #localMember()} and the keyring's reads answer from the
 * snapshot, and go on answering it until the rejoin has completed (an instance that has not joined yet
 * knows only itself, and a leader must not reconcile the catalog against that); {@link #coordinate()}
 * and {@link #coordinateOf} answer empty and {@link #stats()} says {@code handover=in progress};
 * {@link #join}, {@link #leave}, {@link #forceLeave}, {@link #updateTags}, {@link #broadcast} and
 * queries wait: their futures complete once the next instance runs (a bad argument then fails the
 * future instead of throwing), or fail with {@link IllegalStateException} when none can run again;
 * keyring changes fail at once with {@link IllegalStateException} saying to retry, since their callers
 * (keyring queries) answer on an event thread that must not wait; {@link #subscribe} is never
 * affected.
 *
 * <p><b>Threading.</b> Thread-safe. {@code release} and {@code resume} are called by one thread at a
 * time (the agent serializes updates); they block for the close and the start of an instance and, in
 * {@code resume}, for the rejoin (at most {@code joinWait}). Listeners are called one at a time, in
 * the order the running instance produced its events, on that instance's event thread; an instance
 * that was released delivers nothing more.
 */
public final class SwappableMembership implements Membership {
    private static final System.Logger LOG = System.getLogger(SwappableMembership.class.getName());
    /** Members joined on a hand-over: enough to spread the new incarnation at once, bounded for large pools. */
    public static final int MAX_JOIN_SEEDS = 16;
    /** User events remembered to drop copies (Serf's event buffer holds 512 Lamport times). */
    public static final int RECENT_USER_EVENTS = 512;
    /** How long failed or left members are carried over by default: Serf's reap timeout (72 h). */
    public static final Duration DEFAULT_CARRY = Duration.ofHours(72);
    /** How long {@code resume} waits for the rejoin by default. */
    public static final Duration DEFAULT_JOIN_WAIT = Duration.ofSeconds(15);

    /**
     * What a membership instance hands to the next one.
     *
     * @param local      the local member as the released instance last saw itself (port, tags, incarnation)
     * @param members    every member it listed, the local one included, in its order
     * @param keys       the keyring's keys, primary first; empty without a keyring
     * @param primaryKey the primary key, or {@code null} without a keyring
     * @param eventClock one past the highest user-event Lamport time delivered, 0 when none was
     */
    public record Handover(Member local, List<Member> members, List<String> keys, String primaryKey, long eventClock) {
        public Handover {
            Objects.requireNonNull(local, "local");
            members = List.copyOf(members);
            keys = List.copyOf(keys);
        }

        /** The local incarnation the next instance must start above. */
        public long incarnation() {
            return local.incarnation();
        }

        /**
         * Where to rejoin: {@code host:port} of the members that were alive or suspect, other than the
         * local one, in list order, at most {@link #MAX_JOIN_SEEDS}.
         */
        public List<String> seeds() {
            List<String> out = new ArrayList<>();
            for (Member m : members) {
                if (out.size() < MAX_JOIN_SEEDS && !m.name().equals(local.name()) && up(m.status())) {
                    String host = m.host().indexOf(':') >= 0 ? "[" + m.host() + "]" : m.host();
                    out.add(host + ":" + m.port());
                }
            }
            return out;
        }
    }

    private record UserKey(long ltime, String name, ByteBuffer payload) {
    }

    private final Clock clock;
    private final Scheduler scheduler;
    private final Duration carryFor;
    private final Duration joinWait;
    private final Optional<Keyring> keyring;
    private final Optional<MemberQueries> queries;
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Guards the state below; never held while calling listeners or a plugin's blocking methods. */
    private final Object lock = new Object();
    /** Serializes deliveries across instances; taken before {@link #lock}, never after it. */
    private final Object deliveryLock = new Object();
    private final LinkedHashMap<String, QueryHandler> handlers = new LinkedHashMap<>();
    private final List<Subscription> handlerSubs = new ArrayList<>();
    /** The listeners' view: the last state delivered of each member (insertion order). */
    private final LinkedHashMap<String, Member> view = new LinkedHashMap<>();
    private final ArrayDeque<UserKey> recentOrder = new ArrayDeque<>();
    /** Lookup only. */
    private final Set<UserKey> recent = new HashSet<>();
    private long eventClock;
    private Membership current;
    private Subscription currentSub;
    private long generation;
    /** Set from {@code release} until the next instance has rejoined: what members() answers meanwhile. */
    private Handover snapshot;
    private boolean swapped;
    private boolean closed;
    private CompletableFuture<Membership> ready = new CompletableFuture<>();
    private Cancellable carryExpiry;
    private long releasedNanos;
    private volatile long lastGapMillis = -1;
    /** What the reads answer after close (the agent may still describe itself while it shuts down). */
    private Member lastLocal;
    private List<Member> lastMembers = List.of();

    /** Fronts {@code first} (not started yet) with the default carry and join wait. */
    public SwappableMembership(Membership first, Clock clock, Scheduler scheduler) {
        this(first, clock, scheduler, DEFAULT_CARRY, DEFAULT_JOIN_WAIT);
    }

    /**
     * Fronts {@code first}, which is not started yet (so that the front sees every event).
     *
     * @param carryFor how long members that the next instance does not know stay listed after a swap
     * @param joinWait how long {@link #resume} waits for the rejoin
     */
    public SwappableMembership(Membership first, Clock clock, Scheduler scheduler, Duration carryFor,
                               Duration joinWait) {
        this.current = Objects.requireNonNull(first, "first");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.carryFor = Objects.requireNonNull(carryFor, "carryFor");
        this.joinWait = Objects.requireNonNull(joinWait, "joinWait");
        // Capabilities are the first instance's: a front cannot gain or lose them later.
        this.keyring = first.keyring().map(k -> new FrontKeyring());
        this.queries = first.queries().map(q -> new FrontQueries(q.limits()));
        this.ready.complete(first);
        this.currentSub = first.subscribe(new Tap(generation));
    }

    static boolean up(MemberStatus s) {
        return s == MemberStatus.ALIVE || s == MemberStatus.SUSPECT;
    }

    /** The running instance, or {@code null} during a swap (tests). */
    public Membership current() {
        synchronized (lock) {
            return current;
        }
    }

    /** Whether {@link #release} ran and no {@link #resume} has succeeded since. */
    public boolean released() {
        synchronized (lock) {
            return current == null && snapshot != null;
        }
    }

    /** Milliseconds from the last {@link #release} to the end of the rejoin that followed, or -1 before one. */
    public long lastGapMillis() {
        return lastGapMillis;
    }

    // ------------------------------------------------------------------ hand-over

    /**
     * Snapshots the running instance's state and closes it (its threads stop before this returns, as
     * {@link Membership#close()} promises; to the other members this looks like a crash until the next
     * instance rejoins). From now on the instance delivers nothing more.
     *
     * @throws IllegalStateException when the front is closed or already released
     */
    public Handover release() {
        Membership old;
        Subscription oldSub;
        List<Subscription> oldHandlers;
        Handover h;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("membership closed");
            }
            if (current == null) {
                throw new IllegalStateException("membership already released for a replacement");
            }
            old = current;
            List<String> keys = List.of();
            String primary = null;
            Optional<Keyring> k = old.keyring();
            if (k.isPresent()) {
                keys = k.get().keys();
                primary = k.get().primaryKey();
            }
            // Members carried over an earlier swap are handed on too.
            List<Member> listed = old.members();
            List<Member> carried = carriedLocked(listed);
            if (!carried.isEmpty()) {
                List<Member> all = new ArrayList<>(listed);
                all.addAll(carried);
                listed = all;
            }
            h = new Handover(old.localMember(), listed, keys, primary, eventClock);
            snapshot = h;
            current = null;
            generation++;
            oldSub = currentSub;
            currentSub = null;
            oldHandlers = List.copyOf(handlerSubs);
            handlerSubs.clear();
            if (ready.isDone()) {
                ready = new CompletableFuture<>();
            }
            if (carryExpiry != null) {
                carryExpiry.cancel();
                carryExpiry = null;
            }
            releasedNanos = clock.nanos();
        }
        for (Subscription s : oldHandlers) {
            closeQuietly(s);
        }
        if (oldSub != null) {
            closeQuietly(oldSub);
        }
        old.close();
        LOG.log(System.Logger.Level.INFO, "membership of {0} released at incarnation {1} with {2} members",
                h.local().name(), h.incarnation(), h.members().size());
        return h;
    }

    /**
     * Creates the next instance with {@code next} from the snapshot {@link #release} took, restores the
     * keyring (installs the snapshot's keys, makes its primary the primary, removes the others),
     * registers every query handler and the front's listener, starts it, and rejoins the members that
     * were alive; answers how many of them the join reached (0 when there were none or the join failed,
     * which is logged: the plugin's own retries and the agent's retry-join carry on).
     *
     * <p>When {@code next} or the start fails, the new instance is closed, the exception propagates and
     * the front stays released: the caller may call {@code resume} again with a factory that still works
     * (the old revision), or {@link #abandon} to fail the calls that wait.
     *
     * @throws IllegalStateException when the front is closed or was not released
     */
    public int resume(Function<Handover, Membership> next) {
        Handover h;
        long gen;
        List<Map.Entry<String, QueryHandler>> toRegister;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("membership closed");
            }
            if (current != null || snapshot == null) {
                throw new IllegalStateException("membership is not released: nothing to resume");
            }
            h = snapshot;
            gen = ++generation;
            toRegister = List.copyOf(handlers.entrySet());
        }
        Membership m = Objects.requireNonNull(next.apply(h), "the factory returned no membership");
        Subscription sub = null;
        List<Subscription> subs = new ArrayList<>();
        try {
            restoreKeyring(m, h);
            if (!toRegister.isEmpty()) {
                MemberQueries q = m.queries().orElseThrow(() -> new IllegalStateException(
                        "the new membership instance offers no queries, but the agent answers "
                                + toRegister.stream().map(Map.Entry::getKey).toList()));
                for (Map.Entry<String, QueryHandler> e : toRegister) {
                    subs.add(q.handle(e.getKey(), e.getValue()));
                }
            }
            sub = m.subscribe(new Tap(gen));
            m.start();
        } catch (RuntimeException | LinkageError e) {
            subs.forEach(SwappableMembership::closeQuietly);
            if (sub != null) {
                closeQuietly(sub);
            }
            m.close();
            throw e;
        }
        CompletableFuture<Membership> r;
        synchronized (lock) {
            if (closed) {
                m.close();
                throw new IllegalStateException("membership closed during the replacement");
            }
            current = m;
            currentSub = sub;
            handlerSubs.addAll(subs);
            swapped = true;
            r = ready;
        }
        // Calls that waited for an instance run now (on this thread: they only start futures).
        r.complete(m);
        int reached = rejoin(m, h);
        long gap;
        synchronized (lock) {
            if (current == m) {
                snapshot = null;
                carryExpiry = scheduler.schedule(carryFor, this::reapCarried);
            }
            gap = TimeUnit.NANOSECONDS.toMillis(clock.nanos() - releasedNanos);
        }
        lastGapMillis = gap;
        LOG.log(System.Logger.Level.INFO, "membership of {0} resumed above incarnation {1}: rejoined {2} of {3} "
                + "members, {4} ms after the release", h.local().name(), h.incarnation(), reached, h.seeds().size(), gap);
        return reached;
    }

    private int rejoin(Membership m, Handover h) {
        List<String> seeds = h.seeds();
        if (seeds.isEmpty()) {
            return 0;
        }
        try {
            Integer n = m.join(seeds).get(joinWait.toMillis(), TimeUnit.MILLISECONDS);
            return n == null ? 0 : n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.log(System.Logger.Level.WARNING, "membership of {0}: rejoin after the replacement did not complete "
                    + "({1}); the plugin and retry-join go on", h.local().name(), c.toString());
        }
        return 0;
    }

    private static void restoreKeyring(Membership m, Handover h) {
        if (h.primaryKey() == null) {
            return;
        }
        Keyring k = m.keyring().orElseThrow(() -> new IllegalStateException(
                "the new membership instance has no keyring, but the pool's traffic is encrypted"));
        for (String key : h.keys()) {
            if (!k.keys().contains(key)) {
                k.install(key);
            }
        }
        k.use(h.primaryKey());
        for (String key : List.copyOf(k.keys())) {
            if (!h.keys().contains(key)) {
                k.remove(key);
            }
        }
    }

    /**
     * Gives up the replacement: no instance will run again. Calls that wait fail with
     * {@link IllegalStateException} carrying {@code why}; reads go on answering the snapshot.
     */
    public void abandon(String why) {
        CompletableFuture<Membership> r;
        synchronized (lock) {
            r = ready;
        }
        r.completeExceptionally(new IllegalStateException("no membership instance runs (" + why
                + "); restart the agent"));
    }

    /** Failed and left members of the listeners' view that the running instance does not list. */
    private List<Member> carriedLocked(List<Member> listed) {
        if (!swapped || view.isEmpty()) {
            return List.of();
        }
        Set<String> names = new HashSet<>();
        for (Member m : listed) {
            names.add(m.name());
        }
        List<Member> out = new ArrayList<>();
        for (Member m : view.values()) {
            if (!up(m.status()) && !names.contains(m.name())) {
                out.add(m);
            }
        }
        return out;
    }

    private void reapCarried() {
        synchronized (deliveryLock) {
            List<MemberEvent> reaped = new ArrayList<>();
            synchronized (lock) {
                if (closed || current == null) {
                    return;
                }
                carryExpiry = null;
                for (Member m : carriedLocked(current.members())) {
                    view.remove(m.name());
                    reaped.add(new MemberEvent(MemberEvent.Type.REAP, m));
                }
            }
            reaped.forEach(this::deliver);
        }
    }

    // ------------------------------------------------------------------ events

    /** The front's listener on one instance; events of an instance released since are dropped. */
    private final class Tap implements MembershipListener {
        private final long gen;

        Tap(long gen) {
            this.gen = gen;
        }

        @Override
        public void onMemberEvent(MemberEvent event) {
            synchronized (deliveryLock) {
                MemberEvent out;
                synchronized (lock) {
                    if (gen != generation || closed) {
                        return;
                    }
                    out = filterLocked(event);
                }
                if (out != null) {
                    deliver(out);
                }
            }
        }

        @Override
        public void onUserEvent(UserEvent event) {
            synchronized (deliveryLock) {
                synchronized (lock) {
                    if (gen != generation || closed) {
                        return;
                    }
                    UserKey key = new UserKey(event.lamportTime(), event.name(), ByteBuffer.wrap(event.payload().clone()));
                    if (!recent.add(key)) {
                        return;
                    }
                    recentOrder.addLast(key);
                    if (recentOrder.size() > RECENT_USER_EVENTS) {
                        recent.remove(recentOrder.removeFirst());
                    }
                    eventClock = Math.max(eventClock, event.lamportTime() + 1);
                }
                for (Listener l : listeners) {
                    l.user(event);
                }
            }
        }
    }

    /** The event the listeners get for {@code e} (or {@code null}: nothing changed for them); updates their view. */
    private MemberEvent filterLocked(MemberEvent e) {
        Member m = e.member();
        Member known = view.get(m.name());
        switch (e.type()) {
            case JOIN, UPDATE -> {
                view.put(m.name(), m);
                if (known != null && up(known.status()) && up(m.status())) {
                    if (sameShape(known, m)) {
                        return null;
                    }
                    return e.type() == MemberEvent.Type.JOIN ? new MemberEvent(MemberEvent.Type.UPDATE, m) : e;
                }
                return e;
            }
            case LEAVE, FAILED -> {
                view.put(m.name(), m);
                return known != null && known.status() == m.status() ? null : e;
            }
            case REAP -> {
                return view.remove(m.name()) == null ? null : e;
            }
            default -> {
                return e;
            }
        }
    }

    private static boolean sameShape(Member a, Member b) {
        return a.host().equals(b.host()) && a.port() == b.port() && a.tags().equals(b.tags());
    }

    private void deliver(MemberEvent e) {
        for (Listener l : listeners) {
            l.member(e);
        }
    }

    /** One listener of the agent's. */
    private static final class Listener implements Subscription {
        private final MembershipListener target;
        private final CopyOnWriteArrayList<Listener> owner;
        private volatile boolean closed;

        Listener(MembershipListener target, CopyOnWriteArrayList<Listener> owner) {
            this.target = target;
            this.owner = owner;
        }

        void member(MemberEvent e) {
            if (!closed) {
                try {
                    target.onMemberEvent(e);
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "membership listener failed on " + e.type(), ex);
                }
            }
        }

        void user(UserEvent e) {
            if (!closed) {
                try {
                    target.onUserEvent(e);
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "membership listener failed on user event " + e.name(), ex);
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            owner.remove(this);
        }
    }

    // ------------------------------------------------------------------ Membership

    /**
     * Starts the first instance.
     *
     * @throws IllegalStateException during a swap or after close
     */
    @Override
    public void start() {
        running().start();
    }

    private Membership running() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("membership closed");
            }
            if (current == null) {
                throw new IllegalStateException("the membership plugin is being replaced; retry in a moment");
            }
            return current;
        }
    }

    @Override
    public Member localMember() {
        Membership m;
        synchronized (lock) {
            if (current == null) {
                return snapshot != null ? snapshot.local() : lastLocal;
            }
            m = current;
        }
        return m.localMember();
    }

    @Override
    public List<Member> members() {
        Membership m;
        synchronized (lock) {
            if (snapshot != null || current == null) {
                // During the swap and until the rejoin has completed: the released instance's list.
                return snapshot == null ? lastMembers : snapshot.members();
            }
            if (!swapped) {
                return current.members();
            }
            m = current;
        }
        List<Member> listed = m.members();
        synchronized (lock) {
            List<Member> carried = carriedLocked(listed);
            if (carried.isEmpty()) {
                return listed;
            }
            List<Member> out = new ArrayList<>(listed);
            out.addAll(carried);
            return List.copyOf(out);
        }
    }

    /** Runs {@code op} on the running instance, or once the next one runs. */
    private <T> CompletableFuture<T> whenRunning(Function<Membership, CompletableFuture<T>> op) {
        CompletableFuture<Membership> r;
        Membership m;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("membership closed"));
            }
            m = current;
            r = ready;
        }
        return m != null ? op.apply(m) : r.thenCompose(op);
    }

    @Override
    public CompletableFuture<Integer> join(List<String> seeds) {
        return whenRunning(m -> m.join(seeds));
    }

    @Override
    public CompletableFuture<Void> leave(Duration timeout) {
        return whenRunning(m -> m.leave(timeout));
    }

    @Override
    public CompletableFuture<Void> forceLeave(String name, boolean prune) {
        synchronized (deliveryLock) {
            MemberEvent out = null;
            boolean handled = false;
            synchronized (lock) {
                Member carried = current == null || snapshot != null ? null : carriedLocked(current.members()).stream()
                        .filter(c -> c.name().equals(name)).findFirst().orElse(null);
                if (carried != null) {
                    // Only the front knows it (carried over a swap): force-leave it here, as the plugin would.
                    handled = true;
                    if (prune) {
                        view.remove(name);
                        out = new MemberEvent(MemberEvent.Type.REAP, carried);
                    } else if (carried.status() == MemberStatus.FAILED) {
                        Member left = new Member(carried.name(), carried.host(), carried.port(), carried.tags(),
                                MemberStatus.LEFT, carried.incarnation());
                        view.put(name, left);
                        out = new MemberEvent(MemberEvent.Type.LEAVE, left);
                    }
                }
            }
            if (out != null) {
                deliver(out);
            }
            if (handled) {
                return CompletableFuture.completedFuture(null);
            }
        }
        return whenRunning(m -> m.forceLeave(name, prune));
    }

    @Override
    public CompletableFuture<Void> updateTags(Map<String, String> tags) {
        return whenRunning(m -> m.updateTags(tags));
    }

    @Override
    public CompletableFuture<Void> broadcast(String name, byte[] payload, boolean coalesce) {
        byte[] copy = payload == null ? null : payload.clone();
        return whenRunning(m -> m.broadcast(name, copy, coalesce));
    }

    @Override
    public Subscription subscribe(MembershipListener listener) {
        Listener l = new Listener(Objects.requireNonNull(listener, "listener"), listeners);
        listeners.add(l);
        return l;
    }

    @Override
    public Optional<Keyring> keyring() {
        return keyring;
    }

    @Override
    public Optional<MemberQueries> queries() {
        return queries;
    }

    @Override
    public Optional<NetworkCoordinate> coordinate() {
        Membership m = current();
        return m == null ? Optional.empty() : m.coordinate();
    }

    @Override
    public Optional<NetworkCoordinate> coordinateOf(String member) {
        Membership m = current();
        return m == null ? Optional.empty() : m.coordinateOf(member);
    }

    @Override
    public Map<String, String> stats() {
        Membership m = current();
        return m == null ? Map.of("handover", "in progress") : m.stats();
    }

    /** Closes the running instance (without a leave) and fails the calls that wait. Idempotent. */
    @Override
    public void close() {
        Membership m;
        CompletableFuture<Membership> r;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            m = current;
            current = null;
            r = ready;
            if (carryExpiry != null) {
                carryExpiry.cancel();
            }
        }
        r.completeExceptionally(new IllegalStateException("membership closed"));
        if (m != null) {
            Member local = m.localMember();
            List<Member> members = m.members();
            synchronized (lock) {
                lastLocal = local;
                lastMembers = members;
            }
            m.close();
        }
    }

    private static void closeQuietly(Subscription s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a subscription failed: " + e);
        }
    }

    /** The keyring of whichever instance runs; see the class comment for calls during a swap. */
    private final class FrontKeyring implements Keyring {
        private Keyring running() {
            Membership m = SwappableMembership.this.running();
            return m.keyring().orElseThrow(() -> new IllegalStateException("the running membership has no keyring"));
        }

        @Override
        public List<String> keys() {
            synchronized (lock) {
                if (current == null && snapshot != null) {
                    return snapshot.keys();
                }
            }
            return running().keys();
        }

        @Override
        public String primaryKey() {
            synchronized (lock) {
                if (current == null && snapshot != null) {
                    return snapshot.primaryKey();
                }
            }
            return running().primaryKey();
        }

        @Override
        public void install(String key) {
            running().install(key);
        }

        @Override
        public void use(String key) {
            running().use(key);
        }

        @Override
        public void remove(String key) {
            running().remove(key);
        }
    }

    /** Queries of whichever instance runs; handlers are remembered and registered on every next instance. */
    private final class FrontQueries implements MemberQueries {
        private final QueryLimits limits;

        FrontQueries(QueryLimits limits) {
            this.limits = limits;
        }

        @Override
        public QueryLimits limits() {
            return limits;
        }

        @Override
        public Subscription handle(String name, QueryHandler handler) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(handler, "handler");
            Subscription inner = null;
            synchronized (lock) {
                if (closed) {
                    throw new IllegalStateException("membership closed");
                }
                if (handlers.containsKey(name)) {
                    throw new IllegalStateException("a handler is already registered for query '" + name + "'");
                }
                if (current != null) {
                    // The instance checks the name; a refusal leaves nothing registered here.
                    inner = current.queries().orElseThrow(() -> new IllegalStateException(
                            "the running membership offers no queries")).handle(name, handler);
                    handlerSubs.add(inner);
                }
                handlers.put(name, handler);
            }
            Subscription registered = inner;
            return () -> {
                synchronized (lock) {
                    if (handlers.get(name) == handler) {
                        handlers.remove(name);
                    }
                    if (registered != null && handlerSubs.remove(registered)) {
                        closeQuietly(registered);
                    }
                }
            };
        }

        @Override
        public CompletableFuture<QueryResult> query(String name, byte[] payload, Duration timeout) {
            byte[] copy = payload == null ? null : payload.clone();
            return whenRunning(m -> m.queries().map(q -> q.query(name, copy, timeout)).orElseGet(() ->
                    CompletableFuture.failedFuture(new IllegalStateException("the running membership offers no queries"))));
        }
    }
}
