package io.tribune.tck.membership;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginDescriptor;
import io.tribune.testkit.PluginDescriptors;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberAnswer;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import io.tribune.api.membership.QueryHandler;
import io.tribune.api.membership.QueryLimits;
import io.tribune.api.membership.QueryResult;
import io.tribune.api.membership.UserEvent;
import io.tribune.api.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a {@link Membership}, as seen from outside: local member, join, tags, user
 * events, leave, force-leave, failure detection and queries.
 *
 * <p>A binding extends this class, names its {@link #factory()} and {@link #environment()}, and
 * reads its plugin's {@link MembershipCapability capabilities} from the plugin's descriptor (or
 * overrides {@link #capabilities()} for a configuration that turns one off). For a
 * missing capability the tests that need it assert the fallback behaviour documented on the
 * capability; they are never skipped. Bindings may also override {@link #config(int)},
 * {@link #setup(int, Map)} and the time limits.
 *
 * <p>Each test creates its own instances and closes them afterwards, with its environment.
 */
public abstract class MembershipConformanceTest {

    /** The factory under test. */
    protected abstract MembershipFactory factory();

    /** A new environment for one test; closed after it. */
    protected abstract MembershipEnvironment environment();

    /**
     * The descriptor of the plugin under test, from which {@link #capabilities()} is read; by default
     * the registered plugin that offers {@link #factory()} ({@link PluginDescriptors#owning}), empty
     * when none is registered.
     */
    protected Optional<PluginDescriptor> descriptor() {
        return PluginDescriptors.owning(factory(), getClass().getClassLoader());
    }

    /**
     * What the plugin supports. Default: what its {@link #descriptor()} declares
     * ({@link MembershipCapability#fromDeclared}); every capability when it declares none. A binding
     * overrides this only for a configuration that turns a capability off.
     */
    protected Set<MembershipCapability> capabilities() {
        return descriptor().filter(PluginDescriptor::declaresCapabilities).map(MembershipCapability::fromDeclared)
                .orElseGet(() -> EnumSet.allOf(MembershipCapability.class));
    }

    /** Configuration for the node of index {@code i}; default empty. */
    protected PluginConfig config(int i) {
        return PluginConfig.empty();
    }

    /** Setup of node {@code i}: named {@code node-i}, LAN pool, 127.0.0.1, any free port. */
    protected MembershipSetup setup(int i, Map<String, String> tags) {
        return new MembershipSetup("node-" + i, Pool.LAN, "127.0.0.1", 0, "127.0.0.1", tags);
    }

    /** How long state may take to reach every member (environment time). */
    protected Duration convergenceLimit() {
        return Duration.ofSeconds(20);
    }

    /** How long a stopped member may take to be reported FAILED (environment time). */
    protected Duration failureDetectionLimit() {
        return Duration.ofSeconds(30);
    }

    /** How long to watch for something that must not happen (environment time). */
    protected Duration quietPeriod() {
        return Duration.ofSeconds(2);
    }

    private MembershipEnvironment env;
    private final List<Node> nodes = new ArrayList<>();

    /** A started instance with its recorder. */
    protected record Node(Membership membership, EventRecorder recorder) {
        /** This node's name. */
        public String name() {
            return membership.localMember().name();
        }

        /** The address another node joins: {@code host:port}. */
        public String address() {
            Member m = membership.localMember();
            return (m.host().indexOf(':') >= 0 ? "[" + m.host() + "]" : m.host()) + ":" + m.port();
        }

        /** This node's view of {@code name}, or null. */
        public Member view(String name) {
            for (Member m : membership.members()) {
                if (m.name().equals(name)) {
                    return m;
                }
            }
            return null;
        }

        /** This node's view of {@code name}'s status, or null. */
        public MemberStatus statusOf(String name) {
            Member m = view(name);
            return m == null ? null : m.status();
        }
    }

    @BeforeEach
    void createEnvironment() {
        MembershipCapability.checkConsistent(capabilities());
        env = environment();
    }

    @AfterEach
    void closeAll() {
        for (Node n : nodes) {
            n.membership().close();
        }
        nodes.clear();
        env.close();
    }

    /** Whether the binding declares {@code c}. */
    protected final boolean supports(MembershipCapability c) {
        return capabilities().contains(c);
    }

    /** The environment of the running test. */
    protected final MembershipEnvironment env() {
        return env;
    }

    /** Creates, subscribes and starts node {@code i}. */
    protected final Node start(int i, Map<String, String> tags) {
        MembershipSetup s = setup(i, tags);
        Membership m = factory().create(s, config(i), env.context(s.nodeName()));
        EventRecorder rec = new EventRecorder();
        m.subscribe(rec);
        Node n = new Node(m, rec);
        nodes.add(n);
        m.start();
        return n;
    }

    /** Starts {@code count} nodes; with PEERS, all join the first and the test waits until all see all. */
    protected final List<Node> cluster(int count) {
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(start(i, Map.of("role", "test", "index", Integer.toString(i))));
        }
        if (supports(MembershipCapability.PEERS)) {
            for (int i = 1; i < count; i++) {
                assertEquals(1, complete(out.get(i).membership().join(List.of(out.get(0).address()))));
            }
            boolean converged = env.await(() -> out.stream().allMatch(n -> out.stream()
                    .allMatch(o -> n.statusOf(o.name()) == MemberStatus.ALIVE)), convergenceLimit());
            assertTrue(converged, "cluster of " + count + " did not converge within " + convergenceLimit());
        }
        return out;
    }

    /** Waits (environment time) for {@code f} and returns its value, failing the test on error. */
    protected final <T> T complete(CompletableFuture<T> f) {
        assertTrue(env.await(f::isDone, convergenceLimit()), "operation did not complete within " + convergenceLimit());
        try {
            return f.join();
        } catch (CompletionException e) {
            return fail("operation failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits for {@code f} and returns the exception it failed with, failing the test if it succeeded. */
    protected final Throwable failure(CompletableFuture<?> f) {
        assertTrue(env.await(f::isDone, convergenceLimit()), "operation did not complete within " + convergenceLimit());
        assertTrue(f.isCompletedExceptionally(), "operation was expected to fail but succeeded");
        try {
            f.join();
            return fail("unreachable");
        } catch (CompletionException e) {
            return e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    private static List<String> names(Node n) {
        return n.membership().members().stream().map(Member::name).toList();
    }

    // ---------------------------------------------------------------- local member

    /** Kit check: Local member is alive with its tags. */
    @Test
    public void localMemberIsAliveWithItsTags() {
        Node a = start(0, Map.of("role", "server", "dc", "dc1"));
        Member local = a.membership().localMember();
        assertEquals(setup(0, Map.of()).nodeName(), local.name());
        assertEquals(MemberStatus.ALIVE, local.status());
        assertEquals(Map.of("role", "server", "dc", "dc1"), local.tags());
        assertTrue(local.port() > 0 && local.port() <= 65535, "port " + local.port());
        assertEquals(MemberStatus.ALIVE, a.statusOf(local.name()), "members() includes the local member");
        assertEquals(1, a.membership().members().size());
    }

    // ---------------------------------------------------------------- join

    /** Kit check: Join is visible on both sides. */
    @Test
    public void joinIsVisibleOnBothSides() {
        Node a = start(0, Map.of("role", "a"));
        Node b = start(1, Map.of("role", "b"));
        assertEquals(1, complete(b.membership().join(List.of(a.address()))));
        if (supports(MembershipCapability.PEERS)) {
            assertTrue(env.await(() -> a.statusOf(b.name()) == MemberStatus.ALIVE
                    && b.statusOf(a.name()) == MemberStatus.ALIVE, convergenceLimit()), "both sides see each other");
            assertEquals(Map.of("role", "b"), a.view(b.name()).tags(), "tags travel with the join");
            assertEquals(Map.of("role", "a"), b.view(a.name()).tags());
            assertTrue(env.await(() -> !a.recorder().memberEvents(MemberEvent.Type.JOIN, b.name()).isEmpty()
                    && !b.recorder().memberEvents(MemberEvent.Type.JOIN, a.name()).isEmpty(), convergenceLimit()),
                    "JOIN events on both sides");
        } else {
            // Documented fallback: the seed is recorded under its address; the seed learns nothing.
            String seedName = a.address();
            assertEquals(MemberStatus.ALIVE, b.statusOf(seedName));
            assertTrue(env.await(() -> !b.recorder().memberEvents(MemberEvent.Type.JOIN, seedName).isEmpty(),
                    convergenceLimit()), "JOIN event for the recorded seed");
            env.settle(quietPeriod());
            assertEquals(List.of(a.name()), names(a), "without PEERS the seed's view is unchanged");
        }
    }

    /** Kit check: Join without seeds fails. */
    @Test
    public void joinWithoutSeedsFails() {
        Node a = start(0, Map.of());
        assertNotNull(failure(a.membership().join(List.of())));
        assertEquals(List.of(a.name()), names(a));
    }

    /** Kit check: Join with malformed seed fails and changes nothing. */
    @Test
    public void joinWithMalformedSeedFailsAndChangesNothing() {
        Node a = start(0, Map.of());
        Throwable t = failure(a.membership().join(List.of("127.0.0.1:99999")));
        assertInstanceOf(IllegalArgumentException.class, t, "a malformed seed is an IllegalArgumentException");
        t = failure(a.membership().join(List.of("bad host name!:80")));
        assertInstanceOf(IllegalArgumentException.class, t);
        env.settle(quietPeriod());
        assertEquals(List.of(a.name()), names(a));
        assertTrue(a.recorder().memberEvents().stream().noneMatch(e -> !e.member().name().equals(a.name())));
    }

    /** Kit check: Join of unreachable seed fails when peers are contacted. */
    @Test
    public void joinOfUnreachableSeedFailsWhenPeersAreContacted() {
        Node a = start(0, Map.of());
        CompletableFuture<Integer> f = a.membership().join(List.of("127.0.0.1:1"));
        if (supports(MembershipCapability.PEERS)) {
            assertNotNull(failure(f), "no seed could be contacted");
            assertEquals(List.of(a.name()), names(a));
        } else {
            assertEquals(1, complete(f), "without PEERS the seed is recorded without being contacted");
            assertEquals(MemberStatus.ALIVE, a.statusOf("127.0.0.1:1"));
        }
    }

    // ---------------------------------------------------------------- tags

    /** Kit check: Tag update propagates. */
    @Test
    public void tagUpdatePropagates() {
        List<Node> c = cluster(2);
        Node a = c.get(0);
        Node b = c.get(1);
        Map<String, String> tags = Map.of("role", "server", "build", "2.0");
        complete(a.membership().updateTags(tags));
        assertEquals(tags, a.membership().localMember().tags());
        assertTrue(env.await(() -> !a.recorder().memberEvents(MemberEvent.Type.UPDATE, a.name()).isEmpty(),
                convergenceLimit()), "local UPDATE event");
        if (supports(MembershipCapability.PEERS)) {
            assertTrue(env.await(() -> b.view(a.name()) != null && tags.equals(b.view(a.name()).tags()),
                    convergenceLimit()), "tags reach the peer");
            assertTrue(env.await(() -> !b.recorder().memberEvents(MemberEvent.Type.UPDATE, a.name()).isEmpty(),
                    convergenceLimit()), "UPDATE event at the peer");
        } else {
            env.settle(quietPeriod());
            assertTrue(b.recorder().memberEvents(MemberEvent.Type.UPDATE, a.name()).isEmpty());
        }
    }

    /** Kit check: Oversized tags are refused and change nothing. */
    @Test
    public void oversizedTagsAreRefusedAndChangeNothing() {
        Node a = start(0, Map.of("role", "x"));
        Map<String, String> huge = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            huge.put("k" + i, "v".repeat(10));
        }
        CompletableFuture<Void> f;
        try {
            f = a.membership().updateTags(huge);
        } catch (IllegalArgumentException e) {
            f = CompletableFuture.failedFuture(e);
        }
        assertInstanceOf(IllegalArgumentException.class, failure(f));
        assertEquals(Map.of("role", "x"), a.membership().localMember().tags());
    }

    // ---------------------------------------------------------------- user events

    /** Kit check: User event is delivered once to all including sender. */
    @Test
    public void userEventIsDeliveredOnceToAllIncludingSender() {
        int n = supports(MembershipCapability.PEERS) ? 3 : 2;
        List<Node> c = cluster(n);
        byte[] payload = "v1.2.3".getBytes(StandardCharsets.UTF_8);
        complete(c.get(0).membership().broadcast("deploy", payload, false));
        List<Node> receivers = supports(MembershipCapability.PEERS) ? c : List.of(c.get(0));
        assertTrue(env.await(() -> receivers.stream().allMatch(x -> !x.recorder().userEvents("deploy").isEmpty()),
                convergenceLimit()), "every member receives the event");
        env.settle(quietPeriod());
        for (Node x : receivers) {
            List<UserEvent> got = x.recorder().userEvents("deploy");
            assertEquals(1, got.size(), x.name() + " receives the event exactly once");
            assertArrayEquals(payload, got.get(0).payload());
            assertFalse(got.get(0).coalesce());
        }
        if (!supports(MembershipCapability.PEERS)) {
            assertTrue(c.get(1).recorder().userEvents().isEmpty(), "without PEERS only the sender receives it");
        }
    }

    /** Kit check: User event lamport times increase. */
    @Test
    public void userEventLamportTimesIncrease() {
        List<Node> c = cluster(2);
        Node a = c.get(0);
        complete(a.membership().broadcast("e1", new byte[] {1}, false));
        complete(a.membership().broadcast("e2", new byte[] {2}, false));
        Node watcher = supports(MembershipCapability.PEERS) ? c.get(1) : a;
        assertTrue(env.await(() -> watcher.recorder().userEvents("e1").size() == 1
                && watcher.recorder().userEvents("e2").size() == 1, convergenceLimit()));
        long t1 = watcher.recorder().userEvents("e1").get(0).lamportTime();
        long t2 = watcher.recorder().userEvents("e2").get(0).lamportTime();
        assertTrue(t2 > t1, "later event has a later Lamport time: " + t1 + " then " + t2);
    }

    /** Kit check: Oversized user event is refused. */
    @Test
    public void oversizedUserEventIsRefused() {
        Node a = start(0, Map.of());
        assertThrows(IllegalArgumentException.class, () -> a.membership().broadcast("big", new byte[1 << 20], false));
        env.settle(quietPeriod());
        assertTrue(a.recorder().userEvents().isEmpty());
    }

    // ---------------------------------------------------------------- leave

    /** Kit check: Graceful leave is seen as left. */
    @Test
    public void gracefulLeaveIsSeenAsLeft() {
        List<Node> c = cluster(2);
        Node a = c.get(0);
        Node b = c.get(1);
        complete(b.membership().leave(Duration.ofSeconds(5)));
        assertEquals(MemberStatus.LEFT, b.membership().localMember().status());
        if (supports(MembershipCapability.PEERS)) {
            assertTrue(env.await(() -> a.statusOf(b.name()) == MemberStatus.LEFT
                    && !a.recorder().memberEvents(MemberEvent.Type.LEAVE, b.name()).isEmpty(), convergenceLimit()),
                    "the peer sees LEFT and a LEAVE event");
            assertTrue(a.recorder().memberEvents(MemberEvent.Type.FAILED, b.name()).isEmpty(),
                    "a graceful leave is not a failure");
        } else {
            assertTrue(env.await(() -> !b.recorder().memberEvents(MemberEvent.Type.LEAVE, b.name()).isEmpty(),
                    convergenceLimit()), "local LEAVE event");
            env.settle(quietPeriod());
            assertTrue(a.recorder().memberEvents(MemberEvent.Type.LEAVE, b.name()).isEmpty());
        }
    }

    // ---------------------------------------------------------------- force-leave

    /** Kit check: Force leave of unknown member fails. */
    @Test
    public void forceLeaveOfUnknownMemberFails() {
        Node a = start(0, Map.of());
        assertNotNull(failure(a.membership().forceLeave("no-such-node", false)));
        assertEquals(List.of(a.name()), names(a));
    }

    /** Kit check: Force leave marks member left and prune reaps it. */
    @Test
    public void forceLeaveMarksMemberLeftAndPruneReapsIt() {
        Node a;
        String target;
        if (supports(MembershipCapability.FAILURE_DETECTION)) {
            List<Node> c = cluster(2);
            a = c.get(0);
            Node b = c.get(1);
            target = b.name();
            b.membership().close();
            assertTrue(env.await(() -> a.statusOf(target) == MemberStatus.FAILED, failureDetectionLimit()),
                    "stopped member is FAILED before the force-leave");
        } else {
            List<Node> c = cluster(2);
            a = c.get(0);
            Node b = c.get(1);
            if (supports(MembershipCapability.PEERS)) {
                target = b.name();
            } else {
                complete(a.membership().join(List.of(b.address())));
                target = b.address();
            }
            b.membership().close();
        }
        complete(a.membership().forceLeave(target, false));
        assertTrue(env.await(() -> a.statusOf(target) == MemberStatus.LEFT, convergenceLimit()), "force-left is LEFT");
        assertTrue(env.await(() -> !a.recorder().memberEvents(MemberEvent.Type.LEAVE, target).isEmpty(),
                convergenceLimit()), "LEAVE event for the force-left member");
        complete(a.membership().forceLeave(target, true));
        assertNull(a.view(target), "pruned member is gone");
        assertTrue(env.await(() -> !a.recorder().memberEvents(MemberEvent.Type.REAP, target).isEmpty(),
                convergenceLimit()), "REAP event for the pruned member");
    }

    // ---------------------------------------------------------------- failure detection

    /** Kit check: Close without leave is eventually seen as failed. */
    @Test
    public void closeWithoutLeaveIsEventuallySeenAsFailed() {
        List<Node> c = cluster(2);
        Node a = c.get(0);
        Node b = c.get(1);
        String target;
        if (supports(MembershipCapability.PEERS)) {
            target = b.name();
        } else {
            complete(a.membership().join(List.of(b.address())));
            target = b.address();
        }
        b.membership().close();
        if (supports(MembershipCapability.FAILURE_DETECTION)) {
            assertTrue(env.await(() -> a.statusOf(target) == MemberStatus.FAILED
                    && !a.recorder().memberEvents(MemberEvent.Type.FAILED, target).isEmpty(), failureDetectionLimit()),
                    "stopped member reported FAILED within " + failureDetectionLimit());
            assertTrue(a.recorder().memberEvents(MemberEvent.Type.LEAVE, target).isEmpty(), "a crash is not a leave");
        } else {
            env.settle(failureDetectionLimit());
            assertEquals(MemberStatus.ALIVE, a.statusOf(target), "without failure detection the last status stays");
            assertTrue(a.recorder().memberEvents(MemberEvent.Type.FAILED, target).isEmpty());
        }
    }

    // ---------------------------------------------------------------- listeners and lifecycle

    /** Kit check: Events arrive one at a time in order. */
    @Test
    public void eventsArriveOneAtATimeInOrder() {
        Node a = start(0, Map.of());
        int count = 20;
        for (int i = 0; i < count; i++) {
            complete(a.membership().updateTags(Map.of("n", Integer.toString(i))));
        }
        assertTrue(env.await(() -> a.recorder().memberEvents(MemberEvent.Type.UPDATE, a.name()).size() >= count,
                convergenceLimit()));
        List<MemberEvent> updates = a.recorder().memberEvents(MemberEvent.Type.UPDATE, a.name());
        assertEquals(count, updates.size(), "one UPDATE per change");
        for (int i = 0; i < count; i++) {
            assertEquals(Integer.toString(i), updates.get(i).member().tag("n"), "events in the order of the changes");
        }
        assertFalse(a.recorder().overlapped(), "deliveries never overlap");
    }

    /** Kit check: Closed subscription receives nothing. */
    @Test
    public void closedSubscriptionReceivesNothing() {
        Node a = start(0, Map.of());
        EventRecorder late = new EventRecorder();
        Subscription s = a.membership().subscribe(late);
        s.close();
        s.close();
        complete(a.membership().updateTags(Map.of("x", "1")));
        complete(a.membership().broadcast("ev", new byte[0], false));
        assertTrue(env.await(() -> !a.recorder().userEvents("ev").isEmpty(), convergenceLimit()));
        env.settle(quietPeriod());
        assertTrue(late.memberEvents().isEmpty());
        assertTrue(late.userEvents().isEmpty());
    }

    /**
     * Kit check: network coordinates, an optional part of the SPI, keep their contract whether or not
     * the plugin computes them: after a cluster converged, a node's own coordinate is absent or valid,
     * every known member's coordinate is absent or valid with the local one's dimensionality (the
     * host computes distances between them), and an unknown member has none.
     */
    @Test
    public void coordinatesAreAbsentOrValid() {
        List<Node> nodes = cluster(3);
        env().settle(quietPeriod());
        for (Node n : nodes) {
            Membership m = n.membership();
            var own = m.coordinate();
            own.ifPresent(c -> assertTrue(c.valid(), "own coordinate is valid: " + c));
            for (Member other : m.members()) {
                var c = m.coordinateOf(other.name());
                c.ifPresent(x -> assertTrue(x.valid(), "coordinate of " + other.name() + " is valid: " + x));
                if (c.isPresent() && own.isPresent()) {
                    assertEquals(own.get().vec().size(), c.get().vec().size(), "same dimensionality");
                    assertTrue(own.get().rttSecondsTo(c.get()) >= 0, "a distance is never negative");
                }
            }
            assertTrue(m.coordinateOf("no-such-member-" + nodes.size()).isEmpty(), "an unknown member has none");
        }
    }

    /** Kit check: Operations after close fail and close is idempotent. */
    @Test
    public void operationsAfterCloseFailAndCloseIsIdempotent() {
        Node a = start(0, Map.of());
        a.membership().close();
        a.membership().close();
        assertInstanceOf(IllegalStateException.class, failure(a.membership().join(List.of("127.0.0.1:7"))));
        assertInstanceOf(IllegalStateException.class, failure(a.membership().updateTags(Map.of("a", "b"))));
    }

    // ---------------------------------------------------------------- queries

    /** Timeout of the kit's queries that wait for a member that cannot answer (environment time). */
    protected Duration queryTimeout() {
        return Duration.ofSeconds(5);
    }

    /**
     * The node's query capability. Without {@link MembershipCapability#QUERIES} it asserts the
     * documented absence (an empty {@code queries()}) and returns null: the calling test then ends
     * there, having checked the fallback rather than being skipped.
     */
    protected final MemberQueries queriesOf(Node n) {
        Optional<MemberQueries> q = n.membership().queries();
        if (supports(MembershipCapability.QUERIES)) {
            assertTrue(q.isPresent(), "the binding declares QUERIES, but queries() is empty");
            assertSame(q.get(), n.membership().queries().orElse(null), "queries() returns the same instance");
            return q.get();
        }
        assertTrue(q.isEmpty(), "queries() offers the capability, but the binding does not declare QUERIES");
        assertTrue(n.membership().queries().isEmpty());
        return null;
    }

    /** A handler answering {@code <node name>:<payload>} at once, counting its calls and the origins it saw. */
    private static QueryHandler echo(String nodeName, AtomicInteger calls, List<String> origins) {
        return q -> {
            calls.incrementAndGet();
            origins.add(q.origin());
            return CompletableFuture.completedFuture(
                    (nodeName + ":" + new String(q.payload(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        };
    }

    /** Who a query from {@code from} asks: everyone with PEERS, else only the local member. */
    private List<Node> reachable(List<Node> cluster, Node from) {
        return supports(MembershipCapability.PEERS) ? cluster : List.of(from);
    }

    /** Kit check: A query reaches each member once and returns each member's answer. */
    @Test
    public void queryReachesEveryMemberOnceAndReturnsItsAnswer() {
        List<Node> c = cluster(3);
        Node a = c.get(0);
        MemberQueries qa = queriesOf(a);
        if (qa == null) {
            return;
        }
        Map<String, AtomicInteger> calls = new HashMap<>();
        List<String> origins = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (Node n : c) {
            AtomicInteger k = new AtomicInteger();
            calls.put(n.name(), k);
            queriesOf(n).handle("echo", echo(n.name(), k, origins));
        }
        QueryResult r = complete(qa.query("echo", "ping".getBytes(StandardCharsets.UTF_8), queryTimeout()));
        List<Node> asked = reachable(c, a);
        assertEquals("echo", r.name());
        assertEquals(asked.size(), r.asked(), "alive members asked, the local one included");
        assertEquals(asked.stream().map(Node::name).sorted().toList(), List.copyOf(r.answers().keySet()),
                "one answer per asked member, in name order");
        for (Node n : asked) {
            MemberAnswer ans = r.answer(n.name());
            assertEquals(MemberAnswer.Outcome.ANSWERED, ans.outcome(), n.name() + ": " + ans);
            assertEquals(n.name() + ":ping", new String(ans.answer(), StandardCharsets.UTF_8));
            assertEquals("", ans.failure());
        }
        env.settle(quietPeriod());
        for (Node n : c) {
            int expected = asked.contains(n) ? 1 : 0;
            assertEquals(expected, calls.get(n.name()).get(), n.name() + "'s handler runs " + expected + " time(s)");
        }
        assertTrue(origins.stream().allMatch(o -> o.equals(a.name())), "handlers see the origin: " + origins);
    }

    /** Kit check: A failing handler is reported as that member's failure; the others' answers stand. */
    @Test
    public void failingHandlerIsReportedPerMember() {
        List<Node> c = cluster(3);
        Node a = c.get(0);
        MemberQueries qa = queriesOf(a);
        if (qa == null) {
            return;
        }
        // With PEERS: a answers, b's future fails, c's handler throws. Alone, a's own future fails.
        boolean peers = supports(MembershipCapability.PEERS);
        for (Node n : c) {
            String name = n.name();
            QueryHandler h;
            if (n == c.get(1) || (!peers && n == a)) {
                h = q -> CompletableFuture.failedFuture(new IllegalStateException("disk full on " + name));
            } else if (n == c.get(2)) {
                h = q -> {
                    throw new IllegalArgumentException("handler broke on " + name);
                };
            } else {
                h = echo(name, new AtomicInteger(), new ArrayList<>());
            }
            queriesOf(n).handle("check", h);
        }
        QueryResult r = complete(qa.query("check", new byte[0], queryTimeout()));
        if (peers) {
            assertEquals(3, r.asked());
            assertEquals(MemberAnswer.Outcome.ANSWERED, r.answer(a.name()).outcome());
            MemberAnswer b = r.answer(c.get(1).name());
            assertEquals(MemberAnswer.Outcome.FAILED, b.outcome());
            assertTrue(b.failure().contains("disk full on " + c.get(1).name()), "the failure's message: " + b.failure());
            assertEquals(0, b.answer().length);
            MemberAnswer t = r.answer(c.get(2).name());
            assertEquals(MemberAnswer.Outcome.FAILED, t.outcome(), "a throwing handler is a failure");
            assertFalse(t.failure().isEmpty());
        } else {
            assertEquals(1, r.asked());
            assertEquals(MemberAnswer.Outcome.FAILED, r.answer(a.name()).outcome());
            assertTrue(r.answer(a.name()).failure().contains("disk full on " + a.name()));
        }
    }

    /** Kit check: A member without a handler answers FAILED naming the query, without waiting for the timeout. */
    @Test
    public void memberWithoutHandlerAnswersFailedNamingTheQuery() {
        List<Node> c = cluster(2);
        MemberQueries qa = queriesOf(c.get(0));
        if (qa == null) {
            return;
        }
        // The longest timeout: were the query to wait for it, complete() would give up first.
        QueryResult r = complete(qa.query("nobody-handles-this", new byte[0], qa.limits().maxTimeout()));
        assertEquals(reachable(c, c.get(0)).size(), r.asked());
        for (MemberAnswer ans : r.answers().values()) {
            assertEquals(MemberAnswer.Outcome.FAILED, ans.outcome(), ans.toString());
            assertTrue(ans.failure().contains("nobody-handles-this"), "names the query: " + ans.failure());
        }
    }

    /** Kit check: Members that left or were closed are not counted as answering. */
    @Test
    public void memberThatLeftOrWasClosedIsNotCountedAsAnswering() {
        List<Node> c = cluster(3);
        Node a = c.get(0);
        Node b = c.get(1);
        Node gone = c.get(2);
        MemberQueries qa = queriesOf(a);
        if (qa == null) {
            return;
        }
        for (Node n : c) {
            queriesOf(n).handle("echo", echo(n.name(), new AtomicInteger(), new ArrayList<>()));
        }
        MemberQueries qb = queriesOf(b);
        MemberQueries qGone = queriesOf(gone);
        String stranger = null;
        if (supports(MembershipCapability.PEERS)) {
            complete(gone.membership().leave(Duration.ofSeconds(5)));
            assertTrue(env.await(() -> a.statusOf(gone.name()) == MemberStatus.LEFT, convergenceLimit()),
                    "the leave reaches the querying node");
        } else {
            // Without PEERS the view holds recorded seeds, which cannot answer; a force-left one is not asked.
            complete(gone.membership().leave(Duration.ofSeconds(5)));
            stranger = "127.0.0.1:1";
            complete(a.membership().join(List.of(stranger)));
        }
        b.membership().close();
        QueryResult r = complete(qa.query("echo", new byte[0], queryTimeout()));
        assertEquals(MemberAnswer.Outcome.ANSWERED, r.answer(a.name()).outcome());
        assertNull(r.answer(gone.name()), "a member that left is not asked");
        MemberAnswer ofB = r.answer(b.name());
        assertTrue(ofB == null || ofB.outcome() == MemberAnswer.Outcome.NO_ANSWER,
                "a closed member is not asked (once known failed) or does not answer: " + ofB);
        if (stranger != null) {
            assertEquals(MemberAnswer.Outcome.NO_ANSWER, r.answer(stranger).outcome(), "a recorded seed never answers");
            complete(a.membership().forceLeave(stranger, false));
            QueryResult again = complete(qa.query("echo", new byte[0], queryTimeout()));
            assertEquals(List.of(a.name()), List.copyOf(again.answers().keySet()), "a force-left member is not asked");
        } else {
            assertEquals(ofB == null ? 1 : 2, r.answers().size(), "only a and (while not yet known failed) b");
        }
        assertInstanceOf(IllegalStateException.class, failure(qb.query("echo", new byte[0], queryTimeout())),
                "a closed member cannot query");
        assertInstanceOf(IllegalStateException.class, failure(qGone.query("echo", new byte[0], queryTimeout())),
                "a member that left cannot query");
    }

    /** Kit check: Oversized or malformed queries are refused before anything is sent. */
    @Test
    public void oversizedQueriesAreRefusedBeforeAnythingIsSent() {
        List<Node> c = cluster(2);
        MemberQueries qa = queriesOf(c.get(0));
        if (qa == null) {
            return;
        }
        QueryLimits l = qa.limits();
        assertTrue(l.maxNameBytes() >= 16 && l.maxPayloadBytes() >= 64 && l.maxAnswerBytes() >= 64,
                "limits too small to be useful: " + l);
        AtomicInteger calls = new AtomicInteger();
        for (Node n : c) {
            queriesOf(n).handle("q", q -> {
                calls.incrementAndGet();
                return CompletableFuture.completedFuture(new byte[] {(byte) q.payload().length});
            });
        }
        Duration t = queryTimeout();
        List<org.junit.jupiter.api.function.Executable> bad = List.of(
                () -> qa.query("q", new byte[l.maxPayloadBytes() + 1], t),
                () -> qa.query("q", new byte[1 << 20], t),
                () -> qa.query("q".repeat(l.maxNameBytes() + 1), new byte[0], t),
                () -> qa.query("", new byte[0], t),
                () -> qa.query("q", new byte[0], Duration.ZERO),
                () -> qa.query("q", new byte[0], Duration.ofSeconds(-1)),
                () -> qa.query("q", new byte[0], l.maxTimeout().plusSeconds(1)),
                () -> qa.handle("", q -> CompletableFuture.completedFuture(new byte[0])),
                () -> qa.handle("h".repeat(l.maxNameBytes() + 1), q -> CompletableFuture.completedFuture(new byte[0])));
        for (org.junit.jupiter.api.function.Executable e : bad) {
            assertThrows(IllegalArgumentException.class, e);
        }
        env.settle(quietPeriod());
        assertEquals(0, calls.get(), "no handler ran: nothing was sent");
        // At the limits the query goes through, so the limits are the real bounds.
        QueryResult r = complete(qa.query("q", new byte[l.maxPayloadBytes()], t));
        assertEquals(r.asked(), r.count(MemberAnswer.Outcome.ANSWERED));
    }

    /** Kit check: A query with no other member completes with the local answer, without waiting for the timeout. */
    @Test
    public void queryWithNoOtherMemberCompletesWithTheLocalAnswer() {
        Node a = start(0, Map.of());
        MemberQueries qa = queriesOf(a);
        if (qa == null) {
            return;
        }
        qa.handle("echo", echo(a.name(), new AtomicInteger(), new ArrayList<>()));
        QueryResult r = complete(qa.query("echo", "x".getBytes(StandardCharsets.UTF_8), qa.limits().maxTimeout()));
        assertEquals(1, r.asked());
        assertEquals(a.name() + ":x", new String(r.answer(a.name()).answer(), StandardCharsets.UTF_8));
    }

    /** Kit check: A handler that never completes is reported as not answering once the timeout passes. */
    @Test
    public void handlerThatNeverAnswersIsReportedAsNoAnswerAtTheTimeout() {
        Node a = start(0, Map.of());
        MemberQueries qa = queriesOf(a);
        if (qa == null) {
            return;
        }
        qa.handle("slow", q -> new CompletableFuture<>());
        CompletableFuture<QueryResult> f = qa.query("slow", new byte[0], Duration.ofSeconds(1));
        QueryResult r = complete(f);
        assertEquals(1, r.asked());
        assertEquals(MemberAnswer.Outcome.NO_ANSWER, r.answer(a.name()).outcome());
    }

    /** Kit check: One handler per name; closing its registration leaves the name unhandled. */
    @Test
    public void handlerRegistrationIsExclusiveAndClosable() {
        Node a = start(0, Map.of());
        MemberQueries qa = queriesOf(a);
        if (qa == null) {
            return;
        }
        QueryHandler h = echo(a.name(), new AtomicInteger(), new ArrayList<>());
        Subscription s = qa.handle("echo", h);
        assertThrows(IllegalStateException.class, () -> qa.handle("echo", h), "a second handler for one name");
        s.close();
        s.close();
        QueryResult r = complete(qa.query("echo", new byte[0], queryTimeout()));
        assertEquals(MemberAnswer.Outcome.FAILED, r.answer(a.name()).outcome(), "unregistered: no handler");
        Subscription again = qa.handle("echo", h);
        s.close();
        r = complete(qa.query("echo", new byte[0], queryTimeout()));
        assertEquals(MemberAnswer.Outcome.ANSWERED, r.answer(a.name()).outcome(), "an old registration's close is harmless");
        again.close();
    }

    /** Kit check: Queries and registrations after close fail with IllegalStateException. */
    @Test
    public void queriesAfterCloseFail() {
        Node a = start(0, Map.of());
        MemberQueries qa = queriesOf(a);
        if (qa == null) {
            return;
        }
        a.membership().close();
        assertInstanceOf(IllegalStateException.class, failure(qa.query("q", new byte[0], queryTimeout())));
        assertThrows(IllegalStateException.class, () -> qa.handle("q", q -> CompletableFuture.completedFuture(new byte[0])));
    }
}
