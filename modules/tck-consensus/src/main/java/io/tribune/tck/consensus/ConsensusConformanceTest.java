package io.tribune.tck.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tribune.api.Capability;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.PluginContext;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.Leadership;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.testkit.PluginDescriptors;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link Consensus}, for any consensus plugin.
 *
 * <p>A binding extends this class and supplies {@link #factory()}, {@link #newStorage(String)} and,
 * when {@link ConsensusFactory#replicated()} is true, {@link #newTransport(String)}. Servers run on
 * real threads ({@link RealScheduler}); every wait is bounded by {@link #waitBound()} and polls a
 * condition, never a fixed sleep.
 *
 * <p>Capabilities: {@link #supportsMembershipChange()} defaults to "supported" for replicated
 * factories; a plugin that declares it unsupported must fail membership calls with a
 * {@link ConsensusException}, which the kit checks instead of skipping.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class ConsensusConformanceTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** The factory under test. */
    protected abstract ConsensusFactory factory();

    /** Configuration for every server; by default empty (the plugin's defaults). */
    protected PluginConfig config() {
        return PluginConfig.empty();
    }

    /** A fresh, empty storage for server {@code serverId}; the kit closes it after the test. */
    protected abstract Storage newStorage(String serverId);

    /**
     * A transport for server {@code serverId}, not yet started; needed only when the factory is
     * replicated. The kit starts and closes it.
     */
    protected Transport newTransport(String serverId) {
        throw new UnsupportedOperationException("the binding of a replicated consensus must supply transports");
    }

    /**
     * The descriptor of the plugin under test, from which the kit reads its capabilities; by default
     * the registered plugin that offers {@link #factory()} ({@link PluginDescriptors#owning}), empty
     * when none is registered (then the factory's own {@code replicated()} decides).
     */
    protected Optional<PluginDescriptor> descriptor() {
        return PluginDescriptors.owning(factory(), getClass().getClassLoader());
    }

    /** Whether servers replicate: the declared {@link Capability#REPLICATED}, else {@code factory().replicated()}. */
    protected final boolean replicated() {
        return descriptor().flatMap(d -> d.declares(Capability.REPLICATED)).orElseGet(() -> factory().replicated());
    }

    /**
     * Whether membership changes work: the declared {@link Capability#MEMBERSHIP_CHANGES}, else
     * {@link #replicated()}.
     */
    protected boolean supportsMembershipChange() {
        return descriptor().flatMap(d -> d.declares(Capability.MEMBERSHIP_CHANGES)).orElseGet(this::replicated);
    }

    /** A plugin that declares its capabilities says the same about replication in its descriptor as its factory. */
    @Test
    public void declaredReplicationMatchesTheFactory() {
        Optional<Boolean> declared = descriptor().flatMap(d -> d.declares(Capability.REPLICATED));
        if (declared.isPresent()) {
            assertEquals(declared.get(), factory().replicated(), "descriptor declares REPLICATED=" + declared.get()
                    + " but ConsensusFactory.replicated() answers " + factory().replicated());
        }
    }

    /** Upper bound of every wait in the suite. */
    protected Duration waitBound() {
        return Duration.ofSeconds(20);
    }

    /** The context handed to server {@code serverId}: real clock and threads. */
    protected PluginContext context(String serverId) {
        RealScheduler scheduler = new RealScheduler(serverId);
        toClose.add(scheduler);
        return TestContext.builder(serverId).clock(scheduler).scheduler(scheduler).seed(serverId.hashCode()).build();
    }

    /** One server of a test cluster. */
    protected final class Server {
        final String id;
        final Storage storage;
        final Transport transport;
        final PluginContext context;
        RecordingStateMachine stateMachine;
        Consensus consensus;
        ServerInfo info;

        Server(String id, Storage storage, Transport transport) {
            this.id = id;
            this.storage = storage;
            this.transport = transport;
            this.context = context(id);
            this.info = new ServerInfo(id, transport == null ? new Endpoint("127.0.0.1", 0)
                    : transport.localEndpoint(), true);
        }

        /** Creates a new consensus instance (with a fresh state machine) on this server's storage. */
        Consensus create() {
            stateMachine = new RecordingStateMachine();
            consensus = factory().create(new ConsensusSetup(id, stateMachine, storage, Optional.ofNullable(transport)),
                    config(), context);
            return consensus;
        }

        /** Closes the consensus instance only (storage and transport stay open). */
        void stop() {
            consensus.close();
        }
    }

    private Server newServer(String id) {
        Storage storage = newStorage(id);
        toClose.add(storage);
        Transport transport = null;
        if (replicated()) {
            transport = newTransport(id);
            toClose.add(transport);
            transport.start();
        }
        Server s = new Server(id, storage, transport);
        s.create();
        toClose.add(() -> s.consensus.close());
        return s;
    }

    /** Forms a cluster of {@code n} bootstrapped, started servers and waits for a leader. */
    protected List<Server> cluster(int n) {
        List<Server> servers = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            servers.add(newServer("s" + i));
        }
        List<ServerInfo> config = servers.stream().map(s -> s.info).toList();
        for (Server s : servers) {
            assertFalse(s.consensus.hasState(), "a fresh server must report no state");
            s.consensus.bootstrap(config);
            assertTrue(s.consensus.hasState(), "a bootstrapped server must report state");
        }
        for (Server s : servers) {
            s.consensus.start();
        }
        leader(servers);
        return servers;
    }

    /** Waits for exactly one live leader among {@code servers} and returns it. */
    protected Server leader(List<Server> servers) {
        Server[] found = new Server[1];
        await("a leader to be elected", () -> {
            Server l = null;
            for (Server s : servers) {
                if (s.consensus.isLeader()) {
                    if (l != null && l.consensus.leadership().term() == s.consensus.leadership().term()) {
                        fail("two leaders in term " + s.consensus.leadership().term());
                    }
                    l = s;
                }
            }
            found[0] = l;
            return l != null;
        });
        return found[0];
    }

    @AfterEach
    void closeAll() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                // Best effort: the next test starts from fresh objects anyway.
            }
        }
        toClose.clear();
    }

    /** Polls {@code condition} until it holds or {@link #waitBound()} passes. */
    protected void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + waitBound().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out after " + waitBound() + " waiting for " + what);
            }
            // Polling interval of a bounded wait on a condition, not synchronisation.
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            if (Thread.interrupted()) {
                fail("interrupted");
            }
        }
    }

    /** Waits for a future within {@link #waitBound()}. */
    protected <T> T get(CompletableFuture<T> f) {
        try {
            return f.get(waitBound().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("operation did not complete within " + waitBound());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The exception a future failed with, within {@link #waitBound()}. */
    protected Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(waitBound().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("operation neither failed nor completed within " + waitBound());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
        throw new AssertionError("operation succeeded but should have failed");
    }

    private Server single() {
        return cluster(1).get(0);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static final Duration T = Duration.ofSeconds(20);

    // ---------------------------------------------------------------- single server contract

    /** Each command is applied once, in proposal order, and its future carries its index and the state machine's result. */
    @Test
    public void appliesCommandsInOrderWithIndexAndResult() {
        Server s = single();
        List<CompletableFuture<Applied>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(s.consensus.apply(RecordingStateMachine.command("c" + i), T));
        }
        long previous = 0;
        for (int i = 0; i < futures.size(); i++) {
            Applied a = get(futures.get(i));
            assertTrue(a.index() > previous, "indices must increase in proposal order: " + a.index()
                    + " after " + previous);
            previous = a.index();
            assertEquals(RecordingStateMachine.result(a.index(), "c" + i), text(a.result()));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add("c" + i);
        }
        assertEquals(expected, s.stateMachine.commands(), "state machine must see each command once, in order");
        assertTrue(s.consensus.appliedIndex() >= previous);
    }

    /** A new leadership listener receives the current state during subscription; the leader reports zero last contact. */
    @Test
    public void leadershipListenerReceivesCurrentStateAtOnce() {
        Server s = single();
        List<Leadership> seen = new CopyOnWriteArrayList<>();
        try (Subscription sub = s.consensus.onLeadershipChange(seen::add)) {
            assertEquals(1, seen.size(), "the listener must get the current state during subscription");
            Leadership l = seen.get(0);
            assertTrue(l.isLeader());
            assertTrue(l.term() >= 1);
            assertEquals(s.id, l.leader().orElseThrow().id());
            assertEquals(Duration.ZERO, s.consensus.lastContact(), "the leader reports zero last contact");
        }
    }

    /** Every read mode returns an index that covers all acknowledged writes and is already applied. */
    @Test
    public void readBarriersCoverEveryAcknowledgedWrite() {
        Server s = single();
        Applied last = null;
        for (int i = 0; i < 10; i++) {
            last = get(s.consensus.apply(RecordingStateMachine.command("w" + i), T));
        }
        for (ReadConsistency mode : ReadConsistency.values()) {
            long index = get(s.consensus.readBarrier(mode, T));
            assertTrue(index >= last.index(), mode + " barrier " + index + " is before acknowledged write "
                    + last.index());
            assertTrue(s.consensus.appliedIndex() >= index, mode + ": applied index must reach the barrier");
        }
    }

    /** A new instance on the same storage replays the log into a fresh state machine, in a higher term. */
    @Test
    public void restartReplaysTheLogIntoAFreshStateMachine() {
        Server s = single();
        for (int i = 0; i < 25; i++) {
            get(s.consensus.apply(RecordingStateMachine.command("r" + i), T));
        }
        List<String> before = s.stateMachine.commands();
        long termBefore = s.consensus.leadership().term();
        s.stop();
        Consensus again = s.create();
        assertTrue(again.hasState(), "a restarted server must find its state");
        again.start();
        leader(List.of(s));
        await("replay of the log", () -> s.stateMachine.commands().size() >= before.size());
        assertEquals(before, s.stateMachine.commands(), "replay must reproduce the state exactly");
        assertTrue(again.leadership().term() > termBefore, "the term must grow across a restart");
        Applied next = get(again.apply(RecordingStateMachine.command("after"), T));
        assertTrue(next.index() > s.stateMachine.indices().get(before.size() - 1));
    }

    /** snapshotNow stores a snapshot and compacts the log; a restart restores it and replays the rest. */
    @Test
    public void snapshotNowCompactsTheLogAndRestartRestoresIt() {
        Server s = single();
        Applied last = null;
        for (int i = 0; i < 30; i++) {
            last = get(s.consensus.apply(RecordingStateMachine.command("s" + i), T));
        }
        long snapIndex = get(s.consensus.snapshotNow());
        assertTrue(snapIndex >= last.index(), "snapshot index " + snapIndex + " must cover the applied " + last.index());
        assertEquals(snapIndex, s.storage.snapshots().latest().orElseThrow().index());
        assertTrue(s.storage.log().firstIndex() > 1 || s.storage.log().lastIndex() == 0,
                "the log must be compacted after a snapshot");
        for (int i = 30; i < 35; i++) {
            get(s.consensus.apply(RecordingStateMachine.command("s" + i), T));
        }
        List<String> before = s.stateMachine.commands();
        s.stop();
        Consensus again = s.create();
        again.start();
        leader(List.of(s));
        await("restore and replay", () -> s.stateMachine.commands().size() >= before.size());
        assertEquals(snapIndex, s.stateMachine.restoredAt(), "start must restore the newest snapshot");
        assertEquals(before, s.stateMachine.commands(), "snapshot plus log replay must equal the state before");
    }

    /** Bootstrapping a server that has state fails with ConsensusException and changes nothing. */
    @Test
    public void bootstrapTwiceFailsAndChangesNothing() {
        Server s = single();
        List<ServerInfo> config = s.consensus.configuration();
        assertThrows(ConsensusException.class, () -> s.consensus.bootstrap(config));
        assertEquals(config, s.consensus.configuration());
    }

    /** A closed server refuses operations with ConsensusException; close is idempotent. */
    @Test
    public void operationsAfterCloseFailWithConsensusException() {
        Server s = single();
        s.stop();
        assertInstanceOf(ConsensusException.class, failure(s.consensus.apply(RecordingStateMachine.command("x"), T)));
        assertFalse(s.consensus.isLeader(), "a closed server is not leader");
        s.stop(); // idempotent
    }

    /**
     * Fail-stop: a state machine that throws on a committed command stops the server at once:
     * nothing after that entry is applied, the pending futures fail with a ConsensusException
     * naming the index, the server refuses every later call (reads included), is no leader, and
     * reports why under {@code stats().get("stopped")}.
     */
    @Test
    public void stateMachineFailureStopsTheServer() {
        Server s = single();
        Applied before = get(s.consensus.apply(RecordingStateMachine.command("before"), T));
        s.stateMachine.failOn("poison");
        CompletableFuture<Applied> poison = s.consensus.apply(RecordingStateMachine.command("poison"), T);
        CompletableFuture<Applied> after = s.consensus.apply(RecordingStateMachine.command("after"), T);
        Throwable failed = failure(poison);
        long at = s.stateMachine.failedAt();
        assertTrue(at > before.index(), "the state machine was asked to apply the poison after " + before.index());
        assertStoppedAt(failed, at);
        assertStoppedAt(failure(after), at);
        assertStopped(s, at);
        assertEquals(List.of("before"), s.stateMachine.commands(), "nothing after the failed entry is applied");
    }

    /** Replicated: a follower whose state machine fails stops; the leader and the other follower go on. */
    @Test
    public void stateMachineFailureOnAFollowerStopsOnlyThatFollower() {
        if (!replicated()) {
            return;
        }
        List<Server> servers = cluster(3);
        Server leader = leader(servers);
        List<Server> followers = servers.stream().filter(x -> x != leader).toList();
        Server victim = followers.get(0);
        Server other = followers.get(1);
        Applied first = get(leader.consensus.apply(RecordingStateMachine.command("before"), T));
        await("the victim to apply", () -> victim.stateMachine.lastIndex() >= first.index());
        victim.stateMachine.failOn("poison");
        Applied poison = get(leader.consensus.apply(RecordingStateMachine.command("poison"), T));
        await("the victim to refuse the poison", () -> victim.stateMachine.failedAt() == poison.index());
        assertStopped(victim, poison.index());
        Applied after = get(leader.consensus.apply(RecordingStateMachine.command("after"), T));
        await("the other follower to apply", () -> other.stateMachine.lastIndex() >= after.index());
        assertEquals(List.of("before", "poison", "after"), other.stateMachine.commands());
        assertEquals(List.of("before"), victim.stateMachine.commands(), "the stopped follower applies nothing more");
        assertStopped(victim, poison.index());
    }

    /** Replicated: a leader whose state machine fails stops leading; the other two elect a leader and go on. */
    @Test
    public void stateMachineFailureOnTheLeaderStopsItAndTheOthersGoOn() {
        if (!replicated()) {
            return;
        }
        List<Server> servers = cluster(3);
        Server old = leader(servers);
        get(old.consensus.apply(RecordingStateMachine.command("before"), T));
        old.stateMachine.failOn("poison");
        CompletableFuture<Applied> poison = old.consensus.apply(RecordingStateMachine.command("poison"), T);
        Throwable failed = failure(poison);
        long at = old.stateMachine.failedAt();
        assertStoppedAt(failed, at);
        List<Server> rest = servers.stream().filter(x -> x != old).toList();
        Server next = leader(rest);
        Applied after = get(next.consensus.apply(RecordingStateMachine.command("after"), T));
        for (Server s : rest) {
            await(s.id + " to apply", () -> s.stateMachine.lastIndex() >= after.index());
            assertEquals(List.of("before", "poison", "after"), s.stateMachine.commands(),
                    "the committed poison is applied by the servers whose state machine can");
        }
        assertEquals(List.of("before"), old.stateMachine.commands(), "the stopped leader applies nothing more");
        assertStopped(old, at);
    }

    private static void assertStoppedAt(Throwable failure, long index) {
        ConsensusException e = assertInstanceOf(ConsensusException.class, failure);
        assertFalse(e instanceof NotLeaderException, "a stopped server does not redirect: " + e);
        assertTrue(e.getMessage().contains(Long.toString(index)), "the failure names the index " + index + ": "
                + e.getMessage());
    }

    /** Everything a stopped server answers: refusals naming the index, no leadership, the reason in stats. */
    private void assertStopped(Server s, long index) {
        assertFalse(s.consensus.isLeader(), "a stopped server is not leader");
        assertFalse(s.consensus.leadership().isLeader());
        assertStoppedAt(failure(s.consensus.apply(RecordingStateMachine.command("later"), T)), index);
        for (ReadConsistency mode : ReadConsistency.values()) {
            assertStoppedAt(failure(s.consensus.readBarrier(mode, T)), index);
        }
        String why = s.consensus.stats().get("stopped");
        assertTrue(why != null && why.contains(Long.toString(index)),
                "stats() reports why the server stopped, naming the index " + index + ": " + s.consensus.stats());
    }

    /** Supported: add a non-voter, promote it, remove a server, one at a time. Unsupported: each call fails with ConsensusException. */
    @Test
    public void membershipChangesFollowTheCapability() {
        if (supportsMembershipChange()) {
            membershipChangeOneServerAtATime();
            return;
        }
        Server s = single();
        ServerInfo other = new ServerInfo("other", new Endpoint("127.0.0.1", 1), true);
        for (CompletableFuture<?> f : List.of(s.consensus.addVoter(other, T), s.consensus.addNonVoter(other, T),
                s.consensus.removeServer("other", T))) {
            assertInstanceOf(ConsensusException.class, failure(f));
        }
        assertEquals(1, s.consensus.configuration().size(), "a refused change must change nothing");
    }

    // ---------------------------------------------------------------- replicated contract

    private void membershipChangeOneServerAtATime() {
        List<Server> servers = cluster(3);
        Server leader = leader(servers);
        get(leader.consensus.apply(RecordingStateMachine.command("before-join"), T));
        Server joiner = newServer("s4");
        assertFalse(joiner.consensus.hasState());
        joiner.consensus.start();
        get(leader.consensus.addNonVoter(new ServerInfo(joiner.id, joiner.info.endpoint(), false), T));
        await("the non-voter to catch up", () -> joiner.stateMachine.commands().contains("before-join"));
        get(leader.consensus.addVoter(joiner.info, T));
        assertTrue(leader.consensus.configuration().stream().anyMatch(si -> si.id().equals("s4") && si.voter()),
                "s4 must be a voter: " + leader.consensus.configuration());
        Server victim = servers.stream().filter(x -> x != leader).findFirst().orElseThrow();
        get(leader.consensus.removeServer(victim.id, T));
        assertTrue(leader.consensus.configuration().stream().noneMatch(si -> si.id().equals(victim.id)));
        Applied a = get(leader.consensus.apply(RecordingStateMachine.command("after-change"), T));
        await("the new voter to apply", () -> joiner.stateMachine.lastIndex() >= a.index());
    }

    /**
     * Replicated: every server applies each command once; a follower refuses writes with
     * NotLeaderException naming the leader, serves DEFAULT and CONSISTENT barriers either from the
     * leader's read index (covering every acknowledged write, applied locally) or refuses them with
     * NotLeaderException naming the leader, and serves stale reads.
     */
    @Test
    public void followerRefusesWritesWithLeaderHintAndReplicatesResultsOnlyToProposer() {
        if (!replicated()) {
            return;
        }
        List<Server> servers = cluster(3);
        Server leader = leader(servers);
        Applied a = get(leader.consensus.apply(RecordingStateMachine.command("hello"), T));
        assertEquals(RecordingStateMachine.result(a.index(), "hello"), text(a.result()));
        for (Server s : servers) {
            await(s.id + " to apply", () -> s.stateMachine.lastIndex() >= a.index());
            assertEquals(List.of("hello"), s.stateMachine.commands(), "every server applies the command once");
        }
        Server follower = servers.stream().filter(s -> s != leader).findFirst().orElseThrow();
        await("the follower to learn the leader", () -> follower.consensus.leadership().leader()
                .map(l -> l.id().equals(leader.id)).orElse(false));
        Throwable t = failure(follower.consensus.apply(RecordingStateMachine.command("nope"), T));
        NotLeaderException nle = assertInstanceOf(NotLeaderException.class, t);
        assertEquals(leader.id, nle.leader().orElseThrow().id(), "the hint must name the leader");
        for (ReadConsistency mode : List.of(ReadConsistency.DEFAULT, ReadConsistency.CONSISTENT)) {
            assertFollowerBarrier(follower, leader, mode, a.index());
        }
        long stale = get(follower.consensus.readBarrier(ReadConsistency.STALE, T));
        assertTrue(stale >= a.index(), "a caught-up follower serves stale reads at its applied index");
        assertTrue(follower.consensus.lastContact().compareTo(Duration.ofMinutes(1)) < 0,
                "a follower in contact reports a small last-contact age");
    }

    /**
     * A follower's DEFAULT or CONSISTENT barrier either completes with an index that covers the
     * acknowledged write {@code acked}, applied locally by then, or fails with NotLeaderException
     * naming the leader.
     */
    private void assertFollowerBarrier(Server follower, Server leader, ReadConsistency mode, long acked) {
        CompletableFuture<Long> barrier = follower.consensus.readBarrier(mode, T);
        try {
            long index = barrier.get(waitBound().toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(index >= acked, mode + " follower barrier " + index + " is before acknowledged write " + acked);
            assertTrue(follower.consensus.appliedIndex() >= index && follower.stateMachine.lastIndex() >= acked,
                    mode + ": the follower must have applied the barrier's index when it completes");
        } catch (ExecutionException e) {
            NotLeaderException nle = assertInstanceOf(NotLeaderException.class, e.getCause(),
                    mode + " on a follower either completes or fails with NotLeaderException");
            assertEquals(leader.id, nle.leader().orElseThrow().id(), "the hint must name the leader");
        } catch (TimeoutException e) {
            throw new AssertionError(mode + " follower barrier neither completed nor failed within " + waitBound());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** Replicated: transferLeadership moves leadership to the target and no acknowledged write is lost. */
    @Test
    public void leaderTransferHandsOverWithoutLosingWrites() {
        if (!replicated()) {
            return;
        }
        List<Server> servers = cluster(3);
        Server leader = leader(servers);
        Applied a = get(leader.consensus.apply(RecordingStateMachine.command("pre-transfer"), T));
        Server target = servers.stream().filter(s -> s != leader).findFirst().orElseThrow();
        get(leader.consensus.transferLeadership(Optional.of(target.id), T));
        await("the target to lead", () -> target.consensus.isLeader());
        Applied b = get(target.consensus.apply(RecordingStateMachine.command("post-transfer"), T));
        assertTrue(b.index() > a.index());
        await("old leader to apply", () -> leader.stateMachine.lastIndex() >= b.index());
        assertEquals(List.of("pre-transfer", "post-transfer"), leader.stateMachine.commands());
    }
}
