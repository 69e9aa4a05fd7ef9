package io.tribune.agent.rpc;

import static io.tribune.agent.testing.TestCluster.send;
import static io.tribune.agent.testing.TestCluster.stat;
import static io.tribune.agent.testing.TestCluster.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.testing.TestCluster;
import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.Subscription;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.state.Change;
import io.tribune.state.Command;
import io.tribune.state.KvEntry;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Issue #8, "correct under faults": a forwarded write whose reply is lost after the leader applied
 * it is retried, and the retry must not apply it again. Three raft servers and one client agent
 * in one JVM, on the in-process transport wrapped by a lossy one (this class's
 * {@code transport-lossy} plugin) that can lose the reply of one chosen call after the peer
 * served it, which the forwarder sees as {@code UNAVAILABLE}, exactly as when a connection breaks
 * at that moment.
 *
 * <p>Each scenario has a control twin that loses the same reply but also strips the request id
 * from the forwarded request (what forwarding did before request ids): there the write is applied
 * twice, which shows that the fault really hits after the apply and that the id is what saves the
 * scenario.
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
        cluster.awaitEveryNodeInCatalog("?consistent");
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
        assertEquals(200, o.status, o.body);
        assertEquals("true", o.body, "the retry of an applied CAS answered false");
        assertEquals("v1", o.value);
        assertEquals(1, o.changes, "the key was written more than once");
        assertTrue(o.modifyIndexAfter > o.modifyIndexBefore);
        assertEquals(1, o.repeats, "the retry was not answered from the dedup table");
    }

    @Test
    void controlWithoutTheRequestIdTheSameLostReplyMakesTheCasAnswerFalse() throws Exception {
        CasOutcome o = casThroughClientLosingTheReply("eo/cas-control", ExactlyOnceForwardingClusterTest::stripHttpId);
        assertEquals(200, o.status, o.body);
        assertEquals("false", o.body, "the fault did not hit after the apply: this scenario proves nothing");
        assertEquals("v1", o.value, "the first attempt applied");
        assertEquals(0, o.repeats);
    }

    @Test
    void aSessionCreatedThroughTheClientAgentExistsOnceWhenTheServersReplyIsLost() throws Exception {
        SessionOutcome o = sessionThroughClientLosingTheReply("eo-session", UnaryOperator.identity());
        assertEquals(200, o.status, o.body);
        assertEquals(1, o.ids.size(), "sessions named eo-session: " + o.ids);
        assertTrue(o.body.contains("\"ID\":\"" + o.ids.get(0) + "\""), "answered " + o.body + ", exists " + o.ids);
    }

    @Test
    void controlWithoutTheRequestIdTheSameLostReplyCreatesTwoSessions() throws Exception {
        SessionOutcome o = sessionThroughClientLosingTheReply("eo-session-control",
                ExactlyOnceForwardingClusterTest::stripHttpId);
        assertEquals(200, o.status, o.body);
        assertEquals(2, o.ids.size(), "the fault did not hit after the apply: " + o.ids);
    }

    @Test
    void aTxnThroughAFollowerIsAppliedOnceWhenTheLeadersReplyIsLost() throws Exception {
        TxnOutcome o = txnThroughFollowerLosingTheReply("eo/txn", UnaryOperator.identity());
        assertEquals(200, o.status, o.body);
        assertEquals(1, o.changes, "the transaction was applied more than once");
        assertEquals(1, o.repeats);
    }

    @Test
    void controlWithoutTheRequestIdTheSameLostReplyAppliesTheTxnTwice() throws Exception {
        TxnOutcome o = txnThroughFollowerLosingTheReply("eo/txn-control",
                ExactlyOnceForwardingClusterTest::stripApplyEnvelope);
        assertEquals(200, o.status, o.body);
        assertEquals(2, o.changes, "the fault did not hit after the apply");
    }

    @Test
    void anHttpClientCannotChooseTheRequestIdOfItsWrite() throws Exception {
        // If the listener honoured a request id sent by an HTTP client, the second create-only PUT
        // below would be answered as a repeat of the first ("true") instead of being applied.
        String id = "0123456789abcdef0123456789abcdef";
        for (String expected : List.of("true", "false")) {
            HttpResponse<String> r = send(client, "PUT", "/v1/kv/eo/chosen?cas=0", "v",
                    Map.of("X-Tribune-Request-Id", id));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(expected, r.body());
        }
        assertTrue(leader().state().orElseThrow().requestIndex(io.tribune.state.RequestId.parse(id)).isEmpty());
    }

    // ---------------------------------------------------------------- scenario bodies

    private record CasOutcome(int status, String body, String value, long modifyIndexBefore, long modifyIndexAfter,
                              int changes, long repeats) {
    }

    private CasOutcome casThroughClientLosingTheReply(String key, UnaryOperator<byte[]> rewrite) throws Exception {
        assertEquals("true", send(leader(), "PUT", "/v1/kv/" + key, "v0").body());
        long m0 = modifyIndex(key);
        long repeats = serverStat("repeats");
        long failovers = stat(client, "failovers");
        try (ChangeCounter changes = new ChangeCounter(key)) {
            LossyTransport t = TRANSPORTS.get("c1");
            t.arm((method, request) -> method.equals(Forwarder.METHOD_HTTP)
                    && isHttp(request, "PUT", "/v1/kv/" + key), rewrite);
            HttpResponse<String> r = send(client, "PUT", "/v1/kv/" + key + "?cas=" + m0, "v1");
            assertEquals(1, t.lost.get(), "no reply was lost");
            assertTrue(stat(client, "failovers") > failovers, "the client did not send the request again");
            String value = send(leader(), "GET", "/v1/kv/" + key + "?raw&consistent", null).body();
            long m1 = modifyIndex(key);
            return new CasOutcome(r.statusCode(), r.body(), value, m0, m1, changes.settle(),
                    serverStat("repeats") - repeats);
        }
    }

    private record SessionOutcome(int status, String body, List<String> ids) {
    }

    private SessionOutcome sessionThroughClientLosingTheReply(String name, UnaryOperator<byte[]> rewrite)
            throws Exception {
        LossyTransport t = TRANSPORTS.get("c1");
        t.arm((method, request) -> method.equals(Forwarder.METHOD_HTTP) && isHttp(request, "PUT", "/v1/session/create"),
                rewrite);
        HttpResponse<String> r = send(client, "PUT", "/v1/session/create",
                "{\"Name\": \"" + name + "\", \"Checks\": []}");
        assertEquals(1, t.lost.get(), "no reply was lost");
        JsonArray all = JsonParser.parseString(send(leader(), "GET", "/v1/session/list?consistent", null).body())
                .getAsJsonArray();
        List<String> ids = new ArrayList<>();
        for (JsonElement e : all) {
            if (e.getAsJsonObject().get("Name").getAsString().equals(name)) {
                ids.add(e.getAsJsonObject().get("ID").getAsString());
            }
        }
        return new SessionOutcome(r.statusCode(), r.body(), ids);
    }

    private record TxnOutcome(int status, String body, int changes, long repeats) {
    }

    private TxnOutcome txnThroughFollowerLosingTheReply(String key, UnaryOperator<byte[]> rewrite) throws Exception {
        Agent f = follower();
        long repeats = stat(f, "repeats");
        try (ChangeCounter changes = new ChangeCounter(key)) {
            LossyTransport t = TRANSPORTS.get(f.config().nodeName());
            t.arm((method, request) -> method.equals(Forwarder.METHOD_APPLY) && appliesTxnOn(request, key), rewrite);
            String value = Base64.getEncoder().encodeToString("t".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> r = send(f, "PUT", "/v1/txn",
                    "[{\"KV\": {\"Verb\": \"set\", \"Key\": \"" + key + "\", \"Value\": \"" + value + "\"}}]");
            assertEquals(1, t.lost.get(), "no reply was lost");
            return new TxnOutcome(r.statusCode(), r.body(), changes.settle(), stat(f, "repeats") - repeats);
        }
    }

    // ---------------------------------------------------------------- fault rewrites (control runs)

    /** The forwarded HTTP request without its request id, as forwarding sent it before request ids. */
    private static byte[] stripHttpId(byte[] request) {
        HttpRequest req = RpcCodec.decodeRequest(request);
        Map<String, String> headers = new LinkedHashMap<>(req.headers());
        headers.remove(Forwarder.REQUEST_ID_HEADER);
        String hop = headers.remove(Forwarder.FORWARDED_HEADER);
        return RpcCodec.encodeRequest(new HttpRequest(req.method(), req.path(), req.query(), headers, req.body(),
                req.remote()), hop);
    }

    /** The forwarded apply with the command outside its request id envelope. */
    private static byte[] stripApplyEnvelope(byte[] request) {
        RpcCodec.ApplyRequest a = RpcCodec.decodeApply(request);
        Command c = Command.decode(a.command());
        Command bare = c instanceof Command.Dedup d ? d.command() : c;
        return RpcCodec.encodeApply(new RpcCodec.ApplyRequest(a.mayForward(), bare.encode()));
    }

    private static boolean isHttp(byte[] request, String method, String path) {
        HttpRequest req = RpcCodec.decodeRequest(request);
        return req.method().equals(method) && req.path().equals(path);
    }

    private static boolean appliesTxnOn(byte[] request, String key) {
        Command c = Command.decode(RpcCodec.decodeApply(request).command());
        if (c instanceof Command.Dedup d) {
            c = d.command();
        }
        return c instanceof Command.KvTxn t && t.ops().stream().anyMatch(op -> op.key().equals(key));
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
            assertEquals("true", send(leader(), "PUT", "/v1/kv/" + key, "sentinel").body());
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
    private static final class LossyTransport implements Transport {
        private final Transport inner;
        private volatile BiPredicate<String, byte[]> match;
        private volatile UnaryOperator<byte[]> rewrite = UnaryOperator.identity();
        final AtomicInteger lost = new AtomicInteger();

        LossyTransport(Transport inner) {
            this.inner = inner;
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
                return inner.call(target, method, request, timeout);
            }
            CompletableFuture<byte[]> out = new CompletableFuture<>();
            inner.call(target, method, r.apply(request), timeout).whenComplete((reply, t) -> {
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

        @Override
        public void start() {
            inner.start();
        }

        @Override
        public Endpoint localEndpoint() {
            return inner.localEndpoint();
        }

        @Override
        public void register(String method, RequestHandler handler) {
            inner.register(method, handler);
        }

        @Override
        public void registerStream(String method, StreamHandler handler) {
            inner.registerStream(method, handler);
        }

        @Override
        public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
            return inner.openStream(target, method, timeout);
        }

        @Override
        public int maxMessageBytes() {
            return inner.maxMessageBytes();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
