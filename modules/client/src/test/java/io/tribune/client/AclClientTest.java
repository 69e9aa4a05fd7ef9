package io.tribune.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.Options;
import io.tribune.api.grpc.v1.KvEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's token option against an agent with {@code default_policy = "deny"}: calls without a
 * token fail with {@code PERMISSION_DENIED}, the master token may do everything, and a token with
 * {@code key_prefix "app/" write} writes and lists only {@code app/}, as through HTTP.
 */
@Timeout(60)
class AclClientTest {
    private static final String ROOT = "root-secret-of-the-grpc-test";
    static DevAgentFixture dev;
    static String app;

    @BeforeAll
    static void start() throws Exception {
        dev = new DevAgentFixture("acl-grpc", 18481, ", \"acl\": {\"enabled\": true, \"default_policy\": \"deny\", "
                + "\"tokens\": {\"master\": \"" + ROOT + "\"}}");
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!dev.agent.consensus().orElseThrow().isLeader() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        Options root = Options.DEFAULT.withToken(ROOT);
        dev.agent.requests().call(new Acl.PolicyWrite("", "app", "", "key_prefix \"app/\" { policy = \"write\" }",
                List.of()), root).get(30, TimeUnit.SECONDS);
        app = dev.agent.requests().call(new Acl.TokenWrite("", "", "app", List.of(new Acl.PolicyLink("", "app")),
                false), root).get(30, TimeUnit.SECONDS).value().token().secretId();
    }

    @AfterAll
    static void stop() {
        if (dev != null) {
            dev.close();
        }
    }

    private static TribuneClient client(String token) {
        return TribuneClient.builder().target(dev.target).token(token).build();
    }

    private static byte[] v(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void withoutATokenWritesArePermissionDenied() {
        try (TribuneClient c = dev.client()) {
            TribuneException e = assertThrows(TribuneException.class, () -> c.kv().put("app/anon", v("x")));
            assertEquals(Status.Code.PERMISSION_DENIED, e.code());
        }
        try (TribuneClient c = client("not-a-token")) {
            assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(TribuneException.class,
                    () -> c.kv().put("app/anon", v("x"))).code());
        }
    }

    @Test
    void appTokenWritesAndListsOnlyApp() {
        try (TribuneClient root = client(ROOT); TribuneClient c = client(app)) {
            assertTrue(root.kv().put("other/g", v("x")) > 0);
            assertTrue(c.kv().put("app/g", v("x")) > 0);
            assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(TribuneException.class,
                    () -> c.kv().put("other/h", v("x"))).code());
            List<String> keys = c.kv().list("").stream().map(KvEntry::getKey).toList();
            assertTrue(keys.contains("app/g"), keys.toString());
            assertTrue(keys.stream().allMatch(k -> k.startsWith("app/")), keys.toString());
            assertTrue(root.kv().list("").stream().map(KvEntry::getKey).toList().contains("other/g"));
        }
    }

    @Test
    void badTokensAreRefusedByTheBuilder() {
        assertThrows(IllegalArgumentException.class, () -> TribuneClient.builder().token("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> TribuneClient.builder().token("x".repeat(513)));
    }
}
