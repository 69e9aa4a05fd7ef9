package io.tribune.launcher;

import io.tribune.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.api.membership.MemberStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tribune keyring} against two in-process client agents that gossip with a shared key: the
 * listing shows each key with the number of members holding it, a write reaches both members, and
 * a member that does not answer makes the command fail (exit 1) naming it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeyringCommandTest {
    private static final String K1 = key(16, 1);
    private static final String K2 = key(32, 2);
    private static final String K3 = key(24, 3);
    private final List<Agent> agents = new ArrayList<>();
    @TempDir
    Path dir;

    private static String key(int bytes, int fill) {
        byte[] b = new byte[bytes];
        Arrays.fill(b, (byte) fill);
        return Base64.getEncoder().encodeToString(b);
    }

    @AfterEach
    void stop() {
        agents.forEach(a -> a.shutdown(false));
    }

    private Agent start(String node) {
        String json = "{\"node_name\": \"" + node + "\", \"datacenter\": \"dc1\", \"server\": false,"
                + " \"data_dir\": \"" + dir.resolve(node).toString().replace("\\", "/") + "\","
                + " \"bind_addr\": \"127.0.0.1\","
                + " \"advertise_addr\": \"127.0.0.1\", \"ports\": {\"http\": 0, \"server\": 0, \"serf_lan\": 0,"
                + " \"serf_wan\": -1, \"dns\": -1, \"grpc\": -1},"
                + " \"plugins\": {\"transport\": \"transport-inproc\", \"membership\": \"gossip-swim\"},"
                + " \"plugin_config\": {\"transport-inproc.hub\": \"keyring-cli-test\","
                + " \"gossip-swim.profile\": \"local\","
                + " \"gossip-swim.encrypt\": \"" + K1 + "\"}}";
        var cfg = new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), node).build();
        Agent a = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(getClass().getClassLoader()).load()),
                "embedded");
        agents.add(a);
        return a;
    }

    /** Exit code, standard output and standard error of one command. */
    private record Run(int exit, String out, String err) {
    }

    private static Run cli(Agent via, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("-http-addr");
        all.add("127.0.0.1:" + via.httpAddress().orElseThrow().getPort());
        int exit = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theCommandShowsCountsOverEveryMemberAndFailsNamingAMemberThatDoesNotTakePart() throws Exception {
        Agent a = start("kc-1");
        Agent b = start("kc-2");
        b.membership().join(List.of("127.0.0.1:" + a.membership().localMember().port())).get(10, TimeUnit.SECONDS);
        assertTrue(waitFor(() -> List.of(a, b).stream().allMatch(x -> x.membership().members().stream()
                .filter(m -> m.status() == MemberStatus.ALIVE).count() == 2)), "the agents did not see each other");

        Run list = cli(a, "keyring", "-list");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("dc1 (LAN):\n  " + K1 + " [2/2]"), list.out());

        Run install = cli(a, "keyring", "-install", K2);
        assertEquals(0, install.exit(), install.err());
        assertEquals(List.of(K1, K2), b.membership().keyring().orElseThrow().keys());
        Run primary = cli(b, "keyring", "-list-primary");
        assertEquals(0, primary.exit(), primary.err());
        assertTrue(primary.out().contains("  " + K1 + " [2/2]") && !primary.out().contains(K2), primary.out());

        // A use of a key no member holds is refused as a whole and changes nothing.
        Run refused = cli(a, "keyring", "-use", K3);
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("2/2 nodes reported failure"), refused.err());

        // kc-2 stays in the pool but answers no keyring query (as an agent of another version).
        b.keyring().close();
        Run failed = cli(a, "keyring", "-install", K3);
        assertEquals(1, failed.exit(), failed.out());
        assertTrue(failed.err().contains("1/2 nodes reported failure") && failed.err().contains("kc-2: "),
                failed.err());
        Run failedList = cli(a, "keyring", "-list");
        assertEquals(1, failedList.exit());
        assertTrue(failedList.err().contains("kc-2: "), failedList.err());
        Run local = cli(a, "keyring", "-list", "-local-only");
        assertEquals(0, local.exit(), local.err());
        assertTrue(local.out().contains("  " + K3 + " [1/1]"), local.out());
        assertFalse(b.membership().keyring().orElseThrow().keys().contains(K3));

        assertEquals(2, cli(a, "keyring", "-list", "-list-primary").exit(), "two operations are bad usage");
    }

    private static boolean waitFor(BooleanSupplier cond) throws InterruptedException {
        return Poll.until(Duration.ofSeconds(30), cond);
    }
}
