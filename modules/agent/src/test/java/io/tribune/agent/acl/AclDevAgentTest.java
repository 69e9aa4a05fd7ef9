package io.tribune.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.acl.Builtins;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.state.KvEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The ACL system end to end on a dev agent with {@code default_policy = "deny"}, through its request
 * layer (what every front end calls): the bootstrap, policies and tokens, refused writes, filtered
 * listings, ACL management rights.
 */
@Timeout(60)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AclDevAgentTest {
    static Agent agent;
    static String root;
    static String app;

    @BeforeAll
    static void start() throws InterruptedException {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"acl-dev\", "
                + "\"ports\": {\"http\": -1, \"dns\": -1, \"grpc\": -1, \"server\": 18533}, "
                + "\"acl\": {\"enabled\": true, \"default_policy\": \"deny\"}}").getAsJsonObject(), "test").build();
        agent = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(AclDevAgentTest.class
                .getClassLoader()).load()), "embedded");
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!agent.consensus().orElseThrow().isLeader() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.shutdown(false);
        }
    }

    static <R> R call(Op<R> op, String token) throws Exception {
        return agent.requests().call(op, Options.DEFAULT.withToken(token)).get(30, TimeUnit.SECONDS).value();
    }

    static AgentException failure(Op<?> op, String token) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> call(op, token));
        return AgentException.of(e);
    }

    static Kv.Set set(String key) {
        return new Kv.Set(key, new byte[] {1}, 0, OptionalLong.empty());
    }

    @Test
    @Order(1)
    void anonymousWritesAreRefused() {
        AgentException e = failure(set("app/x"), "");
        assertEquals(AgentException.Kind.PERMISSION_DENIED, e.kind());
        assertEquals("Permission denied", e.getMessage());
        assertEquals(AgentException.Kind.PERMISSION_DENIED, failure(set("app/x"), "not-a-token").kind());
        assertEquals("ACL not found", failure(set("app/x"), "not-a-token").getMessage());
    }

    @Test
    @Order(2)
    void bootstrapOnceGivesAManagementToken() throws Exception {
        Acl.TokenInfo t = call(new Acl.Bootstrap(), "");
        root = t.token().secretId();
        assertEquals(List.of(new Acl.PolicyLink(Builtins.GLOBAL_MANAGEMENT_ID, "global-management")), t.policies());
        AgentException again = failure(new Acl.Bootstrap(), "");
        assertEquals(AgentException.Kind.PERMISSION_DENIED, again.kind());
        assertTrue(again.getMessage().startsWith("ACL bootstrap no longer allowed (reset index: "), again.getMessage());
        assertTrue(call(set("other/y"), root));
        assertTrue(call(new AgentOps.Self(), root) != null);
    }

    @Test
    @Order(3)
    void aKeyPrefixTokenWritesAndListsOnlyItsPrefix() throws Exception {
        assertEquals(AgentException.Kind.BAD_REQUEST, failure(new Acl.PolicyWrite("", "bad", "",
                "key_prefix \"app/\" { policy = \"admin\" }", List.of()), root).kind());
        call(new Acl.PolicyWrite("", "app", "", "key_prefix \"app/\" { policy = \"write\" }", List.of()), root);
        Acl.TokenInfo t = call(new Acl.TokenWrite("", "", "app token", List.of(new Acl.PolicyLink("", "app")), false),
                root);
        app = t.token().secretId();
        assertTrue(call(set("app/x"), app));
        assertEquals(AgentException.Kind.PERMISSION_DENIED, failure(set("other/x"), app).kind());
        assertEquals(AgentException.Kind.PERMISSION_DENIED, failure(new Kv.Get("other/y"), app).kind());
        List<KvEntry> listed = call(new Kv.Entries(""), app);
        assertEquals(List.of("app/x"), listed.stream().map(KvEntry::key).toList());
        assertEquals(List.of("app/x", "other/y"), call(new Kv.Entries(""), root).stream().map(KvEntry::key).toList());
        assertEquals(List.of("app/x"), call(new Kv.Keys("", ""), app));
        // reads of other kinds are filtered, not refused
        assertEquals(List.of(), call(new Catalog.Nodes(Map.of()), app));
        // agent endpoints and ACL management need their own rights
        assertEquals(AgentException.Kind.PERMISSION_DENIED, failure(new AgentOps.Self(), app).kind());
        assertEquals(AgentException.Kind.PERMISSION_DENIED, failure(new Acl.TokenList(), app).kind());
        assertEquals("app token", call(new Acl.TokenSelf(app), app).orElseThrow().token().description());
    }

    @Test
    @Order(4)
    void managementSeesEveryTokenAndTheBuiltins() throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Acl.TokenInfo> tokens = call(new Acl.TokenList(), root);
        while (tokens.stream().noneMatch(t -> t.token().accessorId().equals(Builtins.ANONYMOUS_ACCESSOR_ID))
                && System.nanoTime() < end) {
            Thread.sleep(50);
            tokens = call(new Acl.TokenList(), root);
        }
        assertEquals(3, tokens.size(), "anonymous, bootstrap and app tokens");
        assertTrue(call(new Acl.PolicyList(), root).stream().anyMatch(p -> p.name().equals("global-management")));
        assertEquals(AgentException.Kind.BAD_REQUEST, failure(new Acl.PolicyDelete(Builtins.GLOBAL_MANAGEMENT_ID),
                root).kind());
        assertEquals(AgentException.Kind.BAD_REQUEST, failure(new Acl.TokenDelete(Builtins.ANONYMOUS_ACCESSOR_ID),
                root).kind());
    }

    @Test
    @Order(5)
    void deletingThePolicyTakesTheRightsAway() throws Exception {
        String id = call(new Acl.PolicyList(), root).stream().filter(p -> p.name().equals("app")).findFirst()
                .orElseThrow().id();
        assertTrue(call(new Acl.PolicyDelete(id), root));
        assertEquals(AgentException.Kind.PERMISSION_DENIED, failure(set("app/z"), app).kind());
        assertTrue(call(new Acl.TokenSelf(app), app).orElseThrow().policies().isEmpty());
    }

    @Test
    @Order(6)
    void legacyTokensWork() throws Exception {
        String secret = call(new Acl.LegacyWrite("", "legacy", "client", "key \"leg\" { policy = \"write\" }", false),
                root);
        assertTrue(call(set("legacy/x"), secret), "legacy key rules are prefix rules");
        assertEquals(AgentException.Kind.PERMISSION_DENIED, failure(set("app/x"), secret).kind());
        assertEquals("legacy", call(new Acl.LegacyInfo(secret), "").orElseThrow().token().description());
        assertTrue(call(new Acl.LegacyDestroy(secret), root));
        assertEquals(AgentException.Kind.PERMISSION_DENIED, failure(set("legacy/x"), secret).kind());
    }
}
