package io.tribune.agent.testing;

import static io.tribune.agent.testing.TestCluster.stat;
import static io.tribune.agent.testing.TestCluster.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.Sessions;
import io.tribune.agent.rpc.Txn;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.CommandResult;
import io.tribune.state.Session;
import io.tribune.state.SessionBehavior;
import io.tribune.state.TxnOp;
import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.Subscription;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.state.Change;
import io.tribune.state.KvEntry;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import io.tribune.testkit.ForwardingTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "Correct under faults": a forwarded write whose reply is lost after the leader applied it is
 * retried, and the retry must not apply it again. Three raft servers and one client agent in one
 * JVM, driven through their request layer, on the in-process transport wrapped by a lossy one (this
 * class's {@code transport-lossy} plugin) that can lose the reply of one chosen call after the peer
 * served it, which the sender sees as {@code UNAVAILABLE}, exactly as when a connection breaks at
 * that moment.
 *
 * <p>Each scenario has a control twin that loses the same reply but also strips the client request
 * id from the call on the wire ({@link WireFaults#withoutRequestId}), as forwarding sent writes before
 * request ids: there the write is applied twice, which shows that the fault really hits after the
 * apply and that the id is what saves the scenario.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ExactlyOnceForwardingClusterTest {
    private static final String HUB = "exactly-once-test";
    /** Lossy transports by node name. */
    private static final Map<String, LossyTransport> TRANSPORTS = new ConcurrentHashMap<>();
    @RegisterExtension
    static final TestCluster cluster = TestCluster.builder(HUB).transport("transport-lossy")
            .plugin(LoadedPlugin.of(new LossyTransportPlugin(TestCluster.transportFactory("transport-inproc")),
                    "test: transport-lossy"))
            .pluginConfigPerNode(node -> Map.of("transport-lossy.node", node))
            .servers("s1", "s2", "s3").clients("c1").build();
    private static final List<Agent> servers = cluster.servers();
    private static Agent client;

    @BeforeAll
    static void awaitRegistrations() throws Exception {
        client = cluster.client();
        cluster.awaitEveryNodeInCatalog(ReadConsistency.CONSISTENT);
    }

    @AfterAll
    static void forgetTransports() {
        TRANSPORTS.clear();
    }

    @AfterEach
    void disarm() {
        TRANSPORTS.values().forEach(LossyTransport::disarm);
    }

    // ---------------------------------------------------------------- scenarios

    @Test
    void aCasThroughTheClientAgentIsAppliedOnceWhenTheServersReplyIsLost() throws Exception {
        CasOutcome o = casThroughClientLosingTheReply("eo/cas", UnaryOperator.identity());
        assertTrue(o.succeeded, "the retry of an applied CAS answered false");
        assertEquals("v1", o.value);
        assertEquals(1, o.changes, "the key was written more than once");
        assertTrue(o.modifyIndexAfter > o.modifyIndexBefore);
        assertEquals(1, o.repeats, "the retry was not answered from the dedup table");
    }

    @Test
    void controlWithoutTheRequestIdTheSameLostReplyMakesTheCasAnswerFalse() throws Exception {
        CasOutcome o = casThroughClientLosingTheReply("eo/cas-control", WireFaults::withoutRequestId);
        assertFalse(o.succeeded, "the fault did not hit after the apply: this scenario proves nothing");
        assertEquals("v1", o.value, "the first attempt applied");
        assertEquals(0, o.repeats);
    }

    @Test
    void aSessionCreatedThroughTheClientAgentExistsOnceWhenTheServersReplyIsLost() throws Exception {
        SessionOutcome o = sessionThroughClientLosingTheReply("eo-session", UnaryOperator.identity());
        assertEquals(1, o.ids.size(), "sessions named eo-session: " + o.ids);
        assertEquals(o.ids.get(0), o.answered, "the answer names another session than the one that exists");
    }

    @Test
    void controlWithoutTheRequestIdTheSameLostReplyCreatesTwoSessions() throws Exception {
        SessionOutcome o = sessionThroughClientLosingTheReply("eo-session-control",
                WireFaults::withoutRequestId);
        assertEquals(2, o.ids.size(), "the fault did not hit after the apply: " + o.ids);
    }

    @Test
    void aTxnThroughAFollowerIsAppliedOnceWhenTheLeadersReplyIsLost() throws Exception {
        TxnOutcome o = txnThroughFollowerLosingTheReply("eo/txn", UnaryOperator.identity());
        assertTrue(o.committed);
        assertEquals(1, o.changes, "the transaction was applied more than once");
        assertEquals(1, o.repeats);
    }

    @Test
    void controlWithoutTheRequestIdTheSameLostReplyAppliesTheTxnTwice() throws Exception {
        TxnOutcome o = txnThroughFollowerLosingTheReply("eo/txn-control",
                WireFaults::withoutRequestId);
        assertTrue(o.committed);
        assertEquals(2, o.changes, "the fault did not hit after the apply");
    }

    @Test
    void theRewriteOfTheControlRunsRemovesExactlyTheRequestId() throws Exception {
        byte[][] seen = new byte[1][];
        LossyTransport t = TRANSPORTS.get("c1");
        t.arm((method, request) -> {
            if (method.equals("Kv.Set")) {
                seen[0] = request;
                return true;
            }
            return false;
        }, UnaryOperator.identity());
        call(client, new Kv.Set("eo/probe", bytes("v"), 0, OptionalLong.empty()));
        assertTrue(WireFaults.hasRequestId(seen[0]), "a forwarded write carries its request id");
        assertFalse(WireFaults.hasRequestId(WireFaults.withoutRequestId(seen[0])));
    }

    // ---------------------------------------------------------------- scenario bodies

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <R> R call(Agent a, Op<R> op) throws Exception {
        return call(a, op, Options.DEFAULT);
    }

    private static <R> R call(Agent a, Op<R> op, Options o) throws Exception {
        Response<R> r = a.requests().call(op, o).get(TestCluster.LIMIT.toSeconds(), TimeUnit.SECONDS);
        return r.value();
    }

    private record CasOutcome(boolean succeeded, String value, long modifyIndexBefore, long modifyIndexAfter,
                              int changes, long repeats) {
    }

    private CasOutcome casThroughClientLosingTheReply(String key, UnaryOperator<byte[]> rewrite) throws Exception {
        assertTrue(call(leader(), new Kv.Set(key, bytes("v0"), 0, OptionalLong.empty())));
        long m0 = modifyIndex(key);
        long repeats = serverStat("repeats");
        long failovers = stat(client, "failovers");
        try (ChangeCounter changes = new ChangeCounter(key)) {
            LossyTransport t = TRANSPORTS.get("c1");
            t.arm((method, request) -> method.equals("Kv.Set"), rewrite);
            boolean ok = call(client, new Kv.Set(key, bytes("v1"), 0, OptionalLong.of(m0)));
            assertEquals(1, t.lost.get(), "no reply was lost");
            assertTrue(stat(client, "failovers") > failovers, "the client did not send the request again");
            String value = new String(call(leader(), new Kv.Get(key), Options.of(ReadConsistency.CONSISTENT))
                    .orElseThrow().value(), StandardCharsets.UTF_8);
            long m1 = modifyIndex(key);
            return new CasOutcome(ok, value, m0, m1, changes.settle(), serverStat("repeats") - repeats);
        }
    }

    private record SessionOutcome(String answered, List<String> ids) {
    }

    private SessionOutcome sessionThroughClientLosingTheReply(String name, UnaryOperator<byte[]> rewrite)
            throws Exception {
        LossyTransport t = TRANSPORTS.get("c1");
        t.arm((method, request) -> method.equals("Sessions.Create"), rewrite);
        String answered = call(client, new Sessions.Create(name, "", Duration.ofSeconds(15), SessionBehavior.RELEASE,
                Duration.ZERO, Optional.of(List.of())));
        assertEquals(1, t.lost.get(), "no reply was lost");
        List<String> ids = new ArrayList<>();
        for (Session s : call(leader(), new Sessions.All(), Options.of(ReadConsistency.CONSISTENT))) {
            if (s.name().equals(name)) {
                ids.add(s.id());
            }
        }
        return new SessionOutcome(answered, ids);
    }

    private record TxnOutcome(boolean committed, int changes, long repeats) {
    }

    private TxnOutcome txnThroughFollowerLosingTheReply(String key, UnaryOperator<byte[]> rewrite) throws Exception {
        Agent f = follower();
        long repeats = serverStat("repeats");
        try (ChangeCounter changes = new ChangeCounter(key)) {
            LossyTransport t = TRANSPORTS.get(f.config().nodeName());
            t.arm((method, request) -> method.equals("Txn.Apply"), rewrite);
            CommandResult.TxnOutcome o = call(f, new Txn.Apply(List.of(new TxnOp(TxnOp.Verb.SET, key, bytes("t"), 0, 0,
                    ""))));
            assertEquals(1, t.lost.get(), "no reply was lost");
            return new TxnOutcome(o.committed(), changes.settle(), serverStat("repeats") - repeats);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Counts the changes to one key that a server applies, in index order. */
    private static final class ChangeCounter implements AutoCloseable {
        private final String key;
        private final StateStore store;
        private final List<Long> indexes = new CopyOnWriteArrayList<>();
        private final Subscription subscription;

        ChangeCounter(String key) throws InterruptedException {
            this.key = key;
            this.store = leader().state().orElseThrow();
            this.subscription = store.subscribe(WatchTarget.kvKey(key), (index, changes) -> {
                for (Change c : changes) {
                    if (c.key().equals(key)) {
                        indexes.add(index);
                    }
                }
            });
        }

        /**
         * How many changes to the key were applied so far: writes a sentinel value to the key and
         * waits until the feed delivered it; the feed delivers in index order, so every earlier
         * change to the key (a late second application included) has been counted by then.
         */
        int settle() throws Exception {
            assertTrue(call(leader(), new Kv.Set(key, bytes("sentinel"), 0, OptionalLong.empty())));
            long sentinel = store.kvGet(key).value().orElseThrow().modifyIndex();
            assertTrue(waitFor(() -> indexes.contains(sentinel)), "the sentinel change never arrived");
            return (int) indexes.stream().filter(i -> i < sentinel).count();
        }

        @Override
        public void close() {
            subscription.close();
        }
    }

    private static long modifyIndex(String key) throws Exception {
        KvEntry e = leader().state().orElseThrow().kvGet(key).value().orElseThrow();
        return e.modifyIndex();
    }

    private static long serverStat(String key) {
        return servers.stream().mapToLong(s -> stat(s, key)).sum();
    }

    private static Agent leader() throws InterruptedException {
        return cluster.leader();
    }

    private static Agent follower() throws InterruptedException {
        return cluster.follower();
    }

    // ---------------------------------------------------------------- the lossy transport

    /** A transport plugin that wraps transport-inproc and can lose one chosen reply. */
    private static final class LossyTransportPlugin implements Plugin {
        private final TransportFactory inner;

        LossyTransportPlugin(TransportFactory inner) {
            this.inner = inner;
        }

        @Override
        public PluginDescriptor descriptor() {
            return PluginDescriptor.of("transport-lossy", "test", "transport-inproc that can lose a reply",
                    SpiKind.TRANSPORT);
        }

        @Override
        public List<TransportFactory> transportFactories() {
            return List.of(new TransportFactory() {
                @Override
                public String name() {
                    return "transport-lossy";
                }

                @Override
                public boolean supportsCallOnly() {
                    return inner.supportsCallOnly();
                }

                @Override
                public Transport create(TransportSetup setup, PluginConfig config, PluginContext context) {
                    Transport t = inner.create(setup, PluginConfig.of(Map.of("transport-inproc.hub",
                            config.getString("transport-lossy.hub", "default"))), context);
                    LossyTransport lossy = new LossyTransport(t);
                    TRANSPORTS.put(config.getString("transport-lossy.node", "?"), lossy);
                    return lossy;
                }
            });
        }
    }

    /**
     * Delegates everything; when armed, the first outgoing call that matches has its request
     * rewritten (control runs) and, once the peer served it, its reply replaced by
     * {@code UNAVAILABLE}.
     */
    private static final class LossyTransport extends ForwardingTransport {
        private volatile BiPredicate<String, byte[]> match;
        private volatile UnaryOperator<byte[]> rewrite = UnaryOperator.identity();
        final AtomicInteger lost = new AtomicInteger();

        LossyTransport(Transport inner) {
            super(inner);
        }

        synchronized void arm(BiPredicate<String, byte[]> match, UnaryOperator<byte[]> rewrite) {
            lost.set(0);
            this.rewrite = rewrite;
            this.match = match;
        }

        synchronized void disarm() {
            match = null;
        }

        /** Whether this call is the one to lose (at most one per arming). */
        private synchronized UnaryOperator<byte[]> take(String method, byte[] request) {
            BiPredicate<String, byte[]> m = match;
            if (m == null || !m.test(method, request)) {
                return null;
            }
            match = null;
            return rewrite;
        }

        @Override
        public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
            UnaryOperator<byte[]> r = take(method, request);
            if (r == null) {
                return delegate.call(target, method, request, timeout);
            }
            CompletableFuture<byte[]> out = new CompletableFuture<>();
            delegate.call(target, method, r.apply(request), timeout).whenComplete((reply, t) -> {
                if (t != null) {
                    out.completeExceptionally(t);
                    return;
                }
                lost.incrementAndGet();
                out.completeExceptionally(new TransportException(TransportException.Code.UNAVAILABLE,
                        "connection to " + target + " broke after the call was served (injected)"));
            });
            return out;
        }
    }
}
