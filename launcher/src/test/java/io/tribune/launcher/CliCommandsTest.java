package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.testkit.Poll;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Parsing and output shapes of the CLI commands added for Consul 1.4.5 parity (help forms, kv
 * export/import, watch, lock, maint, event, exec, services, members), each first as a pure function,
 * then against one in-process dev agent (HTTP on 127.0.30.1) through {@link Main#execute}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliCommandsTest {
    private static Agent agent;
    private static String addr;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"cli-unit\","
                + " \"client_addr\": \"127.0.30.1\", \"ports\": {\"http\": 0, \"dns\": -1, \"grpc\": -1, \"server\": 18937}}")
                .getAsJsonObject(), "test").build();
        agent = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(CliCommandsTest.class.getClassLoader())
                .load()), "embedded");
        addr = "127.0.30.1:" + agent.httpAddress().orElseThrow().getPort();
        assertTrue(Poll.until(Duration.ofSeconds(30), () -> run("kv", "put", "-http-addr", addr, "ready", "1").exit() == 0),
                "the dev agent did not serve writes");
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.shutdown(false);
        }
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    // ---- help and version ----

    @Test
    void everyHelpFormPrintsTheRightUsageAndExits0() {
        for (List<String> top : List.of(List.of("--help"), List.of("-h"), List.of("-help"), List.of("help"))) {
            Run r = run(top.toArray(String[]::new));
            assertEquals(0, r.exit(), top + ": " + r.err());
            assertTrue(r.out().contains("Usage: tribune") && r.out().contains("watch") && r.out().contains("lock"), r.out());
        }
        for (List<String> kvGet : List.of(List.of("help", "kv", "get"), List.of("kv", "get", "-h"),
                List.of("kv", "get", "--help"), List.of("kv", "get", "-recurse", "-help"))) {
            Run r = run(kvGet.toArray(String[]::new));
            assertEquals(0, r.exit(), kvGet + ": " + r.err());
            assertTrue(r.out().contains("Usage: tribune kv get") && r.out().contains("-recurse"), kvGet + ": " + r.out());
        }
        Run kv = run("kv", "-h");
        assertEquals(0, kv.exit());
        assertTrue(kv.out().contains("export") && kv.out().contains("import"), kv.out());
        Run lock = run("help", "lock");
        assertTrue(lock.out().contains("-monitor-retry"), lock.out());
    }

    @Test
    void versionFormsExit0AndUnknownCommandsAreUsageErrors() {
        for (String v : List.of("--version", "-v", "-version", "version")) {
            Run r = run(v);
            assertEquals(0, r.exit(), v);
            assertTrue(r.out().startsWith("Tribune v"), r.out());
        }
        Run unknown = run("frobnicate");
        assertEquals(Main.EXIT_USAGE, unknown.exit());
        assertTrue(unknown.err().contains("Unknown command: 'frobnicate'"), unknown.err());
        assertEquals(Main.EXIT_USAGE, run("help", "kv", "nosuch").exit());
        // A help flag after the first argument belongs to that argument (lock passes it to its child).
        assertEquals(Main.EXIT_USAGE, HelpSupport.handle(Main.commandLine(new String[0]), new String[] {"nosuch"},
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
        assertEquals(null, HelpSupport.handle(Main.commandLine(new String[0]), new String[] {"lock", "p", "cmd", "-h"},
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
    }

    // ---- kv export / import ----

    @Test
    void exportTextIsConsulsTabIndentedArrayAndParsesBack() {
        List<KvTransfer.Entry> e = List.of(new KvTransfer.Entry("a/b", 42, "dmFs"), new KvTransfer.Entry("a/\"q\"", 0, ""));
        String text = KvTransfer.toJson(e);
        assertEquals("[\n\t{\n\t\t\"key\": \"a/b\",\n\t\t\"flags\": 42,\n\t\t\"value\": \"dmFs\"\n\t},\n"
                + "\t{\n\t\t\"key\": \"a/\\\"q\\\"\",\n\t\t\"flags\": 0,\n\t\t\"value\": \"\"\n\t}\n]", text);
        assertEquals(e, KvTransfer.parse(text));
        assertEquals("[]", KvTransfer.toJson(List.of()));
        assertEquals(List.of(new KvTransfer.Entry("big", -1L, "")),
                KvTransfer.parse("[{\"key\": \"big\", \"flags\": 18446744073709551615}]"));
    }

    @Test
    void badImportDocumentsAreRefusedNamingTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KvTransfer.parse("{\"key\": \"a\"}")).getMessage()
                .contains("array"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KvTransfer.parse("[{\"flags\": 1}]")).getMessage()
                .contains("entry 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KvTransfer.parse("[{\"key\": \"k\", \"value\": \"***\"}]"))
                .getMessage().contains("base 64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KvTransfer.parse("[{\"key\": \"k\", \"flags\": -1}]"))
                .getMessage().contains("flags"));
        assertThrows(IllegalArgumentException.class, () -> KvTransfer.parse("[{"));
    }

    @Test
    void exportThenImportRoundTripsKeysFlagsAndBinaryValues() throws Exception {
        assertEquals(0, run("kv", "put", "-http-addr", addr, "-flags", "7", "rt/a", "alpha").exit());
        assertEquals(0, run("kv", "put", "-http-addr", addr, "rt/b/c", "").exit());
        Run export = run("kv", "export", "-http-addr", addr, "rt/");
        assertEquals(0, export.exit(), export.err());
        JsonArray a = JsonParser.parseString(export.out()).getAsJsonArray();
        assertEquals(2, a.size(), export.out());
        assertEquals("rt/a", a.get(0).getAsJsonObject().get("key").getAsString());
        assertEquals(7, a.get(0).getAsJsonObject().get("flags").getAsInt());
        assertEquals("alpha", new String(Base64.getDecoder().decode(a.get(0).getAsJsonObject().get("value").getAsString()),
                StandardCharsets.UTF_8));
        assertEquals(0, run("kv", "delete", "-http-addr", addr, "-recurse", "rt/").exit());
        Path file = dir.resolve("export.json");
        Files.writeString(file, export.out());
        Run imp = run("kv", "import", "-http-addr", addr, "@" + file);
        assertEquals(0, imp.exit(), imp.err());
        assertEquals(List.of("Imported: rt/a", "Imported: rt/b/c"), imp.out().lines().toList());
        assertEquals(export.out(), run("kv", "export", "-http-addr", addr, "rt/").out());
        // A bad document writes nothing, even when its first entries are good.
        Run bad = run("kv", "import", "-http-addr", addr, "[{\"key\": \"rt/new\", \"value\": \"YQ==\"}, {\"key\": 5, \"value\": \"!\"}]");
        assertEquals(1, bad.exit());
        assertEquals(1, run("kv", "get", "-http-addr", addr, "rt/new").exit());
        assertEquals("[]", run("kv", "export", "-http-addr", addr, "nothing-here/").out().strip());
        assertEquals(1, run("kv", "import", "-http-addr", addr, "@" + dir.resolve("missing.json")).exit());
    }

    // ---- members ----

    private static JsonObject member(String name, int status, Map<String, String> tags) {
        JsonObject m = new JsonObject();
        m.addProperty("Name", name);
        m.addProperty("Addr", "127.0.30.9");
        m.addProperty("Port", 8301);
        m.addProperty("Status", status);
        JsonObject t = new JsonObject();
        tags.forEach(t::addProperty);
        m.add("Tags", t);
        return m;
    }

    @Test
    void membersAreSortedWithConsulsColumnsAndFilteredByStatus() {
        JsonArray a = new JsonArray();
        a.add(member("zeta", 4, Map.of("role", "node", "dc", "dc1", "build", "0.1.0", "vsn", "2")));
        a.add(member("alpha", 1, Map.of("role", "consul", "dc", "dc1", "build", "0.1.0", "vsn", "2", "port", "8300")));
        List<String> lines = ClientCommands.render(a, false, Pattern.compile(".*"), null).lines().toList();
        assertEquals(3, lines.size());
        assertEquals(List.of("Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Segment"),
                List.of(lines.get(0).split("\\s+")));
        assertEquals(List.of("alpha", "127.0.30.9:8301", "alive", "server", "0.1.0", "2", "dc1", "<all>"),
                List.of(lines.get(1).split("\\s+")));
        assertEquals(List.of("zeta", "127.0.30.9:8301", "failed", "client", "0.1.0", "2", "dc1", "<default>"),
                List.of(lines.get(2).split("\\s+")));
        String failed = ClientCommands.render(a, false, Pattern.compile("^(?:fail.*)$"), null);
        assertEquals(2, failed.lines().count());
        assertTrue(failed.contains("zeta") && !failed.contains("alpha"));
        assertEquals("", ClientCommands.render(a, false, Pattern.compile("^(?:left)$"), null));
        List<String> detailed = ClientCommands.render(a, true, Pattern.compile(".*"), null).lines().toList();
        assertEquals(List.of("Node", "Address", "Status", "Tags"), List.of(detailed.get(0).split("\\s+")));
        assertTrue(detailed.get(1).endsWith("build=0.1.0,dc=dc1,port=8300,role=consul,vsn=2"), detailed.get(1));
    }

    @Test
    void membersOfTheDevAgentAndItsFilters() {
        Run r = run("members", "-http-addr", addr, "-detailed");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Node") && r.out().contains("cli-unit") && r.out().contains("role=consul"), r.out());
        Run none = run("members", "-http-addr", addr, "-status", "failed");
        assertEquals(2, none.exit(), "no member matching is exit code 2, as in Consul");
        assertEquals("", none.out());
        assertEquals(Main.EXIT_USAGE, run("members", "-http-addr", addr, "-status", "(").exit());
        // A dev agent has no WAN pool: an error, never the LAN list.
        Run wan = run("members", "-http-addr", addr, "-wan");
        assertEquals(1, wan.exit());
        assertFalse(wan.out().contains("cli-unit"), wan.out());
    }

    // ---- watch ----

    @Test
    void watchRendersConsulsShapesAndBuildsItsQueries() {
        assertEquals("null", WatchCommand.render("key", null));
        assertEquals("[]", WatchCommand.render("keyprefix", null));
        assertEquals("{\n    \"Key\": \"k\",\n    \"Session\": null\n}",
                WatchCommand.render("key", "[{\"Key\": \"k\", \"Session\": null}]"));
        CommandLine cl = new CommandLine(new WatchCommand());
        cl.parseArgs("-type", "service", "-service", "web", "-tag", "a", "-passingonly");
        assertEquals("/v1/health/service/web?tag=a&passing", ((WatchCommand) cl.getCommand()).path());
        cl = new CommandLine(new WatchCommand());
        cl.parseArgs("-type", "checks", "-state", "critical");
        assertEquals("/v1/health/state/critical", ((WatchCommand) cl.getCommand()).path());
        cl = new CommandLine(new WatchCommand());
        cl.parseArgs("-type", "event", "-name", "deploy");
        assertEquals("/v1/event/list?name=deploy", ((WatchCommand) cl.getCommand()).path());
        for (List<String> bad : List.of(List.of("-type", "key"), List.of("-type", "keyprefix"), List.of("-type", "service"),
                List.of("-type", "checks", "-service", "a", "-state", "any"), List.of("-type", "bogus"))) {
            Run r = run(concat(List.of("watch", "-http-addr", addr), bad));
            assertEquals(Main.EXIT_USAGE, r.exit(), bad + ": " + r.err());
        }
    }

    @Test
    void watchOfAKeySeesTheChangeAndRunsItsHandler() throws Exception {
        assertEquals(0, run("kv", "put", "-http-addr", addr, "w/key", "one").exit());
        WatchCommand w = new WatchCommand();
        w.stopAfter = 2;
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(w);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        Path seen = dir.resolve("seen");
        int[] exit = {-1};
        Thread t = new Thread(() -> exit[0] = cl.execute("-http-addr", addr, "-type", "key", "-key", "w/key",
                "-handler", "cat >> " + seen + "; echo handled"));
        t.start();
        assertTrue(Poll.until(Duration.ofSeconds(30), () -> out.toString().contains("handled")), out.toString());
        assertEquals(0, run("kv", "put", "-http-addr", addr, "w/key", "two").exit());
        t.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals(0, exit[0]);
        List<String> values = new ArrayList<>();
        // The handler got each version of the entry as JSON on its standard input.
        for (String part : Files.readString(seen).split("(?<=})\\s*(?=\\{)")) {
            values.add(new String(Base64.getDecoder().decode(JsonParser.parseString(part).getAsJsonObject().get("Value")
                    .getAsString()), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("one", "two"), values);
    }

    // ---- lock ----

    @Test
    void semaphoreStateKeepsLiveHoldersOnlyAndRefusesConflicts() throws Exception {
        List<JsonObject> pairs = new ArrayList<>();
        JsonObject lock = new JsonObject();
        lock.addProperty("Key", "svc/.lock");
        lock.addProperty("Flags", Long.toUnsignedString(LockCommand.SEMAPHORE_FLAGS));
        lock.addProperty("ModifyIndex", 17);
        lock.addProperty("Value", Base64.getEncoder().encodeToString(
                "{\"Limit\":2,\"Holders\":{\"s1\":true,\"dead\":true}}".getBytes(StandardCharsets.UTF_8)));
        pairs.add(lock);
        JsonObject s1 = new JsonObject();
        s1.addProperty("Key", "svc/s1");
        s1.addProperty("Session", "s1");
        pairs.add(s1);
        LockCommand.Semaphore sem = LockCommand.Semaphore.of(pairs, "svc", 2);
        assertEquals(Map.of("s1", true), sem.holders());
        assertEquals(17, sem.modifyIndex());
        assertEquals("{\"Limit\":2,\"Holders\":{\"s1\":true}}",
                new String(LockCommand.Semaphore.json(2, sem.holders()), StandardCharsets.UTF_8));
        assertTrue(assertThrows(ApiClient.ApiException.class, () -> LockCommand.Semaphore.of(pairs, "svc", 3))
                .getMessage().contains("limit conflict (lock: 2, local: 3)"));
        lock.addProperty("Flags", Long.toUnsignedString(LockCommand.LOCK_FLAGS));
        assertThrows(ApiClient.ApiException.class, () -> LockCommand.Semaphore.of(pairs, "svc", 2));
        assertEquals(0, LockCommand.Semaphore.of(List.of(), "svc", 2).modifyIndex());
        assertEquals(Duration.ofMillis(1500), LockCommand.parseDuration("1500ms"));
        assertEquals(Duration.ofMinutes(2), LockCommand.parseDuration("2m"));
        assertThrows(IllegalArgumentException.class, () -> LockCommand.parseDuration("soon"));
    }

    @Test
    void lockRunsTheChildHoldingTheKeyAndReleasesIt() {
        Run r = run("lock", "-http-addr", addr, "locks/job", "echo", "child-ran;", "exit", "3");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.out().contains("child-ran"), r.out());
        JsonObject key = JsonParser.parseString(new String(send("/v1/kv/locks/job/.lock"), StandardCharsets.UTF_8))
                .getAsJsonArray().get(0).getAsJsonObject();
        assertTrue(!key.has("Session") || key.get("Session").isJsonNull(), "released: " + key);
        assertEquals(LockCommand.LOCK_FLAGS, LockCommand.flags(key));
        // The child's own flags stay the child's.
        Run ls = run("lock", "-http-addr", addr, "locks/ls", "ls", "-d", "/");
        assertEquals(0, ls.exit(), ls.err());
        assertEquals("/", ls.out().strip());
        assertEquals(Main.EXIT_USAGE, run("lock", "-http-addr", addr, "-n", "0", "p", "true").exit());
        assertEquals(Main.EXIT_USAGE, run("lock", "-http-addr", addr, "-timeout", "soon", "p", "true").exit());
        assertEquals(Main.EXIT_USAGE, run("lock", "-http-addr", addr, "p").exit());
    }

    // ---- maint, event, exec, services, info, force-leave, join, keyring ----

    @Test
    void maintTogglesTheNodeAndServiceChecks() {
        Run on = run("maint", "-http-addr", addr, "-enable", "-reason", "disk swap");
        assertEquals(0, on.exit(), on.err());
        assertEquals("Node entered maintenance mode", on.out().strip());
        Run list = run("maint", "-http-addr", addr);
        assertEquals("Node:\n  Name:   cli-unit\n  Reason: disk swap", list.out().strip());
        assertTrue(run("kv", "get", "-http-addr", addr, "ready").exit() == 0);
        assertEquals(0, run("maint", "-http-addr", addr, "-disable").exit());
        assertEquals("", run("maint", "-http-addr", addr).out());
        assertEquals(Main.EXIT_USAGE, run("maint", "-http-addr", addr, "-enable", "-disable").exit());
        assertEquals(Main.EXIT_USAGE, run("maint", "-http-addr", addr, "-disable", "-reason", "x").exit());
        Run unknown = run("maint", "-http-addr", addr, "-enable", "-service", "nope");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("nope"), unknown.err());
    }

    @Test
    void eventPrintsItsIdAndExecSaysWhyItIsMissing() {
        Run e = run("event", "-http-addr", addr, "-name", "deploy", "v2");
        assertEquals(0, e.exit(), e.err());
        assertTrue(e.out().matches("Event ID: [0-9a-f-]{36}\\s*"), e.out());
        assertEquals(Main.EXIT_USAGE, run("event", "-http-addr", addr).exit());
        assertEquals(Main.EXIT_USAGE, run("event", "-http-addr", addr, "-name", "x", "-tag", "t").exit());
        Run x = run("exec", "-node", "web", "uptime");
        assertEquals(1, x.exit());
        assertTrue(x.err().contains("disable_remote_exec"), x.err());
    }

    @Test
    void servicesRegisterFromFileOrFlagsAndDeregister() throws Exception {
        Path f = dir.resolve("web.json");
        Files.writeString(f, "{\"service\": {\"name\": \"web\", \"id\": \"web-1\", \"port\": 8080, \"tags\": [\"v1\"]}}");
        Run reg = run("services", "register", "-http-addr", addr, f.toString());
        assertEquals(0, reg.exit(), reg.err());
        assertEquals("Registered service: web", reg.out().strip());
        Run flags = run("services", "register", "-http-addr", addr, "-name", "db", "-port", "5432", "-tag", "a",
                "-meta", "k=v");
        assertEquals(0, flags.exit(), flags.err());
        String services = new String(send("/v1/agent/services"), StandardCharsets.UTF_8);
        JsonObject s = JsonParser.parseString(services).getAsJsonObject();
        assertEquals(8080, s.getAsJsonObject("web-1").get("Port").getAsInt());
        assertEquals("v", s.getAsJsonObject("db").getAsJsonObject("Meta").get("k").getAsString());
        Run info = run("info", "-http-addr", addr);
        assertTrue(info.out().contains("\tservices = 2") && info.out().contains("\tcheck_ttls = 0")
                && info.out().contains("\tchecks = ") && info.out().contains("\tcheck_monitors = 0"), info.out());
        assertFalse(info.out().contains("known_servers"), "a server shows no known_servers, as Consul: " + info.out());
        assertEquals(0, run("services", "deregister", "-http-addr", addr, f.toString()).exit());
        Run byId = run("services", "deregister", "-http-addr", addr, "-id", "db");
        assertEquals("Deregistered service: db", byId.out().strip());
        assertEquals("{}", new String(send("/v1/agent/services"), StandardCharsets.UTF_8).strip());
        assertEquals(Main.EXIT_USAGE, run("services", "register", "-http-addr", addr).exit());
        Path hcl = dir.resolve("x.hcl");
        Files.writeString(hcl, "service { port = 1 }");
        Run noName = run("services", "register", "-http-addr", addr, hcl.toString());
        assertEquals(1, noName.exit());
        assertTrue(noName.err().contains("x.hcl") && noName.err().contains("no name"), noName.err());
        assertThrows(IllegalArgumentException.class, () -> ServicesCommands.parse("{\"service\": {\"port\": 1}}", "t"));
        assertEquals(2, ServicesCommands.parse("{\"Services\": [{\"Name\": \"a\"}, {\"name\": \"b\"}]}", "t").size());
    }

    @Test
    void servicesRegisterReadsConsulsHclAndSnakeCaseShapes() throws Exception {
        Path one = dir.resolve("one.hcl");
        Files.writeString(one, "service {\n  name = \"hcl-web\"\n  id = \"hcl-web-1\"\n  port = 8080\n"
                + "  tags = [\"v1\"]\n  enable_tag_override = true\n  meta {\n    rack_id = \"r1\"\n  }\n"
                + "  check {\n    id = \"hcl-web-ttl\"\n    ttl = \"30s\"\n  }\n}\n");
        Path two = dir.resolve("two.hcl");
        Files.writeString(two, "services {\n  name = \"hcl-a\"\n}\nservices {\n  name = \"hcl-b\"\n  port = 1\n}\n");
        Path snake = dir.resolve("snake.json");
        Files.writeString(snake, "{\"services\": [{\"name\": \"json-c\", \"enable_tag_override\": true}]}");
        Run reg = run("services", "register", "-http-addr", addr, one.toString(), two.toString(), snake.toString());
        assertEquals(0, reg.exit(), reg.err());
        assertEquals(List.of("Registered service: hcl-web", "Registered service: hcl-a", "Registered service: hcl-b",
                "Registered service: json-c"), reg.out().strip().lines().toList());
        JsonObject s = JsonParser.parseString(new String(send("/v1/agent/services"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        JsonObject web = s.getAsJsonObject("hcl-web-1");
        assertEquals(8080, web.get("Port").getAsInt());
        assertTrue(web.get("EnableTagOverride").getAsBoolean());
        assertEquals("r1", web.getAsJsonObject("Meta").get("rack_id").getAsString(), "meta keys keep their underscores");
        assertEquals(1, s.getAsJsonObject("hcl-b").get("Port").getAsInt());
        assertTrue(s.getAsJsonObject("json-c").get("EnableTagOverride").getAsBoolean());
        JsonObject checks = JsonParser.parseString(new String(send("/v1/agent/checks"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        assertEquals("hcl-web-1", checks.getAsJsonObject("hcl-web-ttl").get("ServiceID").getAsString());
        Run dereg = run("services", "deregister", "-http-addr", addr, one.toString(), two.toString(), snake.toString());
        assertEquals(0, dereg.exit(), dereg.err());
        assertEquals("{}", new String(send("/v1/agent/services"), StandardCharsets.UTF_8).strip());
        Path broken = dir.resolve("broken.hcl");
        Files.writeString(broken, "service {\n  name = \"x\n}\n");   // an unterminated string
        Run bad = run("services", "register", "-http-addr", addr, broken.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("broken.hcl") && bad.err().contains("not valid HCL: line 2"), bad.err());
    }

    @Test
    void forceLeaveOfAnUnknownNodeSucceedsAndJoinOfNobodyFails() {
        Run fl = run("force-leave", "-http-addr", addr, "no-such-node");
        assertEquals(0, fl.exit(), fl.err());
        Run join = run("join", "-http-addr", addr, "127.0.30.250");
        assertEquals(1, join.exit(), join.out());
        assertTrue(join.err().contains("Error joining address '127.0.30.250'") && join.err().contains("Failed to join any nodes."),
                join.err());
        Run members = run("members", "-http-addr", addr);
        assertEquals(2, members.out().lines().count(), "no made-up member: " + members.out());
        Run keyring = run("keyring", "-http-addr", addr, "-list");
        assertEquals(1, keyring.exit());
        assertTrue(keyring.err().contains("500") && keyring.err().contains("Keyring is empty (encryption not enabled)"),
                keyring.err());
    }

    private static byte[] send(String path) {
        try {
            return new ApiClient(addr).call("GET", path, null);
        } catch (ApiClient.ApiException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static String[] concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(String[]::new);
    }
}
