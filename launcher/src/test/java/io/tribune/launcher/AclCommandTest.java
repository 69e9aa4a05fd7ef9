package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tribune acl ...} against an in-process dev agent with {@code default_policy = "deny"}: the
 * bootstrap, every policy and token command, {@code set-agent-token}, and {@code -token} on each;
 * a command without a token the agent accepts exits 1 with the agent's 403.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AclCommandTest {
    static Agent agent;

    @BeforeAll
    static void start() throws InterruptedException {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"acl-cli\", "
                + "\"ports\": {\"http\": 0, \"dns\": -1, \"grpc\": -1, \"server\": 18497}, "
                + "\"acl\": {\"enabled\": true, \"default_policy\": \"deny\"}}").getAsJsonObject(), "test").build();
        agent = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(AclCommandTest.class.getClassLoader())
                .load()), "embedded");
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

    private record Run(int exit, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("-http-addr");
        all.add("127.0.0.1:" + agent.httpAddress().orElseThrow().getPort());
        int exit = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run ok(String... args) {
        Run r = cli(args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err() + r.out());
        return r;
    }

    private static String field(String out, String name) {
        Matcher m = Pattern.compile(name + ":\\s+(\\S+)").matcher(out);
        assertTrue(m.find(), name + " in:\n" + out);
        return m.group(1);
    }

    @Test
    void everyAclCommandWithItsToken(@TempDir Path dir) throws Exception {
        Run boot = ok("acl", "bootstrap");
        String root = field(boot.out(), "SecretID");
        assertTrue(boot.out().contains("global-management"), boot.out());
        Run again = cli("acl", "bootstrap");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("403"), again.err());

        Path rules = dir.resolve("app.hcl");
        Files.writeString(rules, "key_prefix \"app/\" {\n  policy = \"write\"\n}\n", StandardCharsets.UTF_8);
        Run denied = cli("acl", "policy", "create", "-name", "app", "-rules", "@" + rules);
        assertEquals(1, denied.exit(), "no token: refused");
        assertTrue(denied.err().contains("Permission denied"), denied.err());
        Run policy = ok("acl", "policy", "create", "-name", "app", "-description", "apps", "-rules", "@" + rules,
                "-token", root);
        String policyId = field(policy.out(), "ID");
        assertTrue(ok("acl", "policy", "list", "-token", root).out().contains("app:"));
        assertTrue(ok("acl", "policy", "read", "-name", "app", "-token", root).out().contains("key_prefix \"app/\""));
        assertTrue(ok("acl", "policy", "update", "-id", policyId, "-description", "all apps", "-token", root).out()
                .contains("Description:  all apps"));

        Run token = ok("acl", "token", "create", "-description", "app token", "-policy-name", "app", "-token", root);
        String accessor = field(token.out(), "AccessorID");
        String secret = field(token.out(), "SecretID");
        assertTrue(token.out().contains(policyId + " - app"), token.out());
        assertTrue(ok("acl", "token", "read", "-self", "-token", secret).out().contains("app token"));
        assertTrue(ok("acl", "token", "read", "-id", accessor, "-token", root).out().contains("app token"));
        assertTrue(ok("acl", "token", "update", "-id", accessor, "-description", "renamed", "-token", root).out()
                .contains("Description:  renamed"));
        String clone = field(ok("acl", "token", "clone", "-id", accessor, "-description", "copy", "-token", root).out(),
                "AccessorID");
        assertTrue(ok("acl", "token", "list", "-token", root).out().contains(clone));
        ok("acl", "token", "delete", "-id", clone, "-token", root);
        assertTrue(!ok("acl", "token", "list", "-token", root).out().contains(clone));

        // The token works for the KV commands too, and only under app/.
        ok("kv", "put", "-token", secret, "app/x", "v");
        assertEquals(1, cli("kv", "put", "-token", secret, "other/x", "v").exit());

        ok("acl", "set-agent-token", "-token", root, "default", secret);
        ok("kv", "put", "app/y", "v");
        ok("acl", "policy", "delete", "-id", policyId, "-token", root);
        assertEquals(1, cli("kv", "put", "-token", secret, "app/z", "v").exit());
    }
}
