package io.tribune.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.acl.Authorizer;
import io.tribune.acl.Resource;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.Command;
import io.tribune.state.StateStore;
import io.tribune.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Token resolution on servers (from state) and on client agents (cache, TTL, down policy). */
class AclResolverTest {
    static final String POLICY = "aaaaaaaa-0000-4000-8000-000000000001";
    static final String ACCESSOR = "bbbbbbbb-0000-4000-8000-000000000001";
    static final String SECRET = "cccccccc-0000-4000-8000-000000000001";

    static AclSettings settings(boolean defaultAllow, AclSettings.DownPolicy down, String master, String dflt) {
        return new AclSettings(true, defaultAllow, down, Duration.ofSeconds(30), Duration.ofSeconds(30), false, "",
                master, "", "agent-master-secret", "", dflt);
    }

    static final class StoreHarness {
        final StateStore store = new StateStore(Runnable::run);
        long index;

        void run(Command c) {
            store.apply(++index, 1, c.encode());
        }

        void policy(String rules) {
            run(new Command.AclPolicySet(new AclPolicy(POLICY, "app", "", rules, List.of(), "", 0, 0)));
        }
    }

    private static final Requests NO_REQUESTS = new Requests() {
        @Override
        public <R> CompletableFuture<Response<R>> call(Op<R> op, Options options) {
            throw new AssertionError("a server resolves from its own state");
        }
    };

    @Test
    void agentMasterTokenWritesAgentsAndReadsNodesOnly() {
        // settings(...) names "agent-master-secret" the agent master token; its rights are fixed, not from state.
        AclSettings s = settings(false, AclSettings.DownPolicy.EXTEND_CACHE, "", "");
        AclResolver r = new AclResolver(s, new AgentTokens(s), Optional.of(new StoreHarness().store), NO_REQUESTS,
                new VirtualClock());
        Authorizer a = r.resolve("agent-master-secret").join();
        assertTrue(a.write(Resource.AGENT, "node-1"));
        assertTrue(a.read(Resource.NODE, "node-2"));
        assertFalse(a.write(Resource.NODE, "node-2"));
        assertFalse(a.read(Resource.KEY, "app/x"));
        assertFalse(a.read(Resource.SERVICE, "web"));
        assertFalse(a.aclRead());
        assertSame(a, r.resolve("agent-master-secret").join(), "one authorizer, parsed once");
    }

    @Test
    void serverResolvesFromStateAndSeesPolicyChanges() {
        StoreHarness h = new StoreHarness();
        h.policy("key_prefix \"app/\" { policy = \"write\" }");
        h.run(new Command.AclTokenSet(new AclToken(ACCESSOR, SECRET, "", List.of(POLICY), false, 0, "", "", "", 0, 0)));
        AclResolver r = new AclResolver(settings(false, AclSettings.DownPolicy.EXTEND_CACHE, "master-secret", ""),
                new AgentTokens(settings(false, AclSettings.DownPolicy.EXTEND_CACHE, "", "")), Optional.of(h.store),
                NO_REQUESTS, new VirtualClock());
        Authorizer a = r.resolve(SECRET).join();
        assertTrue(a.write(Resource.KEY, "app/x"));
        assertFalse(a.write(Resource.KEY, "other/x"));
        assertSame(a, r.resolve(SECRET).join(), "cached while the ACL tables do not change");
        h.policy("key_prefix \"app/\" { policy = \"read\" }");
        assertFalse(r.resolve(SECRET).join().write(Resource.KEY, "app/x"), "a policy change applies at once");
        assertTrue(r.resolve("master-secret").join().aclWrite());
        CompletionException e = assertThrows(CompletionException.class, () -> r.resolve("no-such-secret").join());
        AgentException ae = AgentException.of(e);
        assertEquals(AgentException.Kind.PERMISSION_DENIED, ae.kind());
        assertEquals("ACL not found", ae.getMessage());
        // no token: the anonymous token, here missing yet: the default policy alone
        assertFalse(r.resolve("").join().read(Resource.KEY, "app/x"));
        // the agent master token: agent endpoints, also without any server
        assertTrue(r.resolve("agent-master-secret").join().write(Resource.AGENT, "n1"));
        assertFalse(r.resolve("agent-master-secret").join().write(Resource.KEY, "x"));
    }

    @Test
    void serverIdentifiesLegacyTokens() {
        StoreHarness h = new StoreHarness();
        h.run(new Command.AclTokenSet(new AclToken(ACCESSOR, SECRET, "", List.of(), false, 0, "", "client",
                "key \"app/\" { policy = \"write\" }", 0, 0)));
        h.run(new Command.AclTokenSet(new AclToken("m", "mgmt", "", List.of(), false, 0, "", "management", "", 0, 0)));
        AclSettings s = settings(false, AclSettings.DownPolicy.EXTEND_CACHE, "", "");
        AclResolver r = new AclResolver(s, new AgentTokens(s), Optional.of(h.store), NO_REQUESTS, new VirtualClock());
        // legacy "key" rules are prefixes
        assertTrue(r.resolve(SECRET).join().write(Resource.KEY, "app/deep/x"));
        assertTrue(r.resolve("mgmt").join().aclWrite());
        Acl.Identity id = r.identify(SECRET);
        assertEquals(ACCESSOR, id.accessorId());
        assertEquals(List.of("key_prefix \"app/\" {\n  policy = \"write\"\n}\n"), id.rules());
    }

    /** A server that answers {@link Acl.Resolve} with {@code answer}, counting the questions. */
    static final class FakeServer implements Requests {
        Function<String, CompletableFuture<Acl.Identity>> answer;
        final List<String> asked = new ArrayList<>();

        @Override
        @SuppressWarnings("unchecked")
        public <R> CompletableFuture<Response<R>> call(Op<R> op, Options options) {
            Acl.Resolve q = (Acl.Resolve) op;
            asked.add(q.secretId());
            return answer.apply(q.secretId()).thenApply(i -> new Response<>((R) i, Response.Meta.NONE));
        }
    }

    static final Acl.Identity APP = new Acl.Identity(true, ACCESSOR, false,
            List.of("key_prefix \"app/\" { policy = \"write\" }"));

    @Test
    void clientCachesForTheTtlThenAsksAgain() {
        VirtualClock clock = new VirtualClock();
        FakeServer server = new FakeServer();
        server.answer = s -> CompletableFuture.completedFuture(APP);
        AclSettings s = settings(false, AclSettings.DownPolicy.EXTEND_CACHE, "", "");
        AclResolver r = new AclResolver(s, new AgentTokens(s), Optional.empty(), server, clock);
        assertTrue(r.resolve(SECRET).join().write(Resource.KEY, "app/x"));
        clock.advance(Duration.ofSeconds(29));
        r.resolve(SECRET).join();
        assertEquals(1, server.asked.size(), "served from the cache within the TTL");
        clock.advance(Duration.ofSeconds(2));
        r.resolve(SECRET).join();
        assertEquals(2, server.asked.size(), "asked again after the TTL");
    }

    @Test
    void clientKeepsCachedTokensWhileNoServerAnswersWithExtendCache() {
        VirtualClock clock = new VirtualClock();
        FakeServer server = new FakeServer();
        server.answer = s -> CompletableFuture.completedFuture(APP);
        AclSettings s = settings(false, AclSettings.DownPolicy.EXTEND_CACHE, "", "");
        AclResolver r = new AclResolver(s, new AgentTokens(s), Optional.empty(), server, clock);
        r.resolve(SECRET).join();
        server.answer = x -> CompletableFuture.failedFuture(new AgentException(AgentException.Kind.NO_SERVERS,
                "No known Consul servers"));
        clock.advance(Duration.ofMinutes(5));
        assertTrue(r.resolve(SECRET).join().write(Resource.KEY, "app/x"), "the expired answer is kept");
        assertFalse(r.resolve("never-seen").join().read(Resource.KEY, "app/x"), "an unknown token is denied");
        assertEquals(2, r.stats().get("acl_down_policy_uses"));
    }

    @Test
    void downPolicyAllowAndDenyDecideAlone() {
        for (AclSettings.DownPolicy p : List.of(AclSettings.DownPolicy.ALLOW, AclSettings.DownPolicy.DENY)) {
            FakeServer server = new FakeServer();
            server.answer = x -> CompletableFuture.failedFuture(new AgentException(AgentException.Kind.NO_LEADER,
                    "No cluster leader"));
            AclSettings s = settings(false, p, "", "");
            AclResolver r = new AclResolver(s, new AgentTokens(s), Optional.empty(), server, new VirtualClock());
            assertEquals(p == AclSettings.DownPolicy.ALLOW, r.resolve(SECRET).join().write(Resource.KEY, "x"), p.name());
        }
    }

    @Test
    void clientPassesOnARefusalAndForgetsTheToken() {
        FakeServer server = new FakeServer();
        server.answer = x -> CompletableFuture.failedFuture(new AgentException(AgentException.Kind.PERMISSION_DENIED,
                "ACL not found"));
        AclSettings s = settings(false, AclSettings.DownPolicy.EXTEND_CACHE, "", "the-default");
        AclResolver r = new AclResolver(s, new AgentTokens(s), Optional.empty(), server, new VirtualClock());
        CompletionException e = assertThrows(CompletionException.class, () -> r.resolve("").join());
        assertEquals(AgentException.Kind.PERMISSION_DENIED, AgentException.of(e).kind());
        assertEquals(List.of("the-default"), server.asked, "no token: the agent's default token is resolved");
    }

    @Test
    void disabledAclsManageEverythingWithoutLookingAtTokens() {
        AclResolver r = new AclResolver(AclSettings.DISABLED, new AgentTokens(AclSettings.DISABLED), Optional.empty(),
                NO_REQUESTS, new VirtualClock());
        assertTrue(r.resolve("anything").join().aclWrite());
    }
}
