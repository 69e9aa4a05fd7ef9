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
import io.tribune.api.membership.Keyring;
import io.tribune.api.membership.MemberAnswer;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import io.tribune.api.membership.QueryResult;
import io.tribune.testkit.ForwardingMembership;
import io.tribune.testkit.Poll;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ClusterKeyring} over real gossip-swim members on 127.0.0.1 with gossip encryption, their
 * real keyrings and membership queries: one agent's operation reaches every member, the answers
 * add up as Consul reports them, members that fail are named, and {@code use}/{@code remove}
 * change nothing anywhere unless every member can take them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterKeyringTest {
    private static final String K1 = key(16, 1);
    private static final String K2 = key(32, 2);
    private static final String K3 = key(24, 3);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    /** The real gossip-swim plugin, found as the agent finds it. */
    private static final MembershipFactory SWIM = new ServiceLoaderPluginSource(ClusterKeyringTest.class
            .getClassLoader()).load().stream().flatMap(p -> p.plugin().membershipFactories().stream())
            .filter(f -> f.name().equals("gossip-swim")).findFirst().orElseThrow();

    private final RealScheduler scheduler = new RealScheduler("cluster-keyring-test");
    private final Map<String, Membership> members = new LinkedHashMap<>();
    private final Map<String, ClusterKeyring> keyrings = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        keyrings.values().forEach(ClusterKeyring::close);
        members.values().forEach(Membership::close);
        scheduler.close();
    }

    private static String key(int bytes, int fill) {
        byte[] b = new byte[bytes];
        java.util.Arrays.fill(b, (byte) fill);
        return Base64.getEncoder().encodeToString(b);
    }

    /** {@code names.length} encrypted gossip-swim members (primary key K1) in one pool, each with its keyring handler. */
    private ClusterKeyring pool(String... names) throws Exception {
        for (String name : names) {
            Membership m = SWIM.create(new MembershipSetup(name, Pool.LAN, "127.0.0.1", 0, null, Map.of()),
                    PluginConfig.of(Map.of("gossip-swim.profile", "local", "gossip-swim.encrypt", K1)),
                    TestContext.builder(name).clock(scheduler).scheduler(scheduler).build());
            ClusterKeyring k = new ClusterKeyring(m, TIMEOUT, scheduler);
            k.start();
            m.start();
            members.put(name, m);
            keyrings.put(name, k);
        }
        Membership first = members.get(names[0]);
        for (String name : names) {
            if (!name.equals(names[0])) {
                members.get(name).join(List.of("127.0.0.1:" + first.localMember().port())).get(10, TimeUnit.SECONDS);
            }
        }
        assertTrue(Poll.until(Duration.ofSeconds(20), () -> members.values().stream().allMatch(m -> m.members()
                .stream().filter(x -> x.status() == MemberStatus.ALIVE).count() == names.length)),
                "the pool never converged");
        return keyrings.get(names[0]);
    }

    private Keyring ring(String name) {
        return members.get(name).keyring().orElseThrow();
    }

    private static KeyringResult run(ClusterKeyring via, KeyringVerb op, String key) throws Exception {
        return via.onEveryMember(new KeyringRequest(op, key)).get(20, TimeUnit.SECONDS);
    }

    @Test
    void aListingCountsKeysAndPrimariesOfEveryMember() throws Exception {
        ClusterKeyring a = pool("a", "b", "c", "d");
        for (String n : List.of("a", "b", "c", "d")) {
            ring(n).install(K2);
        }
        ring("b").use(K2);
        ring("c").install(K3);

        KeyringResult p = run(a, KeyringVerb.LIST, "");
        assertTrue(p.ok(), p.failureReport());
        assertEquals(4, p.numNodes());
        assertEquals(Map.of(K1, 4, K2, 4, K3, 1), p.keys());
        assertEquals(Map.of(K1, 3, K2, 1), p.primaryKeys());
        assertEquals(Map.of(), p.messages());
        assertEquals(Optional.empty(), p.error());
    }

    @Test
    void aRotationReachesEveryMemberAndCanBeRepeated() throws Exception {
        ClusterKeyring a = pool("a", "b", "c");
        KeyringResult installed = run(a, KeyringVerb.INSTALL, K2);
        assertTrue(installed.ok(), installed.failureReport());
        assertEquals(Map.of(K1, 3, K2, 3), installed.keys());
        // Through another member: any agent can take the request.
        KeyringResult used = run(keyrings.get("c"), KeyringVerb.USE, K2);
        assertTrue(used.ok(), used.failureReport());
        assertEquals(Map.of(K2, 3), used.primaryKeys());
        members.keySet().forEach(n -> assertEquals(K2, ring(n).primaryKey(), n));
        assertTrue(run(a, KeyringVerb.REMOVE, K1).ok());
        members.keySet().forEach(n -> assertEquals(List.of(K2), ring(n).keys(), n));
        // Already gone everywhere: the goal holds, so a repeat succeeds.
        assertTrue(run(a, KeyringVerb.REMOVE, K1).ok());
        // Gossip still flows with the new key: the pool still answers whole.
        assertEquals(3, run(a, KeyringVerb.LIST, "").numNodes());
    }

    @Test
    void aUseGoesAheadOnlyWhenEveryMemberHoldsTheKey() throws Exception {
        ClusterKeyring a = pool("a", "b", "c");
        ring("a").install(K3);
        ring("b").install(K3);

        KeyringResult refused = run(a, KeyringVerb.USE, K3);
        assertTrue(refused.checkOnly());
        assertTrue(refused.refusedUnchanged());
        assertEquals(Map.of("c", "does not hold the key: install it there first"), refused.messages());
        assertTrue(refused.failureReport().startsWith("1/3 nodes reported failure (nothing was changed)\n  c: "),
                refused.failureReport());
        members.keySet().forEach(n -> assertEquals(K1, ring(n).primaryKey(), "a primary changed on " + n));
    }

    @Test
    void aRemoveGoesAheadOnlyWhenNoMemberEncryptsWithTheKey() throws Exception {
        ClusterKeyring a = pool("a", "b", "c");
        assertTrue(run(a, KeyringVerb.INSTALL, K2).ok());
        ring("b").use(K2);

        KeyringResult refused = run(a, KeyringVerb.REMOVE, K2);
        assertTrue(refused.refusedUnchanged());
        assertEquals(List.of("b"), new ArrayList<>(refused.messages().keySet()));
        assertTrue(refused.messages().get("b").contains("primary"), refused.messages().toString());
        members.keySet().forEach(n -> assertTrue(ring(n).keys().contains(K2), "K2 was removed from " + n));
        // The primary itself is refused everywhere, and stays.
        ring("b").use(K1);
        KeyringResult primary = run(a, KeyringVerb.REMOVE, K1);
        assertEquals(3, primary.refused());
        members.keySet().forEach(n -> assertEquals(K1, ring(n).primaryKey()));
    }

    @Test
    void aMemberWithoutTheHandlerIsNamedAndBlocksAUse() throws Exception {
        ClusterKeyring a = pool("a", "b", "c");
        assertTrue(run(a, KeyringVerb.INSTALL, K2).ok());
        // An agent that answers no keyring queries (another version, or shutting down).
        keyrings.get("c").close();

        KeyringResult install = run(a, KeyringVerb.INSTALL, K3);
        assertEquals(1, install.noAnswer());
        assertTrue(install.messages().get("c").contains(ClusterKeyring.QUERY), install.messages().toString());
        assertFalse(install.refusedUnchanged(), "others changed: not a plain refusal");

        KeyringResult use = run(a, KeyringVerb.USE, K2);
        assertTrue(use.checkOnly());
        assertEquals(1, use.noAnswer());
        assertFalse(use.refusedUnchanged(), "an unanswered member is not a refusal");
        members.keySet().forEach(n -> assertEquals(K1, ring(n).primaryKey()));
    }

    @Test
    void malformedRequestsAndRefusedKeysChangeNothing() throws Exception {
        ClusterKeyring a = pool("a", "b");
        MemberQueries q = members.get("a").queries().orElseThrow();
        // Protobuf KeyringRequest {verb = 1 (varint), key = 2 (bytes)}: truncated, an unknown verb, an
        // INSTALL without a key, a LIST with one, an invalid tag.
        List<byte[]> bad = List.of(new byte[] {0x12, 0x05, 'x'}, new byte[] {0x08, 0x07}, new byte[] {0x08, 0x01},
                new byte[] {0x08, 0x00, 0x12, 0x01, 'k'}, new byte[] {(byte) 0xFF});
        for (byte[] request : bad) {
            QueryResult r = q.query(ClusterKeyring.QUERY, request, TIMEOUT).get(10, TimeUnit.SECONDS);
            assertEquals(2, r.count(MemberAnswer.Outcome.ANSWERED), r.toString());
            for (MemberAnswer answer : r.answers().values()) {
                KeyringReply.Refused refused = assertInstanceOf(KeyringReply.Refused.class,
                        ClusterKeyring.decodeReply(answer.answer()));
                assertTrue(refused.message().startsWith("bad keyring request"), refused.message());
            }
        }
        // Well-formed, but the key is no AES key: every member's keyring refuses it.
        KeyringResult p = run(a, KeyringVerb.INSTALL, "bm90IGEga2V5");
        assertTrue(p.refusedUnchanged());
        assertEquals(2, p.refused());
        members.keySet().forEach(n -> assertEquals(List.of(K1), ring(n).keys()));
    }

    @Test
    void onThisAgentIsAPoolOfOne() throws Exception {
        ClusterKeyring a = pool("a", "b");
        KeyringResult p = a.onThisAgent(new KeyringRequest(KeyringVerb.INSTALL, K3));
        assertTrue(p.ok());
        assertEquals(1, p.numNodes());
        assertEquals(List.of(K1, K3), ring("a").keys());
        assertEquals(List.of(K1), ring("b").keys());
        KeyringResult refused = a.onThisAgent(new KeyringRequest(KeyringVerb.USE, K2));
        assertTrue(refused.refusedUnchanged());
        assertEquals(Optional.of("1/1 nodes reported failure"), refused.error());
    }

    @Test
    void aMembershipWithoutQueriesChangesThisAgentOnlyAndSaysSo() throws Exception {
        pool("a", "b");
        ClusterKeyring alone = new ClusterKeyring(new WithoutQueries(members.get("a")), TIMEOUT, scheduler);
        alone.start();
        KeyringResult p = run(alone, KeyringVerb.INSTALL, K3);
        assertEquals(2, p.numNodes());
        assertEquals(1, p.noAnswer());
        assertTrue(p.messages().get("b").contains("no queries"), p.messages().toString());
        assertEquals(List.of(K1, K3), ring("a").keys());
        assertEquals(List.of(K1), ring("b").keys());
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

    /** A real membership seen through a plugin that offers no queries (SPI before 1.2). */
    private static final class WithoutQueries extends ForwardingMembership {
        WithoutQueries(Membership m) {
            super(m);
        }

        @Override
        public Optional<MemberQueries> queries() {
            return Optional.empty();
        }

        @Override
        public void close() {
            // The test closes the real membership.
        }
    }
}
