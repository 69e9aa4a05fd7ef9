package io.tribune.membership.fixed.internal;

import io.tribune.api.Cancellable;
import io.tribune.api.PluginContext;
import io.tribune.api.Scheduler;
import io.tribune.api.Subscription;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberAnswer;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Query;
import io.tribune.api.membership.QueryHandler;
import io.tribune.api.membership.QueryLimits;
import io.tribune.api.membership.QueryResult;
import io.tribune.api.membership.UserEvent;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A membership without network or failure detection.
 *
 * <p>State lives under one lock. Every change enqueues its events on the context scheduler's
 * {@code serial} executor while still holding the lock, so listeners see events one at a time, on
 * one logical thread, in exactly the order the changes were made. Futures complete on the caller's
 * thread because nothing here waits for a peer, except those of queries.
 *
 * <p><b>Queries</b> ({@link #queries()}): a query asks every member of the local view that is
 * ALIVE (the local one and the configured or joined members; left ones are not asked). Only the
 * local handler can answer, since nothing is sent anywhere: every other member is reported
 * {@link MemberAnswer.Outcome#NO_ANSWER} when the timeout passes, and the future completes then
 * (or at once when the local member is the only one asked). Handlers run, and query futures
 * complete, on the same serial executor as listener events. Limits are {@link QueryLimits#DEFAULT}
 * (there is no packet to fit), and at most {@value #MAX_PENDING_QUERIES} queries may be in flight.
 */
final class StaticMembership implements Membership {
    /** Tag limits: Serf carries tags in a 512-byte meta field; here they only need a sane bound. */
    static final int MAX_TAGS = 64;
    static final int MAX_TAG_BYTES = 4096;
    /** Queries of this instance in flight at once; the same bound as gossip-swim's. */
    static final int MAX_PENDING_QUERIES = 32;

    private final MembershipSetup setup;
    private final StaticConfig config;
    private final System.Logger log;
    private final Executor events;
    private final Scheduler scheduler;
    private final Queries queries = new Queries();
    /** Local query handlers by name; lookups only. */
    private final Map<String, QueryHandler> handlers = new ConcurrentHashMap<>();
    /** Queries in flight, in start order; guarded by {@link #lock}. */
    private final List<PendingQuery> pendingQueries = new ArrayList<>();
    private final CopyOnWriteArrayList<Sub> subscribers = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    /** Insertion-ordered so that {@link #members()} is stable: local member first. */
    private final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
    private Member local;
    /** Lamport clock of user events (Serf's event clock). */
    private long eventClock;
    private boolean started;
    private boolean closed;

    StaticMembership(MembershipSetup setup, StaticConfig config, PluginContext context) {
        this.setup = setup;
        this.config = config;
        this.log = context.logger(StaticMembershipPlugin.NAME);
        this.events = context.scheduler().serial(StaticMembershipPlugin.NAME + "-events");
        this.scheduler = context.scheduler();
        checkTags(setup.tags());
        Address.checkName(setup.nodeName(), setup.nodeName());
        int port = setup.bindPort() == 0 ? config.defaultPort() : setup.bindPort();
        this.local = new Member(setup.nodeName(), setup.advertiseHost(), port, setup.tags(), MemberStatus.ALIVE, 0);
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("membership-static for '" + setup.nodeName() + "' is closed");
            }
            if (started) {
                return;
            }
            started = true;
            members.put(local.name(), local);
            emit(MemberEvent.Type.JOIN, local);
            for (Address a : config.members()) {
                if (a.name().equals(local.name())) {
                    continue;
                }
                Member m = new Member(a.name(), a.host(), a.port(), Map.of(), MemberStatus.ALIVE, 0);
                members.put(m.name(), m);
                emit(MemberEvent.Type.JOIN, m);
            }
        }
    }

    @Override
    public Member localMember() {
        synchronized (lock) {
            return local;
        }
    }

    @Override
    public List<Member> members() {
        synchronized (lock) {
            if (!started) {
                return List.of(local);
            }
            return List.copyOf(members.values());
        }
    }

    @Override
    public CompletableFuture<Integer> join(List<String> seeds) {
        Objects.requireNonNull(seeds, "seeds");
        if (seeds.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("join needs at least one seed address"));
        }
        if (seeds.size() > StaticConfig.MAX_MEMBERS) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    seeds.size() + " seeds exceed the limit of " + StaticConfig.MAX_MEMBERS));
        }
        // Parse everything before changing anything: a bad seed fails the call and changes nothing.
        List<Address> parsed = new ArrayList<>();
        try {
            for (String s : seeds) {
                parsed.add(Address.parse(s, config.defaultPort()));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("bad seed address: " + e.getMessage()));
        }
        if (!config.recordJoins()) {
            // Nothing here reaches a seed: claiming a join would list a made-up ALIVE member.
            Address first = parsed.get(0);
            return CompletableFuture.failedFuture(new IllegalStateException("cannot contact " + first.host() + ":"
                    + first.port() + ": membership-static has no network (a -dev agent gossips with nobody;"
                    + " use gossip-swim to join other agents)"));
        }
        synchronized (lock) {
            IllegalStateException bad = checkRunning();
            if (bad != null) {
                return CompletableFuture.failedFuture(bad);
            }
            if (members.size() + parsed.size() > StaticConfig.MAX_MEMBERS + 1) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "join would exceed the limit of " + StaticConfig.MAX_MEMBERS + " members"));
            }
            for (Address a : parsed) {
                boolean self = a.name().equals(local.name())
                        || (a.host().equals(local.host()) && a.port() == local.port());
                if (self) {
                    continue;
                }
                Member old = members.get(a.name());
                if (old != null && old.status() == MemberStatus.ALIVE) {
                    continue;
                }
                long inc = old == null ? 0 : old.incarnation() + 1;
                Member m = new Member(a.name(), a.host(), a.port(), old == null ? Map.of() : old.tags(),
                        MemberStatus.ALIVE, inc);
                members.put(m.name(), m);
                emit(MemberEvent.Type.JOIN, m);
            }
            return CompletableFuture.completedFuture(parsed.size());
        }
    }

    @Override
    public CompletableFuture<Void> leave(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        synchronized (lock) {
            IllegalStateException bad = checkRunning();
            if (bad != null) {
                return CompletableFuture.failedFuture(bad);
            }
            if (local.status() != MemberStatus.LEFT) {
                local = withStatus(local, MemberStatus.LEFT, local.incarnation() + 1);
                members.put(local.name(), local);
                emit(MemberEvent.Type.LEAVE, local);
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public CompletableFuture<Void> forceLeave(String name, boolean prune) {
        Objects.requireNonNull(name, "name");
        synchronized (lock) {
            IllegalStateException bad = checkRunning();
            if (bad != null) {
                return CompletableFuture.failedFuture(bad);
            }
            Member m = members.get(name);
            if (m == null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("no member named '" + name + "'"));
            }
            if (name.equals(local.name())) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "cannot force-leave the local member '" + name + "': use leave"));
            }
            if (m.status() != MemberStatus.LEFT) {
                m = withStatus(m, MemberStatus.LEFT, m.incarnation());
                members.put(name, m);
                emit(MemberEvent.Type.LEAVE, m);
            }
            if (prune) {
                members.remove(name);
                emit(MemberEvent.Type.REAP, m);
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public CompletableFuture<Void> updateTags(Map<String, String> tags) {
        Objects.requireNonNull(tags, "tags");
        try {
            checkTags(tags);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        synchronized (lock) {
            IllegalStateException bad = checkRunning();
            if (bad != null) {
                return CompletableFuture.failedFuture(bad);
            }
            local = new Member(local.name(), local.host(), local.port(), tags, local.status(), local.incarnation() + 1);
            members.put(local.name(), local);
            emit(MemberEvent.Type.UPDATE, local);
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public CompletableFuture<Void> broadcast(String name, byte[] payload, boolean coalesce) {
        Objects.requireNonNull(name, "name");
        byte[] body = payload == null ? new byte[0] : payload.clone();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("user event name is empty");
        }
        int size = name.getBytes(StandardCharsets.UTF_8).length + body.length;
        if (size > config.userEventMaxBytes()) {
            throw new IllegalArgumentException("user event '" + name + "' is " + size + " bytes, over the limit of "
                    + config.userEventMaxBytes() + " bytes (name plus payload)");
        }
        synchronized (lock) {
            IllegalStateException bad = checkRunning();
            if (bad != null) {
                return CompletableFuture.failedFuture(bad);
            }
            // Lamport rule: tick before sending. There is no receiver but ourselves, so the clock
            // only ever moves by local events.
            eventClock++;
            UserEvent ev = new UserEvent(name, body, eventClock, coalesce);
            for (Sub s : subscribers) {
                events.execute(() -> s.user(ev));
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public Subscription subscribe(MembershipListener listener) {
        Objects.requireNonNull(listener, "listener");
        Sub s = new Sub(listener);
        subscribers.add(s);
        return s;
    }

    @Override
    public Optional<MemberQueries> queries() {
        return Optional.of(queries);
    }

    @Override
    public Map<String, String> stats() {
        synchronized (lock) {
            Map<String, String> out = new LinkedHashMap<>();
            out.put("members", Integer.toString(members.size()));
            long alive = members.values().stream().filter(m -> m.status() == MemberStatus.ALIVE).count();
            out.put("members.alive", Long.toString(alive));
            out.put("event.clock", Long.toString(eventClock));
            out.put("failure.detection", "false");
            out.put("queries.pending", Integer.toString(pendingQueries.size()));
            return out;
        }
    }

    @Override
    public void close() {
        List<PendingQuery> unfinished;
        synchronized (lock) {
            closed = true;
            unfinished = List.copyOf(pendingQueries);
            pendingQueries.clear();
        }
        for (Sub s : subscribers) {
            s.close();
        }
        for (PendingQuery p : unfinished) {
            p.timer.cancel();
            p.future.completeExceptionally(new IllegalStateException("membership-static for '" + setup.nodeName()
                    + "' closed before its query finished"));
        }
    }

    private IllegalStateException checkRunning() {
        if (closed) {
            return new IllegalStateException("membership-static for '" + setup.nodeName() + "' is closed");
        }
        if (!started) {
            return new IllegalStateException("membership-static for '" + setup.nodeName() + "' is not started");
        }
        return null;
    }

    /** Must be called under {@link #lock} so that events queue in the order of the changes. */
    private void emit(MemberEvent.Type type, Member m) {
        MemberEvent ev = new MemberEvent(type, m);
        for (Sub s : subscribers) {
            events.execute(() -> s.member(ev));
        }
    }

    private static Member withStatus(Member m, MemberStatus status, long incarnation) {
        return new Member(m.name(), m.host(), m.port(), m.tags(), status, incarnation);
    }

    static void checkTags(Map<String, String> tags) {
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException(tags.size() + " tags exceed the limit of " + MAX_TAGS);
        }
        int bytes = 0;
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new IllegalArgumentException("tag keys must be non-empty and values non-null");
            }
            bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_TAG_BYTES) {
            throw new IllegalArgumentException("tags take " + bytes + " bytes, over the limit of " + MAX_TAG_BYTES);
        }
    }

    /** A query in flight: asked members in view order, null until answered; guarded by {@link #lock}. */
    private static final class PendingQuery {
        final String name;
        final LinkedHashMap<String, MemberAnswer> answers = new LinkedHashMap<>();
        final CompletableFuture<QueryResult> future = new CompletableFuture<>();
        Cancellable timer = () -> false;

        PendingQuery(String name) {
            this.name = name;
        }
    }

    /** The query capability; see the class comment. */
    private final class Queries implements MemberQueries {
        @Override
        public QueryLimits limits() {
            return QueryLimits.DEFAULT;
        }

        @Override
        public Subscription handle(String name, QueryHandler handler) {
            checkQueryName(name);
            Objects.requireNonNull(handler, "handler");
            synchronized (lock) {
                if (closed) {
                    throw new IllegalStateException("membership-static for '" + setup.nodeName() + "' is closed");
                }
            }
            if (handlers.putIfAbsent(name, handler) != null) {
                throw new IllegalStateException("a handler for query '" + name + "' is already registered");
            }
            AtomicBoolean open = new AtomicBoolean(true);
            return () -> {
                if (open.compareAndSet(true, false)) {
                    handlers.remove(name, handler);
                }
            };
        }

        @Override
        public CompletableFuture<QueryResult> query(String name, byte[] payload, Duration timeout) {
            checkQueryName(name);
            Objects.requireNonNull(timeout, "timeout");
            byte[] body = payload == null ? new byte[0] : payload.clone();
            QueryLimits l = QueryLimits.DEFAULT;
            if (body.length > l.maxPayloadBytes()) {
                throw new IllegalArgumentException("query '" + name + "' has a payload of " + body.length
                        + " bytes, over the limit of " + l.maxPayloadBytes() + " bytes");
            }
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(l.maxTimeout()) > 0) {
                throw new IllegalArgumentException("query timeout " + timeout + " is outside (0, " + l.maxTimeout() + "]");
            }
            PendingQuery p = new PendingQuery(name);
            synchronized (lock) {
                IllegalStateException bad = checkRunning();
                if (bad == null && local.status() == MemberStatus.LEFT) {
                    bad = new IllegalStateException("membership-static for '" + setup.nodeName() + "' has left");
                }
                if (bad == null && pendingQueries.size() >= MAX_PENDING_QUERIES) {
                    bad = new IllegalStateException(MAX_PENDING_QUERIES + " queries of '" + setup.nodeName()
                            + "' are already in flight");
                }
                if (bad != null) {
                    return CompletableFuture.failedFuture(bad);
                }
                for (Member m : members.values()) {
                    if (m.status() == MemberStatus.ALIVE || m.status() == MemberStatus.SUSPECT) {
                        p.answers.put(m.name(), null);
                    }
                }
                pendingQueries.add(p);
                // Only the local handler can answer; the others are reported at the timeout.
                p.timer = scheduler.schedule(timeout, () -> finish(p));
                Query q = new Query(name, body, local.name());
                events.execute(() -> dispatch(p, q));
            }
            return p.future;
        }
    }

    static void checkQueryName(String name) {
        Objects.requireNonNull(name, "query name");
        int len = name.getBytes(StandardCharsets.UTF_8).length;
        if (len == 0 || len > QueryLimits.DEFAULT.maxNameBytes()) {
            throw new IllegalArgumentException("query name must be 1.." + QueryLimits.DEFAULT.maxNameBytes()
                    + " bytes of UTF-8, got " + len);
        }
    }

    /** Runs the local handler; on the serial event executor. */
    private void dispatch(PendingQuery p, Query q) {
        QueryHandler.run(handlers.get(q.name()), q, (bytes, failure) -> answer(p, bytes, failure));
    }

    /** Records the local answer, under the same size rules as a gossiped one. */
    private void answer(PendingQuery p, byte[] answer, String failure) {
        int max = QueryLimits.DEFAULT.maxAnswerBytes();
        String why = failure;
        if (why == null && answer.length > max) {
            why = "answer of " + answer.length + " bytes exceeds the limit of " + max + " bytes";
        }
        String me = local.name();
        boolean all;
        synchronized (lock) {
            if (!pendingQueries.contains(p) || !p.answers.containsKey(me) || p.answers.get(me) != null) {
                return; // finished (timeout or close), or the local member was not asked
            }
            p.answers.put(me, why == null ? MemberAnswer.answered(me, answer) : MemberAnswer.failed(me, truncate(why, max)));
            all = p.answers.values().stream().allMatch(Objects::nonNull);
        }
        if (all) {
            finish(p);
        }
    }

    /** Completes a query with what it has; idempotent. Runs the completion on the event executor. */
    private void finish(PendingQuery p) {
        Map<String, MemberAnswer> out = new LinkedHashMap<>();
        synchronized (lock) {
            if (!pendingQueries.remove(p)) {
                return;
            }
            for (Map.Entry<String, MemberAnswer> e : p.answers.entrySet()) {
                out.put(e.getKey(), e.getValue() == null ? MemberAnswer.noAnswer(e.getKey()) : e.getValue());
            }
        }
        p.timer.cancel();
        QueryResult r = new QueryResult(p.name, out);
        events.execute(() -> p.future.complete(r));
    }

    /** {@code s} cut to at most {@code maxBytes} of UTF-8, never inside a character. */
    static String truncate(String s, int maxBytes) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        CharBuffer in = CharBuffer.wrap(s);
        StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).encode(in, ByteBuffer.allocate(maxBytes), true);
        return s.substring(0, in.position());
    }

    /** One listener registration; deliveries check {@code active} so close stops new ones. */
    private final class Sub implements Subscription {
        private final MembershipListener listener;
        private volatile boolean active = true;

        Sub(MembershipListener listener) {
            this.listener = listener;
        }

        void member(MemberEvent ev) {
            if (active) {
                try {
                    listener.onMemberEvent(ev);
                } catch (RuntimeException e) {
                    log.log(System.Logger.Level.WARNING, "membership listener threw on " + ev.type(), e);
                }
            }
        }

        void user(UserEvent ev) {
            if (active) {
                try {
                    listener.onUserEvent(ev);
                } catch (RuntimeException e) {
                    log.log(System.Logger.Level.WARNING, "membership listener threw on user event " + ev.name(), e);
                }
            }
        }

        @Override
        public void close() {
            active = false;
            subscribers.remove(this);
        }
    }
}
