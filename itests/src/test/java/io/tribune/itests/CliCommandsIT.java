package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands added for Consul 1.4.5 parity, run as the real {@code bin/tribune} against a real
 * dev agent on 127.0.30.2: help forms, kv export then import, watch with a handler, lock with a
 * second lock waiting, a semaphore of 2, maint, event, services register/deregister,
 * members -detailed, and join of an address where nothing listens. Ordering between processes is
 * proven by what their children write, never by timing.
 */
@Timeout(240)
class CliCommandsIT {
    static final String HOST = "127.0.30.2";
    static final int PORT = 8500;
    static final String ADDR = HOST + ":" + PORT;

    @TempDir
    Path dir;
    private AgentProcess agent;
    private final List<AgentProcess> children = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        agent = AgentProcess.startOn(HOST, PORT, List.of("agent", "-dev", "-node", "cli-it", "-bind", HOST, "-client", HOST,
                "-http-port", Integer.toString(PORT), "-grpc-port", "-1", "-dns-port", "-1"));
    }

    @AfterEach
    void stop() throws Exception {
        children.forEach(AgentProcess::close);
        if (agent != null) {
            agent.close();
        }
    }

    /** {@code bin/tribune args...} with {@code -http-addr} after the command words. */
    private static AgentProcess.Result cli(int words, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add(words, "-http-addr");
        a.add(words + 1, ADDR);
        return AgentProcess.run(a);
    }

    /** Starts {@code bin/tribune args...} in the background (killed after the test). */
    private AgentProcess background(int words, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add(words, "-http-addr");
        a.add(words + 1, ADDR);
        AgentProcess p = AgentProcess.start(-1, a);
        children.add(p);
        return p;
    }

    private void put(String key, String value) throws Exception {
        assertEquals(200, agent.send("PUT", "/v1/kv/" + key, value).statusCode());
    }

    private boolean until(Duration limit, java.util.function.BooleanSupplier cond) throws InterruptedException {
        return agent.waitFor(limit, cond);
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void everyCommandAgainstARealAgent() throws Exception {
        // Help and version need no agent: they run while it starts. (Every form is in CliCommandsTest.)
        AgentProcess.Result top = AgentProcess.run(List.of("--help"));
        assertEquals(0, top.exitCode(), top.output());
        assertTrue(top.output().contains("Usage: tribune") && top.output().contains("watch"), top.output());
        AgentProcess.Result kvGet = AgentProcess.run(List.of("kv", "get", "-h"));
        assertEquals(0, kvGet.exitCode(), kvGet.output());
        assertTrue(kvGet.output().contains("Usage: tribune kv get") && kvGet.output().contains("-recurse"), kvGet.output());
        AgentProcess.Result version = AgentProcess.run(List.of("-v"));
        assertEquals(0, version.exitCode());
        assertTrue(version.output().contains("Tribune v"), version.output());
        agent.awaitLeader(Duration.ofSeconds(60));

        // The watch starts first (a JVM start is slow under load) and sees the first version at once.
        put("w/key", "one");
        Path seen = dir.resolve("seen");
        AgentProcess watch = background(1, "watch", "-type", "key", "-key", "w/key", "-handler", "cat >> " + seen
                + "; echo >> " + seen);

        // kv export, delete, import from a file: the same document comes back.
        put("exp/a", "alpha");
        put("exp/b/c", "\u00e9t\u00e9");
        AgentProcess.Result export = cli(2, "kv", "export", "exp/");
        assertEquals(0, export.exitCode(), export.output());
        JsonArray exported = JsonParser.parseString(export.output()).getAsJsonArray();
        assertEquals(2, exported.size(), export.output());
        assertEquals(200, agent.send("DELETE", "/v1/kv/exp/?recurse", null).statusCode());
        Path file = dir.resolve("export.json");
        Files.writeString(file, export.output());
        AgentProcess.Result imported = cli(2, "kv", "import", "@" + file);
        assertEquals(0, imported.exitCode(), imported.output());
        assertTrue(imported.output().contains("Imported: exp/b/c"), imported.output());
        assertEquals("\u00e9t\u00e9", agent.get("/v1/kv/exp/b/c?raw").body());

        // The watch ran its handler for the first version; a change runs it again.
        assertTrue(until(Duration.ofSeconds(60), () -> read(seen).contains(b64("one"))), watch.output());
        put("w/key", "two");
        assertTrue(until(Duration.ofSeconds(30), () -> read(seen).contains(b64("two"))), watch.output());
        assertTrue(watch.process.isAlive(), watch.output());

        lockWaitsForTheHolder();
        semaphoreOfTwo();

        // maint toggles the node's critical check.
        AgentProcess.Result on = cli(1, "maint", "-enable", "-reason", "kernel upgrade");
        assertEquals(0, on.exitCode(), on.output());
        JsonObject checks = JsonParser.parseString(agent.get("/v1/agent/checks").body()).getAsJsonObject();
        assertEquals("critical", checks.getAsJsonObject("_node_maintenance").get("Status").getAsString(), checks.toString());
        assertEquals(0, cli(1, "maint", "-disable").exitCode());
        assertFalse(agent.get("/v1/agent/checks").body().contains("_node_maintenance"));

        // event: Consul's "Event ID:" line, and the event is listed.
        AgentProcess.Result event = cli(1, "event", "-name", "deploy", "v2");
        assertEquals(0, event.exitCode(), event.output());
        assertTrue(event.output().contains("Event ID: "), event.output());
        assertTrue(agent.get("/v1/event/list?name=deploy").body().contains("\"deploy\""));

        // services register from a file, deregister by ID.
        Path def = dir.resolve("web.json");
        Files.writeString(def, "{\"service\": {\"name\": \"web\", \"id\": \"web-1\", \"port\": 8080}}");
        AgentProcess.Result reg = cli(2, "services", "register", def.toString());
        assertEquals(0, reg.exitCode(), reg.output());
        assertTrue(agent.get("/v1/agent/services").body().contains("web-1"));
        AgentProcess.Result dereg = cli(2, "services", "deregister", "-id", "web-1");
        assertEquals(0, dereg.exitCode(), dereg.output());
        assertFalse(agent.get("/v1/agent/services").body().contains("web-1"));

        // members -detailed; join where nothing listens fails and lists nobody new.
        AgentProcess.Result members = cli(1, "members", "-detailed");
        assertEquals(0, members.exitCode(), members.output());
        assertTrue(members.output().contains("Tags") && members.output().contains("role=consul"), members.output());
        AgentProcess.Result join = cli(1, "join", "127.0.30.99");
        assertEquals(1, join.exitCode(), join.output());
        assertTrue(join.output().contains("Error joining address '127.0.30.99'"), join.output());
        assertEquals(1, JsonParser.parseString(agent.get("/v1/agent/members").body()).getAsJsonArray().size());
        HttpResponse<String> wan = agent.get("/v1/agent/members?wan=1");
        assertTrue(wan.statusCode() != 200 || wan.body().strip().equals("[]"), "never the LAN list: " + wan.body());

        AgentProcess.Result exec = AgentProcess.run(List.of("exec", "uptime"));
        assertEquals(1, exec.exitCode());
        assertTrue(exec.output().contains("disable_remote_exec"), exec.output());

        watch.close();
    }

    /**
     * A holds the lock until told; B, started meanwhile, must not run its child until A's ended: the
     * children's lines in one file prove the order.
     */
    private void lockWaitsForTheHolder() throws Exception {
        Path order = dir.resolve("order");
        Path go = dir.resolve("go-a");
        AgentProcess a = background(1, "lock", "jobs/nightly", "echo a-start >> " + order + "; while [ ! -e " + go
                + " ]; do sleep 0.1; done; echo a-end >> " + order);
        assertTrue(until(Duration.ofSeconds(60), () -> read(order).contains("a-start")), a.output());
        AgentProcess b = background(1, "lock", "jobs/nightly", "echo b >> " + order);
        // B has its session, so it is acquiring (or would already have run its child).
        assertTrue(until(Duration.ofSeconds(60), () -> sessions() >= 2), b.output());
        Files.writeString(go, "");
        assertTrue(a.process.waitFor(60, TimeUnit.SECONDS), a.output());
        assertTrue(b.process.waitFor(60, TimeUnit.SECONDS), b.output());
        assertEquals(0, a.process.exitValue(), a.output());
        assertEquals(0, b.process.exitValue(), b.output());
        assertEquals(List.of("a-start", "a-end", "b"), Files.readAllLines(order));
        assertEquals(0, sessions(), "both sessions destroyed");
    }

    /**
     * Two contenders of {@code -n 2} hold at once (each waits for the other inside its child); a
     * third, contending meanwhile, runs only after they released.
     */
    private void semaphoreOfTwo() throws Exception {
        Path held = dir.resolve("held");
        Files.createDirectories(held);
        Path go = dir.resolve("go-sem");
        Path third = dir.resolve("third");
        String hold = "touch " + held + "/$$; n=0; while [ $(ls " + held + " | wc -l) -lt 2 ] && [ $n -lt 300 ];"
                + " do sleep 0.1; n=$((n+1)); done; ls " + held + " | wc -l >> " + dir.resolve("counts")
                + "; while [ ! -e " + go + " ]; do sleep 0.1; done; rm " + held + "/$$";
        AgentProcess c1 = background(1, "lock", "-n", "2", "pool", hold);
        AgentProcess c2 = background(1, "lock", "-n", "2", "pool", hold);
        assertTrue(until(Duration.ofSeconds(60), () -> read(dir.resolve("counts")).lines().count() == 2),
                c1.output() + c2.output());
        assertEquals(List.of("2", "2"), Files.readAllLines(dir.resolve("counts")).stream().map(String::strip).toList());
        JsonObject lock = JsonParser.parseString(new String(Base64.getDecoder().decode(JsonParser.parseString(
                agent.get("/v1/kv/pool/.lock").body()).getAsJsonArray().get(0).getAsJsonObject().get("Value").getAsString()),
                StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals(2, lock.get("Limit").getAsInt());
        assertEquals(2, lock.getAsJsonObject("Holders").size());
        AgentProcess c3 = background(1, "lock", "-n", "2", "pool", "ls " + held + " | wc -l > " + third);
        // The third contender's key is in place: it is waiting for a slot.
        assertTrue(until(Duration.ofSeconds(60), () -> contenders("pool/") == 3), c3.output());
        assertFalse(Files.exists(third), "the third ran while two held");
        Files.writeString(go, "");
        for (AgentProcess c : List.of(c1, c2, c3)) {
            assertTrue(c.process.waitFor(60, TimeUnit.SECONDS), c.output());
            assertEquals(0, c.process.exitValue(), c.output());
        }
        // The third takes a slot as soon as one holder releases; the other may not have seen 'go' yet
        // (it polls every 100 ms), so it sees at most one holder beside itself, never two. Expecting
        // none raced with that holder and failed a CI run.
        int othersSeenByThird = Integer.parseInt(Files.readString(third).strip());
        assertTrue(othersSeenByThird <= 1, "the third ran while " + othersSeenByThird + " others held a slot of 2");
    }

    private int sessions() {
        try {
            return JsonParser.parseString(agent.get("/v1/session/list").body()).getAsJsonArray().size();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Keys under {@code prefix} held by a session (semaphore contender keys). */
    private int contenders(String prefix) {
        try {
            HttpResponse<String> r = agent.get("/v1/kv/" + prefix + "?recurse");
            if (r.statusCode() != 200) {
                return 0;
            }
            int n = 0;
            for (JsonElement e : JsonParser.parseString(r.body()).getAsJsonArray()) {
                JsonObject o = e.getAsJsonObject();
                if (!o.get("Key").getAsString().endsWith("/.lock") && o.has("Session") && !o.get("Session").isJsonNull()) {
                    n++;
                }
            }
            return n;
        } catch (Exception e) {
            return -1;
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
