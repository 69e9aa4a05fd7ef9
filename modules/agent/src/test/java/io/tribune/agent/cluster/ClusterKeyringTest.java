package io.tribune.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.cluster.ClusterKeyring.KeyringReply;
import io.tribune.agent.cluster.ClusterKeyring.KeyringRequest;
import io.tribune.agent.cluster.ClusterKeyring.MemberResult;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.agent.rpc.Operator.KeyringVerb;
import io.tribune.api.PluginConfig;
import io.tribune.api.Subscription;
import io.tribune.api.membership.Keyring;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ClusterKeyring} over real in-process transports: one agent's operation reaches every
 * member of a scripted pool, the answers add up as Consul reports them, members that fail are
 * named, and {@code use}/{@code remove} change nothing anywhere unless every member can take them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClusterKeyringTest {
    private static final AtomicInteger HUBS = new AtomicInteger();
    private static final String K1 = key(16, 1);
    private static final String K2 = key(32, 2);
    private static final String K3 = key(24, 3);
    /** The real in-process transport plugin, found as the agent finds it. */
    private static final TransportFactory INPROC = new ServiceLoaderPluginSource(ClusterKeyringTest.class
            .getClassLoader()).load().stream().flatMap(p -> p.plugin().transportFactories().stream())
            .filter(f -> f.name().equals("transport-inproc")).findFirst().orElseThrow();

    private final RealScheduler scheduler = new RealScheduler("cluster-keyring-test");
    private final String hub = "cluster-keyring-" + HUBS.incrementAndGet();
    /** The pool as every member sees it (gossip converged). */
    private final List<Member> pool = new CopyOnWriteArrayList<>();
    private final Map<String, Transport> transports = new LinkedHashMap<>();
    private final Map<String, ListKeyring> keyrings = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        transports.values().forEach(Transport::close);
        scheduler.close();
    }

    private static String key(int bytes, int fill) {
        byte[] b = new byte[bytes];
        java.util.Arrays.fill(b, (byte) fill);
        return Base64.getEncoder().encodeToString(b);
    }

    /** A member with a started transport serving {@code tribune.rpc.keyring}; a null keyring means none. */
    private ClusterKeyring member(String name, ListKeyring keyring) {
        Transport t = INPROC.create(TransportSetup.plain(new Endpoint("127.0.0.1", 0)),
                PluginConfig.of(Map.of("transport-inproc.hub", hub)),
                TestContext.builder(name).clock(scheduler).scheduler(scheduler).build());
        t.start();
        transports.put(name, t);
        if (keyring != null) {
            keyrings.put(name, keyring);
        }
        pool.add(new Member(name, "127.0.0.1", 7000 + pool.size(),
                Map.of(ServerTags.PORT, Integer.toString(t.localEndpoint().port())), MemberStatus.ALIVE, 1));
        ClusterKeyring k = new ClusterKeyring(new View(name, keyring), t, Duration.ofSeconds(5), scheduler);
        k.start();
        return k;
    }

    private void setStatus(String name, MemberStatus status) {
        for (int i = 0; i < pool.size(); i++) {
            Member m = pool.get(i);
            if (m.name().equals(name)) {
                pool.set(i, new Member(m.name(), m.host(), m.port(), m.tags(), status, m.incarnation() + 1));
            }
        }
    }

    private static KeyringResult run(ClusterKeyring via, KeyringVerb op, String key) throws Exception {
        return via.onEveryMember(new KeyringRequest(op, key)).get(20, TimeUnit.SECONDS);
    }

    @Test
    void aListingCountsKeysAndPrimariesOverMoreMembersThanAreCalledAtOnce() throws Exception {
        int n = ClusterKeyring.MAX_IN_FLIGHT + 8;
        ClusterKeyring first = null;
        for (int i = 0; i < n; i++) {
            ListKeyring k = new ListKeyring(K1);
            if (i < 10) {
                k.install(K2);
            }
            if (i < 4) {
                k.use(K2);
            }
            ClusterKeyring c = member(String.format("n%02d", i), k);
            first = first == null ? c : first;
        }
        // Failed and left members are not asked and not counted.
        pool.add(new Member("failed", "127.0.0.1", 1, Map.of(ServerTags.PORT, "1"), MemberStatus.FAILED, 3));
        pool.add(new Member("gone", "127.0.0.1", 2, Map.of(ServerTags.PORT, "2"), MemberStatus.LEFT, 3));

        KeyringResult p = run(first, KeyringVerb.LIST, "");
        assertTrue(p.ok(), p.failureReport());
        assertEquals(n, p.numNodes());
        assertEquals(Map.of(K1, n, K2, 10), p.keys());
        assertEquals(Map.of(K1, n - 4, K2, 4), p.primaryKeys());
        assertEquals(Map.of(), p.messages());
        assertEquals(Optional.empty(), p.error());
    }

    @Test
    void anInstallReachesEveryAnsweringMemberAndNamesTheOnesThatFailed() throws Exception {
        ClusterKeyring a = member("a", new ListKeyring(K1));
        member("b", new ListKeyring(K1));
        member("d-no-keyring", null);
        member("e-stopped", new ListKeyring(K1));
        member("g-suspect", new ListKeyring(K1));
        setStatus("g-suspect", MemberStatus.SUSPECT);
        transports.get("e-stopped").close();
        pool.add(new Member("f-no-port", "127.0.0.1", 9, Map.of(), MemberStatus.ALIVE, 1));

        KeyringResult p = run(a, KeyringVerb.INSTALL, K2);
        assertEquals(6, p.numNodes());
        assertEquals(3, p.numErr());
        assertEquals(1, p.refused());
        assertEquals(2, p.noAnswer());
        assertEquals(Optional.of("3/6 nodes reported failure"), p.error());
        assertEquals(List.of("d-no-keyring", "e-stopped", "f-no-port"), new ArrayList<>(p.messages().keySet()));
        assertTrue(p.messages().get("d-no-keyring").contains("not enabled"), p.messages().toString());
        assertTrue(p.messages().get("e-stopped").contains("UNAVAILABLE"), p.messages().toString());
        assertTrue(p.messages().get("f-no-port").contains("port"), p.messages().toString());
        // The members that answered hold the key, the suspect one included; the stopped one does not.
        assertEquals(Map.of(K1, 3, K2, 3), p.keys());
        for (String n : List.of("a", "b", "g-suspect")) {
            assertEquals(List.of(K1, K2), keyrings.get(n).keys(), n);
        }
        assertEquals(List.of(K1), keyrings.get("e-stopped").keys());
        assertFalse(p.refusedUnchanged(), "members changed: the failure is not a plain refusal");
        String report = p.failureReport();
        assertTrue(report.startsWith("3/6 nodes reported failure\n  d-no-keyring: "), report);
        assertEquals(4, report.lines().count(), report);
    }

    @Test
    void aUseGoesAheadOnlyWhenEveryMemberHoldsTheKey() throws Exception {
        ClusterKeyring a = member("a", new ListKeyring(K1, K2));
        member("b", new ListKeyring(K1, K2));
        member("c", new ListKeyring(K1));

        KeyringResult refused = run(a, KeyringVerb.USE, K2);
        assertTrue(refused.checkOnly());
        assertTrue(refused.refusedUnchanged());
        assertEquals(Map.of("c", "does not hold the key: install it there first"), refused.messages());
        assertTrue(refused.failureReport().startsWith("1/3 nodes reported failure (nothing was changed)\n  c: "),
                refused.failureReport());
        keyrings.values().forEach(k -> assertEquals(K1, k.primaryKey(), "a primary changed: " + k.keys()));

        keyrings.get("c").install(K2);
        KeyringResult used = run(a, KeyringVerb.USE, K2);
        assertTrue(used.ok(), used.failureReport());
        assertEquals(Map.of(K2, 3), used.primaryKeys());
        keyrings.values().forEach(k -> assertEquals(K2, k.primaryKey()));
    }

    @Test
    void aRemoveGoesAheadOnlyWhenNoMemberEncryptsWithTheKeyAndCanBeRepeated() throws Exception {
        ClusterKeyring a = member("a", new ListKeyring(K1, K2));
        member("b", new ListKeyring(K1, K2));
        member("c", new ListKeyring(K1, K2));
        keyrings.get("b").use(K2);

        KeyringResult refused = run(a, KeyringVerb.REMOVE, K2);
        assertTrue(refused.refusedUnchanged());
        assertEquals(List.of("b"), new ArrayList<>(refused.messages().keySet()));
        assertTrue(refused.messages().get("b").contains("primary"), refused.messages().toString());
        keyrings.values().forEach(k -> assertTrue(k.keys().contains(K2), "K2 was removed from " + k.keys()));

        keyrings.get("b").use(K1);
        assertTrue(run(a, KeyringVerb.REMOVE, K2).ok());
        keyrings.values().forEach(k -> assertEquals(List.of(K1), k.keys()));
        // Already gone everywhere: the goal holds, so a repeat succeeds.
        assertTrue(run(a, KeyringVerb.REMOVE, K2).ok());
        // The primary itself is refused everywhere, and stays.
        KeyringResult primary = run(a, KeyringVerb.REMOVE, K1);
        assertEquals(3, primary.refused());
        keyrings.values().forEach(k -> assertEquals(List.of(K1), k.keys()));
    }

    @Test
    void aMemberThatDoesNotAnswerBlocksAUseAndNothingChanges() throws Exception {
        ClusterKeyring a = member("a", new ListKeyring(K1, K2));
        member("b", new ListKeyring(K1, K2));
        member("c", new ListKeyring(K1, K2));
        transports.get("c").close();

        KeyringResult p = run(a, KeyringVerb.USE, K2);
        assertTrue(p.checkOnly());
        assertEquals(1, p.noAnswer());
        assertFalse(p.refusedUnchanged(), "an unanswered member is not a refusal");
        assertTrue(p.messages().containsKey("c"), p.messages().toString());
        keyrings.values().forEach(k -> assertEquals(K1, k.primaryKey()));
    }

    @Test
    void malformedRequestsAndRefusedKeysChangeNothing() throws Exception {
        ClusterKeyring a = member("a", new ListKeyring(K1));
        member("b", new ListKeyring(K1, K2));
        Endpoint b = transports.get("b").localEndpoint();
        // Protobuf KeyringRequest {verb = 1 (varint), key = 2 (bytes)}: truncated, an unknown verb, an
        // INSTALL without a key, a LIST with one, an invalid tag.
        List<byte[]> bad = List.of(new byte[] {0x12, 0x05, 'x'}, new byte[] {0x08, 0x07}, new byte[] {0x08, 0x01},
                new byte[] {0x08, 0x00, 0x12, 0x01, 'k'}, new byte[] {(byte) 0xFF});
        for (byte[] request : bad) {
            byte[] answer = transports.get("a").call(b, ClusterKeyring.METHOD, request, Duration.ofSeconds(5))
                    .get(10, TimeUnit.SECONDS);
            KeyringReply.Refused r = assertInstanceOf(KeyringReply.Refused.class, ClusterKeyring.decodeReply(answer));
            assertTrue(r.message().startsWith("bad keyring request"), r.message());
        }
        // Well-formed, but the key is no AES key: the member's keyring refuses it.
        KeyringResult p = run(a, KeyringVerb.INSTALL, "bm90IGEga2V5");
        assertTrue(p.refusedUnchanged());
        assertEquals(2, p.refused());
        assertEquals(List.of(K1, K2), keyrings.get("b").keys());
        assertEquals(List.of(K1), keyrings.get("a").keys());
    }

    @Test
    void onThisAgentIsAPoolOfOne() {
        ClusterKeyring a = member("a", new ListKeyring(K1));
        member("b", new ListKeyring(K1));
        KeyringResult p = a.onThisAgent(new KeyringRequest(KeyringVerb.INSTALL, K3));
        assertTrue(p.ok());
        assertEquals(1, p.numNodes());
        assertEquals(List.of(K1, K3), keyrings.get("a").keys());
        assertEquals(List.of(K1), keyrings.get("b").keys());
        KeyringResult refused = a.onThisAgent(new KeyringRequest(KeyringVerb.USE, K2));
        assertTrue(refused.refusedUnchanged());
        assertEquals(Optional.of("1/1 nodes reported failure"), refused.error());
    }

    @Test
    void aReportNamesAtMostSoManyMembers() {
        List<MemberResult> results = new ArrayList<>();
        int failed = ClusterKeyring.MAX_REPORTED_FAILURES + 4;
        for (int i = 0; i < failed; i++) {
            results.add(MemberResult.noAnswer(String.format("m%02d", i), "DEADLINE_EXCEEDED"));
        }
        results.add(MemberResult.of("ok", new KeyringReply.Keys(List.of(K2, K1, K2))));
        KeyringResult p = KeyringResult.of(results, false);
        assertEquals(failed + 1, p.numNodes());
        assertEquals(Map.of(K1, 1, K2, 1), p.keys(), "a key listed twice by one member counts it once");
        List<String> lines = p.failureReport().lines().toList();
        assertEquals(failed + "/" + (failed + 1) + " nodes reported failure", lines.get(0));
        assertEquals(ClusterKeyring.MAX_REPORTED_FAILURES + 2, lines.size(), p.failureReport());
        assertEquals("  ... and 4 more", lines.get(lines.size() - 1));
    }

    /** A keyring per the {@link Keyring} contract: keys in order, primary first. */
    private static final class ListKeyring implements Keyring {
        private final List<String> keys = new ArrayList<>();

        ListKeyring(String primary, String... others) {
            keys.add(primary);
            keys.addAll(List.of(others));
        }

        @Override
        public synchronized List<String> keys() {
            return List.copyOf(keys);
        }

        @Override
        public synchronized String primaryKey() {
            return keys.get(0);
        }

        @Override
        public synchronized void install(String key) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(key);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key is not base64");
            }
            if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
                throw new IllegalArgumentException("key must be 16, 24 or 32 bytes");
            }
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }

        @Override
        public synchronized void use(String key) {
            if (!keys.remove(key)) {
                throw new IllegalArgumentException("key is not installed");
            }
            keys.add(0, key);
        }

        @Override
        public synchronized void remove(String key) {
            if (!keys.contains(key)) {
                throw new IllegalArgumentException("key is not installed");
            }
            if (keys.get(0).equals(key)) {
                throw new IllegalArgumentException("cannot remove the primary key");
            }
            keys.remove(key);
        }
    }

    /** One member's view of the shared pool. */
    private final class View implements Membership {
        private final String name;
        private final Keyring keyring;

        View(String name, Keyring keyring) {
            this.name = name;
            this.keyring = keyring;
        }

        @Override
        public Optional<Keyring> keyring() {
            return Optional.ofNullable(keyring);
        }

        @Override
        public Member localMember() {
            return pool.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
        }

        @Override
        public List<Member> members() {
            return List.copyOf(pool);
        }

        @Override
        public void start() {
        }

        @Override
        public java.util.concurrent.CompletableFuture<Integer> join(List<String> seeds) {
            throw new UnsupportedOperationException("not used by the keyring");
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> leave(Duration timeout) {
            throw new UnsupportedOperationException("not used by the keyring");
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> forceLeave(String node, boolean prune) {
            throw new UnsupportedOperationException("not used by the keyring");
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> updateTags(Map<String, String> tags) {
            throw new UnsupportedOperationException("not used by the keyring");
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> broadcast(String event, byte[] payload, boolean coalesce) {
            throw new UnsupportedOperationException("not used by the keyring");
        }

        @Override
        public Subscription subscribe(MembershipListener listener) {
            throw new UnsupportedOperationException("not used by the keyring");
        }

        @Override
        public void close() {
        }
    }
}
