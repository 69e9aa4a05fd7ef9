package io.tribune.gossip.swim.internal.core;

import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberAnswer;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.QueryLimits;
import io.tribune.api.membership.QueryResult;
import io.tribune.api.membership.UserEvent;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One member's SWIM state machine with Lifeguard's refinements and a Serf layer (tags, graceful
 * and forced leave, reaping, user events with Lamport clocks, queries).
 *
 * <p>Deterministic and I/O-free: inputs are {@link #tick(long) clock ticks} (milliseconds from
 * any origin), {@link #receivePacket decoded packets}, stream exchanges and API calls; outputs are
 * collected with {@link #drainOutputs()} (packets and stream calls for the driver to carry out)
 * and {@link #drainEvents()} (member and user events, queries to answer, finished queries).
 * Randomness comes from the generator handed in.
 *
 * <p><b>Queries</b> (Serf's request/response to every member): {@link #startQuery} records which
 * members are asked (ALIVE and SUSPECT ones, this one included), queues the query on the
 * broadcast queue like a user event, and emits a {@link QueryRequest} for the local handler.
 * Every member that receives it for the first time (by {@code (origin, id)}, see
 * {@code QuerySeen}) re-gossips it and emits a {@link QueryRequest}; the driver runs the handler
 * and hands the answer to {@link #answerQuery}, which sends it in one UDP packet straight to the
 * origin. The origin keeps the first answer of each asked member and emits a {@link QueryDone}
 * when all have answered or at the timeout. Loss is repaired by the origin, which alone knows
 * who has not answered: every {@link #QUERY_RETRY_GOSSIP_ROUNDS} gossip intervals, up to
 * {@link #QUERY_RETRIES} times, it sends the query straight to each asked member still silent;
 * a member that never got it handles it then, one that already answered sends its answer again. Collections that are iterated keep insertion order; hash maps are used for lookups only.
 *
 * <p>Not thread-safe: the driver confines each instance to one thread or lock.
 */
public final class SwimNode {

    /** What the driver must do. */
    public sealed interface Out {
    }

    /** Send these messages to {@code to} as one UDP packet. */
    public record Packet(Addr to, List<Msg> msgs) implements Out {
    }

    /**
     * Open a stream to {@code to}, send {@code request}, and hand the answer to
     * {@link #streamResponse}; on failure nothing needs reporting.
     */
    public record StreamCall(Addr to, Msg request) implements Out {
    }

    /**
     * A query for the local handler: the driver runs the handler of {@code name} and passes its
     * outcome to {@link #answerQuery}. {@code deadlineMillis} is when this member stops answering
     * (the time it first saw the query plus the query's timeout).
     */
    public record QueryRequest(String origin, Addr originAddr, long id, String name, byte[] payload,
                               long deadlineMillis) {
    }

    /** A query started here has finished: every asked member answered, or the timeout passed. */
    public record QueryDone(long id, QueryResult result) {
    }

    /**
     * Most queries of this node's own in flight at once; {@link #startQuery} refuses more. Each
     * holds one entry per asked member (up to {@link #MAX_MEMBERS}) with up to 1 KiB of answer,
     * so the bound caps the origin's memory; interactive fan-outs (keyring operations) need one or two.
     */
    public static final int MAX_PENDING_QUERIES = 32;

    /**
     * Gossip intervals between two retries of a query to its silent members (800 ms with the LAN
     * preset, 400 ms local, 2 s WAN). Gossip alone reaches every member of a small pool within
     * two or three rounds (5 members on loopback, LAN preset: p99 about 360 ms), so a member
     * still silent after four has most likely missed the query or lost its answer.
     */
    public static final int QUERY_RETRY_GOSSIP_ROUNDS = 4;

    /**
     * Direct retries of a query per silent member. Each costs one packet to the member and at
     * most one answer back; three make a miss unlikely even at 10% loss (each round trip then
     * fails about one time in five, four tries all fail about one time in 600), while a member
     * that is really down costs only three packets.
     */
    public static final int QUERY_RETRIES = 3;

    /** Most members tracked; an Alive for one more is dropped and counted. */
    public static final int MAX_MEMBERS = WireCodec.MAX_PUSH_PULL_MEMBERS;

    private static final class NodeState {
        final String name;
        Addr addr;
        long incarnation;
        Msg.State state;
        Map<String, String> tags;
        long stateChangeMillis;

        NodeState(String name, Addr addr, long incarnation, Msg.State state, Map<String, String> tags, long now) {
            this.name = name;
            this.addr = addr;
            this.incarnation = incarnation;
            this.state = state;
            this.tags = Map.copyOf(tags);
            this.stateChangeMillis = now;
        }

        boolean up() {
            return state == Msg.State.ALIVE || state == Msg.State.SUSPECT;
        }
    }

    private static final class Probe {
        final String target;
        final long seq;
        final long startMillis;
        boolean indirectSent;
        int expectedNacks;
        int nacks;

        Probe(String target, long seq, long startMillis) {
            this.target = target;
            this.seq = seq;
            this.startMillis = startMillis;
        }
    }

    private record Relay(Addr requester, long requesterSeq, long deadlineMillis, boolean nack) {
    }

    /** A query started here: the asked members in the order they were learned, null until answered. */
    private static final class PendingQuery {
        final Msg.Query query;
        final long deadlineMillis;
        final LinkedHashMap<String, MemberAnswer> answers = new LinkedHashMap<>();
        int answered;
        long nextRetryMillis;
        int retriesLeft = QUERY_RETRIES;

        PendingQuery(Msg.Query query, long deadlineMillis, long nextRetryMillis) {
            this.query = query;
            this.deadlineMillis = deadlineMillis;
            this.nextRetryMillis = nextRetryMillis;
        }
    }

    private final String name;
    private final SwimTiming timing;
    private final RandomGenerator random;
    private final int maxPacketBytes;
    private final long probeIntervalMillis;
    private final long probeTimeoutMillis;

    /** Iterated (members(), push-pull): insertion order. */
    private final LinkedHashMap<String, NodeState> nodes = new LinkedHashMap<>();
    /** The same nodes, indexable for random choice. */
    private final List<NodeState> nodeList = new ArrayList<>();
    private final NodeState self;
    private final List<String> probeOrder = new ArrayList<>();
    /** Lookup only. */
    private final Set<String> inProbeOrder = new HashSet<>();
    private int probeIndex;
    private Probe probe;
    private final LinkedHashMap<Long, Relay> relays = new LinkedHashMap<>();
    private final LinkedHashMap<String, Suspicion> suspicions = new LinkedHashMap<>();
    private final Awareness awareness;
    private final BroadcastQueue broadcasts = new BroadcastQueue();
    private final EventBuffer userEvents = new EventBuffer();
    /** The Vivaldi sample of a probe answered within the tick it was sent in, ms. */
    static final double SUB_TICK_RTT_MILLIS = 0.5;
    private final Vivaldi vivaldi = new Vivaldi();
    /** Median of each peer's last round trips, fed to Vivaldi (Serf's latency filter). */
    private final LatencyFilter latencyFilter = new LatencyFilter();
    /** Last coordinate heard from each member; lookup and removal only. */
    private final Map<String, Vivaldi.Coordinate> coordinates = new java.util.HashMap<>();
    private boolean coordinatesEnabled = true;
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private final QueryLimits queryLimits;
    /** Queries started here, by id; iterated for timeouts in start order. */
    private final LinkedHashMap<Long, PendingQuery> pendingQueries = new LinkedHashMap<>();
    private final QuerySeen seenQueries = new QuerySeen();
    private long queryIdBase = -1;
    private long querySeq;
    private final List<Out> outbox = new ArrayList<>();
    private final List<Object> events = new ArrayList<>();

    private long seq;
    private long nextProbeMillis;
    private long nextGossipMillis;
    private long nextPushPullMillis;
    private long nextReapMillis;
    private long nextReconnectMillis;
    private boolean started;
    private boolean leaving;
    private long userEventSeq;

    /**
     * @param name           this member's unique name
     * @param addr           the address others reach it at
     * @param tags           initial tags (bounded by {@link WireCodec#MAX_TAGS} and {@link WireCodec#MAX_TAG_BYTES})
     * @param timing         validated timing
     * @param random         this node's own generator
     * @param maxPacketBytes UDP payload budget for one packet before encryption overhead
     */
    public SwimNode(String name, Addr addr, Map<String, String> tags, SwimTiming timing, RandomGenerator random,
                    int maxPacketBytes) {
        this.name = Objects.requireNonNull(name, "name");
        this.timing = timing.validate();
        this.random = Objects.requireNonNull(random, "random");
        if (maxPacketBytes < 256 || maxPacketBytes > WireCodec.MAX_PACKET_BYTES) {
            throw new IllegalArgumentException("packet size " + maxPacketBytes + " is outside 256.."
                    + WireCodec.MAX_PACKET_BYTES);
        }
        checkName(name);
        checkTags(tags);
        this.maxPacketBytes = maxPacketBytes;
        this.probeIntervalMillis = timing.probeInterval().toMillis();
        this.probeTimeoutMillis = timing.probeTimeout().toMillis();
        this.awareness = new Awareness(timing.awarenessMax());
        this.self = new NodeState(name, addr, 0, Msg.State.ALIVE, tags, 0);
        this.queryLimits = queryLimits(name, addr.host(), maxPacketBytes);
    }

    // =================================================================== inputs: lifecycle and API

    /**
     * Continues the state of a previous instance of this member (a live update of the plugin hands
     * over to a new instance in the same process): the local incarnation becomes {@code incarnation + 1},
     * strictly above anything the previous instance announced, so that every member accepts this
     * instance's Alive (and any suspicion raised during the hand-over at an incarnation up to
     * {@code incarnation} is refuted by it, SWIM §4.2); the user-event clock moves to at least
     * {@code eventClock} (Lamport's receive rule), so that events of this member are not sent with
     * times others already used. The Alive is queued for gossip. Call before {@link #start}.
     *
     * @throws IllegalArgumentException for a negative value
     * @throws IllegalStateException    after {@link #start}
     */
    public void resume(long incarnation, long eventClock) {
        if (incarnation < 0 || eventClock < 0) {
            throw new IllegalArgumentException("hand-over incarnation " + incarnation + " and event clock "
                    + eventClock + " must not be negative");
        }
        if (started) {
            throw new IllegalStateException("node '" + name + "' has started: resume only before start");
        }
        if (incarnation == Long.MAX_VALUE) {
            throw new IllegalArgumentException("hand-over incarnation " + incarnation + " cannot grow");
        }
        self.incarnation = Math.max(self.incarnation, incarnation + 1);
        if (eventClock > 0) {
            userEvents.witness(eventClock - 1);
        }
        queueAlive(self);
    }

    /** Makes this node a one-member pool and arms its timers (staggered so nodes do not probe in lockstep). */
    public void start(long now) {
        if (started) {
            return;
        }
        started = true;
        self.stateChangeMillis = now;
        addNode(self);
        events.add(new MemberEvent(MemberEvent.Type.JOIN, toMember(self)));
        nextProbeMillis = now + random.nextLong(probeIntervalMillis) + 1;
        nextGossipMillis = now + random.nextLong(timing.gossipInterval().toMillis()) + 1;
        nextPushPullMillis = now + pushPullIntervalMillis();
        nextReconnectMillis = now + timing.pushPullInterval().toMillis();
    }

    /** Replaces the local tags, bumps the incarnation and disseminates an Alive (Serf tag update). */
    public void updateTags(Map<String, String> tags, long now) {
        checkTags(tags);
        if (leaving) {
            throw new IllegalStateException("node '" + name + "' has left");
        }
        self.tags = Map.copyOf(tags);
        self.incarnation++;
        queueAlive(self);
        events.add(new MemberEvent(MemberEvent.Type.UPDATE, toMember(self)));
    }

    /**
     * Starts a graceful leave: the node stops probing, marks itself LEFT and disseminates a Dead
     * with {@code left} set, which others report as LEFT (Serf's leave intent).
     */
    public void leave(long now) {
        if (leaving) {
            return;
        }
        leaving = true;
        probe = null;
        suspicions.remove(name);
        self.state = Msg.State.LEFT;
        self.stateChangeMillis = now;
        broadcasts.queue(name, new Msg.Dead(name, self.incarnation, name, true));
        events.add(new MemberEvent(MemberEvent.Type.LEAVE, toMember(self)));
    }

    /** Whether the leave message has been sent at least once (or retired). */
    public boolean leaveSent() {
        return leaving && broadcasts.transmits(name) != 0;
    }

    /**
     * Marks {@code member} LEFT and disseminates that (Serf force-leave); with {@code prune} also
     * removes it at once and emits REAP. A live member will refute with a higher incarnation.
     *
     * @throws IllegalArgumentException for an unknown member or the local one
     */
    public void forceLeave(String member, boolean prune, long now) {
        NodeState s = nodes.get(member);
        if (s == null) {
            throw new IllegalArgumentException("no member named '" + member + "'");
        }
        if (s == self) {
            throw new IllegalArgumentException("cannot force-leave the local member '" + member + "': use leave");
        }
        if (s.state != Msg.State.LEFT) {
            deadNode(new Msg.Dead(member, s.incarnation, name, true), now);
        }
        if (prune) {
            removeNode(s);
        }
    }

    /**
     * Sends a user event to everyone and delivers it locally.
     *
     * @return its Lamport time
     * @throws IllegalArgumentException when name and payload exceed {@link WireCodec#MAX_USER_EVENT_BYTES}
     */
    public long broadcastUser(String eventName, byte[] payload, boolean coalesce, long now) {
        checkUserEvent(eventName, payload);
        long t = userEvents.next();
        userEvents.record(t, eventName, payload);
        events.add(new UserEvent(eventName, payload.clone(), t, coalesce));
        broadcasts.queue("u:" + (userEventSeq++), new Msg.User(t, eventName, payload.clone(), coalesce));
        return t;
    }

    /** Validates a user event's name and size. @throws IllegalArgumentException naming the problem */
    public static void checkUserEvent(String eventName, byte[] payload) {
        if (eventName == null || eventName.isEmpty()) {
            throw new IllegalArgumentException("user event name is empty");
        }
        int size = eventName.getBytes(StandardCharsets.UTF_8).length + payload.length;
        if (eventName.getBytes(StandardCharsets.UTF_8).length > WireCodec.MAX_NAME_BYTES
                || size > WireCodec.MAX_USER_EVENT_BYTES) {
            throw new IllegalArgumentException("user event '" + abbreviate(eventName) + "' is " + size
                    + " bytes, over the limit of " + WireCodec.MAX_USER_EVENT_BYTES + " bytes (name plus payload)");
        }
    }

    /** Validates tags against the wire limits. @throws IllegalArgumentException naming the problem */
    public static void checkTags(Map<String, String> tags) {
        if (tags.size() > WireCodec.MAX_TAGS) {
            throw new IllegalArgumentException(tags.size() + " tags exceed the limit of " + WireCodec.MAX_TAGS);
        }
        int bytes = 0;
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new IllegalArgumentException("tag keys must be non-empty and values non-null");
            }
            bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > WireCodec.MAX_TAG_BYTES) {
            throw new IllegalArgumentException("tags take " + bytes + " bytes, over the limit of "
                    + WireCodec.MAX_TAG_BYTES);
        }
    }

    /** Validates a node name. @throws IllegalArgumentException naming the problem */
    public static void checkName(String n) {
        int len = n.getBytes(StandardCharsets.UTF_8).length;
        if (len == 0 || len > WireCodec.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("node name must be 1.." + WireCodec.MAX_NAME_BYTES + " bytes");
        }
    }

    // =================================================================== inputs: queries

    /**
     * The query bounds of a node with this name, advertised host and packet budget: the defaults of
     * {@link QueryLimits#DEFAULT}, lowered where a query (with a name of the longest allowed
     * length) or an answer would not fit one packet of {@code maxPacketBytes}. With the default
     * 1,400-byte packets (1,371 when encrypted) and an IP address, nothing is lowered.
     */
    public static QueryLimits queryLimits(String nodeName, String advertiseHost, int maxPacketBytes) {
        int nameBytes = nodeName.getBytes(StandardCharsets.UTF_8).length;
        int hostBytes = advertiseHost.getBytes(StandardCharsets.UTF_8).length;
        int room = maxPacketBytes - WireCodec.PACKET_HEADER_BYTES - WireCodec.PER_MESSAGE_OVERHEAD;
        // type, id, origin, origin address, name, timeout, payload length, retry flag (see WireCodec).
        int queryFixed = 1 + 8 + (2 + nameBytes) + (2 + hostBytes + 2) + (2 + WireCodec.MAX_QUERY_NAME_BYTES) + 4 + 2 + 1;
        // type, id, from, kind, length (a failure message's length prefix is the same 2 bytes).
        int answerFixed = 1 + 8 + (2 + nameBytes) + 1 + 2;
        int payload = Math.max(0, Math.min(WireCodec.MAX_QUERY_PAYLOAD_BYTES, room - queryFixed));
        int answer = Math.max(0, Math.min(WireCodec.MAX_QUERY_ANSWER_BYTES, room - answerFixed));
        return new QueryLimits(WireCodec.MAX_QUERY_NAME_BYTES, payload, answer,
                Duration.ofMillis(WireCodec.MAX_QUERY_TIMEOUT_MILLIS));
    }

    /** This node's query bounds. */
    public QueryLimits queryLimits() {
        return queryLimits;
    }

    /** Validates a query name. @throws IllegalArgumentException naming the problem */
    public static void checkQueryName(String queryName) {
        Objects.requireNonNull(queryName, "query name");
        int len = queryName.getBytes(StandardCharsets.UTF_8).length;
        if (len == 0) {
            throw new IllegalArgumentException("query name is empty");
        }
        if (len > WireCodec.MAX_QUERY_NAME_BYTES) {
            throw new IllegalArgumentException("query name '" + abbreviate(queryName) + "' is " + len
                    + " bytes, over the limit of " + WireCodec.MAX_QUERY_NAME_BYTES);
        }
    }

    /**
     * Validates a query against {@code limits}.
     *
     * @return the timeout in whole milliseconds (rounded up)
     * @throws IllegalArgumentException naming the problem
     */
    public static long checkQuery(String queryName, byte[] payload, Duration timeout, QueryLimits limits) {
        checkQueryName(queryName);
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(timeout, "timeout");
        if (payload.length > limits.maxPayloadBytes()) {
            throw new IllegalArgumentException("query '" + abbreviate(queryName) + "' has a payload of " + payload.length
                    + " bytes, over the limit of " + limits.maxPayloadBytes() + " bytes");
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(limits.maxTimeout()) > 0) {
            throw new IllegalArgumentException("query timeout " + timeout + " is outside (0, " + limits.maxTimeout() + "]");
        }
        long millis = timeout.toMillis();
        return timeout.equals(Duration.ofMillis(millis)) ? millis : millis + 1;
    }

    /**
     * Starts a query to every ALIVE and SUSPECT member, this one included (it gets a
     * {@link QueryRequest} at once): queues it for gossip and remembers whom it asked.
     *
     * @return the query's id, which its {@link QueryDone} carries
     * @throws IllegalArgumentException when the query is out of {@link #queryLimits()} (nothing changes)
     * @throws IllegalStateException    when the node is not started or has left, or
     *                                  {@link #MAX_PENDING_QUERIES} queries are in flight
     */
    public long startQuery(String queryName, byte[] payload, Duration timeout, long now) {
        long timeoutMillis = checkQuery(queryName, payload, timeout, queryLimits);
        if (!started) {
            throw new IllegalStateException("node '" + name + "' is not started");
        }
        if (leaving) {
            throw new IllegalStateException("node '" + name + "' has left");
        }
        if (pendingQueries.size() >= MAX_PENDING_QUERIES) {
            throw new IllegalStateException(MAX_PENDING_QUERIES + " queries of node '" + name
                    + "' are already in flight");
        }
        if (queryIdBase < 0) {
            // Random, not 0: a restarted origin must not reuse the ids members still remember.
            queryIdBase = random.nextLong() >>> 1;
        }
        long id = (queryIdBase + querySeq++) & Long.MAX_VALUE;
        byte[] body = payload.clone();
        Msg.Query q = new Msg.Query(id, name, self.addr, queryName, timeoutMillis, body);
        PendingQuery p = new PendingQuery(q, now + timeoutMillis,
                now + QUERY_RETRY_GOSSIP_ROUNDS * timing.gossipInterval().toMillis());
        for (NodeState s : nodes.values()) {
            if (s.up()) {
                p.answers.put(s.name, null);
            }
        }
        pendingQueries.put(id, p);
        broadcasts.queue("q:" + name + "/" + id, q);
        events.add(new QueryRequest(name, self.addr, id, queryName, body.clone(), p.deadlineMillis));
        count("query.started");
        return id;
    }

    /**
     * The local handler's outcome for {@code request}: {@code answer} when {@code failure} is null,
     * else the failure message. An answer over {@link QueryLimits#maxAnswerBytes()} becomes a
     * failure saying so, and a failure message is cut to that many bytes. After the request's
     * deadline nothing is sent (the origin has stopped collecting).
     *
     * <p>The answer goes out in one UDP packet to the origin and is kept (see {@code QuerySeen}):
     * the member itself never re-sends it, since it cannot know it was lost, but the origin's
     * retry of the query asks for it again. A member still silent after the retries is reported
     * as not answering.
     */
    public void answerQuery(QueryRequest request, byte[] answer, String failure, long now) {
        if (!started) {
            return;
        }
        if (now > request.deadlineMillis()) {
            count("query.answer.late");
            return;
        }
        int max = queryLimits.maxAnswerBytes();
        byte[] body = answer == null ? new byte[0] : answer;
        String why = failure;
        if (why == null && body.length > max) {
            why = "answer of " + body.length + " bytes exceeds the limit of " + max + " bytes";
        }
        if (why != null) {
            why = truncateUtf8(why, max);
            body = new byte[0];
        }
        if (request.origin().equals(name)) {
            recordAnswer(request.id(), name, body.clone(), why);
            return;
        }
        count(why == null ? "query.answered" : "query.answered.failure");
        Msg.QueryAnswer a = new Msg.QueryAnswer(request.id(), name, body.clone(), why);
        seenQueries.answered(request.origin(), request.id(), a);
        send(request.originAddr(), List.of(a));
    }

    private void onQuery(Msg.Query q, long now) {
        if (q.origin().equals(name)) {
            // Our own query gossiped back to us: already delivered locally at start.
            count("query.echo");
            return;
        }
        if (!seenQueries.record(q.origin(), q.id(), q.timeoutMillis(), now)) {
            Msg.QueryAnswer mine = q.retry() ? seenQueries.answerTo(q.origin(), q.id()) : null;
            if (mine != null) {
                // The origin retries because it lacks our answer: it was lost, send it again.
                count("query.answer.resent");
                send(q.originAddr(), List.of(mine));
            } else {
                count("query.duplicate");
            }
            return;
        }
        if (WireCodec.size(q) + WireCodec.PER_MESSAGE_OVERHEAD <= maxPacketBytes - WireCodec.PACKET_HEADER_BYTES) {
            // Re-gossiped as an ordinary copy: only the origin retries.
            broadcasts.queue("q:" + q.origin() + "/" + q.id(), q.withRetry(false));
        } else {
            // A member with larger packets sent it; ours could never carry it, so only handle it.
            count("query.too-large-to-relay");
        }
        events.add(new QueryRequest(q.origin(), q.originAddr(), q.id(), q.name(), q.payload().clone(),
                now + q.timeoutMillis()));
        count("query.received");
    }

    private void onQueryAnswer(Msg.QueryAnswer a) {
        recordAnswer(a.id(), a.from(), a.answer(), a.failure());
    }

    private void recordAnswer(long id, String from, byte[] answer, String failure) {
        PendingQuery p = pendingQueries.get(id);
        if (p == null) {
            // Finished (late answer), never ours, or replayed.
            count("query.answer.stale");
            return;
        }
        if (!p.answers.containsKey(from)) {
            count("query.answer.unasked");
            return;
        }
        if (p.answers.get(from) != null) {
            count("query.answer.duplicate");
            return;
        }
        p.answers.put(from, failure == null ? MemberAnswer.answered(from, answer) : MemberAnswer.failed(from, failure));
        p.answered++;
        if (p.answered == p.answers.size()) {
            finishQuery(id, p);
        }
    }

    private void queryTick(long now) {
        seenQueries.forget(now);
        if (pendingQueries.isEmpty()) {
            return;
        }
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, PendingQuery> e : pendingQueries.entrySet()) {
            PendingQuery p = e.getValue();
            if (now >= p.deadlineMillis) {
                expired.add(e.getKey());
            } else if (p.retriesLeft > 0 && now >= p.nextRetryMillis) {
                p.retriesLeft--;
                p.nextRetryMillis = now + QUERY_RETRY_GOSSIP_ROUNDS * timing.gossipInterval().toMillis();
                retryQuery(p);
            }
        }
        for (Long id : expired) {
            finishQuery(id, pendingQueries.get(id));
        }
    }

    /** Sends the query straight to each asked member that has not answered and is still known. */
    private void retryQuery(PendingQuery p) {
        Msg.Query retry = p.query.withRetry(true);
        for (Map.Entry<String, MemberAnswer> e : p.answers.entrySet()) {
            NodeState s = e.getValue() == null ? nodes.get(e.getKey()) : null;
            if (s != null && s != self) {
                count("query.retried");
                send(s.addr, List.of(retry));
            }
        }
    }

    private void finishQuery(long id, PendingQuery p) {
        pendingQueries.remove(id);
        Map<String, MemberAnswer> out = new LinkedHashMap<>();
        for (Map.Entry<String, MemberAnswer> e : p.answers.entrySet()) {
            out.put(e.getKey(), e.getValue() == null ? MemberAnswer.noAnswer(e.getKey()) : e.getValue());
        }
        count(p.answered == p.answers.size() ? "query.completed" : "query.timed-out");
        events.add(new QueryDone(id, new QueryResult(p.query.name(), out)));
    }

    /** {@code s} cut to at most {@code maxBytes} of UTF-8, never inside a character. */
    static String truncateUtf8(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return s;
        }
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer out = ByteBuffer.allocate(maxBytes);
        CharBuffer in = CharBuffer.wrap(s);
        enc.encode(in, out, true);
        return s.substring(0, in.position());
    }

    // =================================================================== inputs: time

    /** Advances the protocol to {@code now}: probes, indirect probes, suspicion timeouts, gossip, push-pull, reaping. */
    public void tick(long now) {
        if (!started) {
            return;
        }
        if (!leaving) {
            probeTick(now);
        }
        relayTick(now);
        suspicionTick(now);
        queryTick(now);
        if (now >= nextGossipMillis) {
            nextGossipMillis = now + timing.gossipInterval().toMillis();
            gossip(now);
        }
        if (!leaving && now >= nextPushPullMillis) {
            nextPushPullMillis = now + pushPullIntervalMillis();
            NodeState peer = randomNodes(1, n -> n.state == Msg.State.ALIVE).stream().findFirst().orElse(null);
            if (peer != null) {
                count("pushpull.started");
                outbox.add(new StreamCall(peer.addr, localState(false)));
            }
        }
        if (!leaving && now >= nextReconnectMillis) {
            nextReconnectMillis = now + timing.pushPullInterval().toMillis();
            reconnect();
        }
        reapTick(now);
    }

    /**
     * Serf's reconnect: now and then, offer a full-state exchange to one FAILED member. After a
     * partition heals this is how the two sides find each other again: each learns it was declared
     * dead and refutes, and the next exchange carries the refutation across. Left members are
     * never contacted.
     */
    private void reconnect() {
        NodeState dead = randomNodes(1, n -> n.state == Msg.State.DEAD).stream().findFirst().orElse(null);
        if (dead != null) {
            count("reconnect.attempts");
            outbox.add(new StreamCall(dead.addr, localState(false)));
        }
    }

    private void probeTick(long now) {
        if (probe != null) {
            NodeState target = nodes.get(probe.target);
            if (target == null || !target.up()) {
                probe = null;
            } else if (!probe.indirectSent && now >= probe.startMillis + awareness.scale(probeTimeoutMillis)) {
                // SWIM §3.1: ask k others to probe; Lifeguard §IV-A: ask them to nack so we learn
                // whether our own network is the problem. Also try a stream ping (memberlist's TCP fallback).
                probe.indirectSent = true;
                List<NodeState> helpers = randomNodes(timing.indirectChecks(),
                        n -> n.state == Msg.State.ALIVE && !n.name.equals(probe.target));
                for (NodeState h : helpers) {
                    send(h.addr, List.of(new Msg.PingReq(probe.seq, target.name, target.addr, name, self.addr, true)));
                }
                probe.expectedNacks = helpers.size();
                count("probe.indirect");
                outbox.add(new StreamCall(target.addr, new Msg.Ping(probe.seq, target.name, name, self.addr)));
            } else if (now >= probe.startMillis + awareness.scale(probeIntervalMillis)) {
                // Lifeguard §IV-A: nacks prove our own network works; missing ones count against our health.
                int delta = probe.expectedNacks > 0 ? probe.expectedNacks - probe.nacks : 1;
                awareness.apply(delta);
                count("probe.failed");
                Probe failed = probe;
                probe = null;
                suspectNode(new Msg.Suspect(failed.target, target.incarnation, name), now);
            }
        }
        if (probe == null && now >= nextProbeMillis) {
            nextProbeMillis = now + awareness.scale(probeIntervalMillis);
            NodeState target = nextProbeTarget();
            if (target != null) {
                probe = new Probe(target.name, ++seq, now);
                count("probe.sent");
                List<Msg> primary = new ArrayList<>(2);
                primary.add(new Msg.Ping(probe.seq, target.name, name, self.addr));
                if (target.state == Msg.State.SUSPECT) {
                    // Lifeguard §IV-C buddy system: tell a suspect first-hand so it can refute at once.
                    primary.add(new Msg.Suspect(target.name, target.incarnation, name));
                    count("probe.buddy");
                }
                send(target.addr, primary);
            }
        }
    }

    private NodeState nextProbeTarget() {
        for (int tries = 0; tries < 2; tries++) {
            while (probeIndex < probeOrder.size()) {
                String n = probeOrder.get(probeIndex++);
                NodeState s = nodes.get(n);
                if (s != null && s != self && s.up()) {
                    return s;
                }
            }
            // SWIM §4.3: round-robin over a fresh random permutation each pass, which bounds the time
            // to first probe a failed member.
            probeOrder.clear();
            inProbeOrder.clear();
            for (NodeState s : nodeList) {
                if (s != self && s.up()) {
                    probeOrder.add(s.name);
                    inProbeOrder.add(s.name);
                }
            }
            for (int i = probeOrder.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                String t = probeOrder.get(i);
                probeOrder.set(i, probeOrder.get(j));
                probeOrder.set(j, t);
            }
            probeIndex = 0;
        }
        return null;
    }

    private void relayTick(long now) {
        Iterator<Map.Entry<Long, Relay>> it = relays.entrySet().iterator();
        while (it.hasNext()) {
            Relay r = it.next().getValue();
            if (now >= r.deadlineMillis) {
                it.remove();
                if (r.nack) {
                    send(r.requester, List.of(new Msg.Nack(r.requesterSeq, name)));
                    count("nack.sent");
                }
            }
        }
    }

    private void suspicionTick(long now) {
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, Suspicion> e : suspicions.entrySet()) {
            if (now >= e.getValue().deadlineMillis()) {
                expired.add(e.getKey());
            }
        }
        for (String n : expired) {
            NodeState s = nodes.get(n);
            suspicions.remove(n);
            if (s != null && s.state == Msg.State.SUSPECT) {
                count("dead.declared");
                deadNode(new Msg.Dead(n, s.incarnation, name, false), now);
            }
        }
    }

    private void gossip(long now) {
        int limit = retransmitLimit();
        long deadWindow = timing.gossipToTheDead().toMillis();
        List<NodeState> targets = randomNodes(timing.gossipNodes(),
                n -> n.up() || now - n.stateChangeMillis < deadWindow);
        for (NodeState t : targets) {
            List<Msg> msgs = broadcasts.take(maxPacketBytes - WireCodec.PACKET_HEADER_BYTES,
                    WireCodec.PER_MESSAGE_OVERHEAD, 255, limit);
            if (msgs.isEmpty()) {
                return;
            }
            count("gossip.packets");
            outbox.add(new Packet(t.addr, msgs));
        }
    }

    private void reapTick(long now) {
        // Scanning every member is O(n); once a second is plenty for a timeout counted in minutes.
        if (now < nextReapMillis) {
            return;
        }
        nextReapMillis = now + 1000;
        long timeout = timing.reapTimeout().toMillis();
        List<NodeState> reap = new ArrayList<>();
        for (NodeState s : nodeList) {
            if (s != self && !s.up() && now - s.stateChangeMillis >= timeout) {
                reap.add(s);
            }
        }
        for (NodeState s : reap) {
            removeNode(s);
        }
    }

    // =================================================================== inputs: network

    /** Handles the messages of one received UDP packet. */
    public void receivePacket(List<Msg> msgs, long now) {
        if (!started) {
            return;
        }
        Msg.Coord coord = null;
        for (Msg m : msgs) {
            if (m instanceof Msg.Coord c) {
                coord = c;
            }
        }
        for (Msg m : msgs) {
            if (m instanceof Msg.Coord) {
                continue; // consumed with its Ack below
            } else if (m instanceof Msg.Ping p) {
                onPing(p);
            } else if (m instanceof Msg.PingReq r) {
                onPingReq(r, now);
            } else if (m instanceof Msg.Ack a) {
                onAck(a, coord, now);
            } else if (m instanceof Msg.Nack n) {
                if (probe != null && probe.seq == n.seq()) {
                    probe.nacks++;
                    count("nack.received");
                } else {
                    count("stale.nack");
                }
            } else if (m instanceof Msg.Alive a) {
                aliveNode(a, now);
            } else if (m instanceof Msg.Suspect s) {
                suspectNode(s, now);
            } else if (m instanceof Msg.Dead d) {
                deadNode(d, now);
            } else if (m instanceof Msg.User u) {
                onUser(u);
            } else if (m instanceof Msg.Query q) {
                onQuery(q, now);
            } else if (m instanceof Msg.QueryAnswer a) {
                onQueryAnswer(a);
            } else {
                count("unexpected.message");
            }
        }
    }

    /**
     * Answers an inbound stream request: a Ping (TCP fallback probe) gets an Ack, a PushPull gets
     * the local state and is merged. Returns null for anything else (the driver closes the stream).
     */
    public Msg handleStream(Msg request, long now) {
        if (!started) {
            return null;
        }
        if (request instanceof Msg.Ping p) {
            if (!p.target().isEmpty() && !p.target().equals(name)) {
                count("misdirected.ping");
                return null;
            }
            return new Msg.Ack(p.seq(), name);
        }
        if (request instanceof Msg.PushPull pp) {
            Msg.PushPull mine = localState(false);
            count("pushpull.served");
            merge(pp, now);
            return mine;
        }
        count("unexpected.message");
        return null;
    }

    /** Handles the answer to a {@link StreamCall} (or to a join's push-pull). */
    public void streamResponse(Msg response, long now) {
        if (!started) {
            return;
        }
        if (response instanceof Msg.Ack a) {
            onAck(a, null, now);
        } else if (response instanceof Msg.PushPull pp) {
            merge(pp, now);
        } else {
            count("unexpected.message");
        }
    }

    /** The full state sent in a push-pull: every known member, and the user-event clock. */
    public Msg.PushPull localState(boolean join) {
        List<Msg.MemberState> states = new ArrayList<>(nodeList.size());
        for (NodeState s : nodes.values()) {
            states.add(new Msg.MemberState(s.name, s.addr, s.incarnation, s.state, s.tags));
        }
        return new Msg.PushPull(join, states, userEvents.clock());
    }

    private void onPing(Msg.Ping p) {
        if (!p.target().isEmpty() && !p.target().equals(name)) {
            // The address now belongs to someone else (memberlist checks this too).
            count("misdirected.ping");
            return;
        }
        Msg ack = new Msg.Ack(p.seq(), name);
        send(p.sourceAddr(), coordinatesEnabled ? List.of(ack, new Msg.Coord(name, vivaldi.coordinate())) : List.of(ack));
    }

    private void onPingReq(Msg.PingReq r, long now) {
        long mine = ++seq;
        // Lifeguard §IV-A: the helper nacks at 80% of the probe timeout, so that the nack reaches the
        // prober before its own protocol period ends.
        relays.put(mine, new Relay(r.sourceAddr(), r.seq(), now + probeTimeoutMillis * 4 / 5, r.nack()));
        count("relay.started");
        send(r.targetAddr(), List.of(new Msg.Ping(mine, r.target(), name, self.addr)));
    }

    private void onAck(Msg.Ack a, Msg.Coord coord, long now) {
        if (probe != null && probe.seq == a.seq()) {
            if (coordinatesEnabled && coord != null && coord.name().equals(probe.target)) {
                // The direct round trip of this probe is one Vivaldi sample. Time is in whole
                // milliseconds: a round trip that ends in the tick it started (below the clock's
                // resolution, e.g. loopback or one LAN switch) counts as half a tick, the middle of
                // [0, 1) ms, so that such nodes still get coordinates (Serf measures in nanoseconds
                // and would see them).
                long ticks = now - probe.startMillis;
                double rtt = ticks == 0 ? SUB_TICK_RTT_MILLIS : ticks;
                if (ticks >= 0 && coord.coordinate().valid()
                        && vivaldi.observe(coord.coordinate(), latencyFilter.observe(coord.name(), rtt), random)) {
                    coordinates.put(coord.name(), coord.coordinate());
                    count("coordinate.updates");
                }
            }
            probe = null;
            awareness.apply(-1);
            count("probe.acked");
            return;
        }
        Relay r = relays.remove(a.seq());
        if (r != null) {
            send(r.requester, List.of(new Msg.Ack(r.requesterSeq, a.from())));
            count("relay.acked");
            return;
        }
        // A late ack (the probe already ended) or a replayed packet: harmless, but counted.
        count("stale.ack");
    }

    private void onUser(Msg.User u) {
        userEvents.witness(u.ltime());
        if (userEvents.record(u.ltime(), u.name(), u.payload())) {
            events.add(new UserEvent(u.name(), u.payload().clone(), u.ltime(), u.coalesce()));
            broadcasts.queue("u:" + (userEventSeq++), u);
            count("user.delivered");
        } else {
            count("user.duplicate");
        }
    }

    private void merge(Msg.PushPull pp, long now) {
        userEvents.witness(pp.eventClock() == 0 ? 0 : pp.eventClock() - 1);
        for (Msg.MemberState s : pp.states()) {
            switch (s.state()) {
                case ALIVE -> aliveNode(new Msg.Alive(s.name(), s.incarnation(), s.addr(), s.tags()), now);
                case LEFT -> deadNode(new Msg.Dead(s.name(), s.incarnation(), s.name(), true), now);
                case SUSPECT, DEAD -> {
                    // memberlist's rule: a remote "dead" is only a suspicion here, so that a member
                    // gets its chance to refute instead of being killed by stale state.
                    if (!nodes.containsKey(s.name()) && s.state() == Msg.State.SUSPECT) {
                        aliveNode(new Msg.Alive(s.name(), s.incarnation(), s.addr(), s.tags()), now);
                    }
                    suspectNode(new Msg.Suspect(s.name(), s.incarnation(), ""), now);
                }
                default -> count("unexpected.state");
            }
        }
    }

    // =================================================================== state transitions (SWIM §4.2)

    private void aliveNode(Msg.Alive a, long now) {
        if (a.name().equals(name)) {
            if (leaving) {
                return;
            }
            boolean differs = !a.tags().equals(self.tags) || !a.addr().equals(self.addr);
            if (a.incarnation() > self.incarnation || (a.incarnation() == self.incarnation && differs)) {
                refute(a.incarnation());
            }
            return;
        }
        NodeState s = nodes.get(a.name());
        if (s == null) {
            if (nodes.size() >= MAX_MEMBERS) {
                count("members.full");
                return;
            }
            s = new NodeState(a.name(), a.addr(), a.incarnation(), Msg.State.ALIVE, a.tags(), now);
            addNode(s);
            // SWIM §4.3: a new member goes to a random position of the current round.
            if (!inProbeOrder.contains(s.name)) {
                int at = probeIndex + random.nextInt(probeOrder.size() - probeIndex + 1);
                probeOrder.add(at, s.name);
                inProbeOrder.add(s.name);
            }
            events.add(new MemberEvent(MemberEvent.Type.JOIN, toMember(s)));
            queueAlive(s);
            return;
        }
        if (a.incarnation() <= s.incarnation) {
            count("stale.alive");
            return;
        }
        boolean wasUp = s.up();
        boolean changed = !s.tags.equals(a.tags()) || !s.addr.equals(a.addr());
        s.incarnation = a.incarnation();
        s.addr = a.addr();
        s.tags = a.tags();
        suspicions.remove(s.name);
        if (s.state != Msg.State.ALIVE) {
            s.state = Msg.State.ALIVE;
            s.stateChangeMillis = now;
        }
        if (!wasUp) {
            events.add(new MemberEvent(MemberEvent.Type.JOIN, toMember(s)));
        } else if (changed) {
            events.add(new MemberEvent(MemberEvent.Type.UPDATE, toMember(s)));
        }
        queueAlive(s);
    }

    private void suspectNode(Msg.Suspect m, long now) {
        NodeState s = nodes.get(m.name());
        if (s == null || m.incarnation() < s.incarnation) {
            count("stale.suspect");
            return;
        }
        if (s == self) {
            if (!leaving) {
                refute(m.incarnation());
                awareness.apply(1);
            }
            return;
        }
        if (s.state == Msg.State.SUSPECT) {
            Suspicion sus = suspicions.get(s.name);
            if (sus != null && !m.from().isEmpty() && sus.confirm(m.from())) {
                count("suspect.confirmed");
                broadcasts.queue(s.name, m);
            }
            return;
        }
        if (!s.up()) {
            return;
        }
        s.incarnation = m.incarnation();
        s.state = Msg.State.SUSPECT;
        s.stateChangeMillis = now;
        int alive = 0;
        for (NodeState x : nodeList) {
            if (x.up()) {
                alive++;
            }
        }
        // Lifeguard §IV-B: expect k = suspicionMult - 2 independent confirmations; fewer when the
        // cluster is too small to provide them.
        int k = timing.suspicionMult() - 2;
        if (alive - 2 < k) {
            k = Math.max(0, alive - 2);
        }
        long min = Suspicion.minTimeoutMillis(timing.suspicionMult(), alive, probeIntervalMillis);
        long max = timing.suspicionMaxTimeoutMult() * min;
        suspicions.put(s.name, new Suspicion(now, min, max, k, m.from()));
        count("suspect.raised");
        broadcasts.queue(s.name, new Msg.Suspect(s.name, s.incarnation, m.from().isEmpty() ? name : m.from()));
    }

    private void deadNode(Msg.Dead d, long now) {
        NodeState s = nodes.get(d.name());
        if (s == null || d.incarnation() < s.incarnation) {
            count("stale.dead");
            return;
        }
        if (s == self) {
            if (!leaving) {
                refute(d.incarnation());
                awareness.apply(1);
            }
            return;
        }
        if (!s.up()) {
            if (d.left() && s.state == Msg.State.DEAD) {
                // A force-leave turns a failed member into a left one everywhere (Serf).
                s.state = Msg.State.LEFT;
                s.stateChangeMillis = now;
                events.add(new MemberEvent(MemberEvent.Type.LEAVE, toMember(s)));
                broadcasts.queue(s.name, d);
            }
            return;
        }
        suspicions.remove(s.name);
        s.incarnation = d.incarnation();
        s.state = d.left() ? Msg.State.LEFT : Msg.State.DEAD;
        s.stateChangeMillis = now;
        if (probe != null && probe.target.equals(s.name)) {
            probe = null;
        }
        events.add(new MemberEvent(d.left() ? MemberEvent.Type.LEAVE : MemberEvent.Type.FAILED, toMember(s)));
        broadcasts.queue(s.name, d);
    }

    /** SWIM §4.2: a member accused at incarnation i answers with Alive at i + 1. */
    private void refute(long accused) {
        self.incarnation = Math.max(self.incarnation, accused) + 1;
        count("refute");
        queueAlive(self);
    }

    private void queueAlive(NodeState s) {
        broadcasts.queue(s.name, new Msg.Alive(s.name, s.incarnation, s.addr, s.tags));
    }

    // =================================================================== helpers

    private void addNode(NodeState s) {
        nodes.put(s.name, s);
        nodeList.add(s);
    }

    private void removeNode(NodeState s) {
        nodes.remove(s.name);
        nodeList.remove(s);
        suspicions.remove(s.name);
        coordinates.remove(s.name);
        latencyFilter.forget(s.name);
        events.add(new MemberEvent(MemberEvent.Type.REAP, toMember(s)));
        count("reaped");
    }

    /** Sends {@code primary} to {@code to}, filling the rest of the packet with queued broadcasts (SWIM §4.1 piggybacking). */
    private void send(Addr to, List<Msg> primary) {
        int used = WireCodec.PACKET_HEADER_BYTES;
        for (Msg m : primary) {
            used += WireCodec.size(m) + WireCodec.PER_MESSAGE_OVERHEAD;
        }
        List<Msg> all = new ArrayList<>(primary);
        all.addAll(broadcasts.take(maxPacketBytes - used, WireCodec.PER_MESSAGE_OVERHEAD, 255 - primary.size(),
                retransmitLimit()));
        outbox.add(new Packet(to, all));
    }

    /**
     * Up to {@code k} distinct random members other than this one that pass {@code filter}; like
     * memberlist, it samples at random with a bounded number of tries instead of scanning.
     */
    private List<NodeState> randomNodes(int k, java.util.function.Predicate<NodeState> filter) {
        List<NodeState> out = new ArrayList<>(k);
        int n = nodeList.size();
        for (int tries = 0; tries < 3 * n && out.size() < k; tries++) {
            NodeState s = nodeList.get(random.nextInt(n));
            if (s == self || !filter.test(s) || out.contains(s)) {
                continue;
            }
            out.add(s);
        }
        return out;
    }

    private int retransmitLimit() {
        return BroadcastQueue.retransmitLimit(timing.retransmitMult(), Math.max(1, nodeList.size()));
    }

    /** memberlist's push-pull scaling: beyond 32 members, the interval grows with log2(n / 32). */
    long pushPullIntervalMillis() {
        long base = timing.pushPullInterval().toMillis();
        int n = nodeList.size();
        if (n <= 32) {
            return base;
        }
        double mult = Math.ceil(Math.log(n) / Math.log(2) - Math.log(32) / Math.log(2)) + 1.0;
        return (long) (base * mult);
    }

    private void count(String key) {
        counters.merge(key, 1L, Long::sum);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private Member toMember(NodeState s) {
        MemberStatus st = switch (s.state) {
            case ALIVE -> MemberStatus.ALIVE;
            case SUSPECT -> MemberStatus.SUSPECT;
            case DEAD -> MemberStatus.FAILED;
            case LEFT -> MemberStatus.LEFT;
        };
        return new Member(s.name, s.addr.host(), s.addr.port(), s.tags, st, s.incarnation);
    }

    // =================================================================== outputs and queries

    /** Packets and stream calls produced since the last call, in order. */
    public List<Out> drainOutputs() {
        if (outbox.isEmpty()) {
            return List.of();
        }
        List<Out> out = new ArrayList<>(outbox);
        outbox.clear();
        return out;
    }

    /** {@link MemberEvent}s and {@link UserEvent}s produced since the last call, in order. */
    public List<Object> drainEvents() {
        if (events.isEmpty()) {
            return List.of();
        }
        List<Object> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    /** The local member. */
    public Member localMember() {
        return toMember(self);
    }

    /** Every known member, local first, in the order they were learned. */
    public List<Member> members() {
        List<Member> out = new ArrayList<>(nodeList.size());
        for (NodeState s : nodes.values()) {
            out.add(toMember(s));
        }
        return out;
    }

    /** Turns Vivaldi coordinates on (the default) or off; off, acks carry no coordinate. */
    public void coordinatesEnabled(boolean on) {
        this.coordinatesEnabled = on;
    }

    /** This node's network coordinate. */
    public Vivaldi.Coordinate coordinate() {
        return vivaldi.coordinate();
    }

    /** This node's Vivaldi adjustment term, ms ({@link Vivaldi#adjustment()}). */
    public double coordinateAdjustment() {
        return vivaldi.adjustment();
    }

    /** Whether this node has taken at least one Vivaldi sample. */
    public boolean coordinateSampled() {
        return vivaldi.updates() > 0;
    }

    /** The last coordinate heard from {@code member}, or null. */
    public Vivaldi.Coordinate coordinateOf(String member) {
        return coordinates.get(member);
    }

    /** How many members (this one included) are ALIVE here; cheap, for convergence checks. */
    public int aliveCount() {
        int c = 0;
        for (NodeState s : nodeList) {
            if (s.state == Msg.State.ALIVE) {
                c++;
            }
        }
        return c;
    }

    /** A member by name, or null. */
    public Member member(String n) {
        NodeState s = nodes.get(n);
        return s == null ? null : toMember(s);
    }

    /** The local health score (Lifeguard). */
    public int healthScore() {
        return awareness.score();
    }

    /** Queries started here that have not finished. */
    public int pendingQueries() {
        return pendingQueries.size();
    }

    /** Messages waiting to be gossiped. */
    public int queuedBroadcasts() {
        return broadcasts.size();
    }

    /** Protocol counters (probes, failures, refutations, stale messages...), in first-seen order. */
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>(counters);
        out.put("broadcasts.dropped", broadcasts.dropped());
        if (seenQueries.evicted() > 0) {
            out.put("query.seen.evicted", seenQueries.evicted());
        }
        return out;
    }

    /** The user-event Lamport clock. */
    public long eventClock() {
        return userEvents.clock();
    }

    /** This node's name. */
    public String name() {
        return name;
    }

    /** This node's address. */
    public Addr addr() {
        return self.addr;
    }

    /** Whether {@link #leave} was called. */
    public boolean leaving() {
        return leaving;
    }

    /** For the simulator's invariant checks: the incarnation this node holds for {@code member}, or -1. */
    public long incarnationOf(String member) {
        NodeState s = nodes.get(member);
        return s == null ? -1 : s.incarnation;
    }
}
