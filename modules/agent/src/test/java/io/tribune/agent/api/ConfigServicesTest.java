package io.tribune.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class ConfigServicesTest {

    private static AgentConfig load(String json) {
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), "test.json").build();
    }

    private static String badConfig(String extra) {
        return assertThrows(ConfigException.class, () -> load("{\"dev\": true, \"node_name\": \"n\", " + extra + "}"))
                .getMessage();
    }

    @Test
    void definitionsAreReadInBothSpellingsAndAddUpAcrossFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.json"), "{\"dev\": true, \"node_name\": \"n\", \"service\": {\"name\": "
                + "\"web\", \"port\": 80, \"tags\": [\"v1\"], \"meta\": {\"Team_Name\": \"x\"}, \"check\": {\"http\": "
                + "\"http://127.0.0.1:1/\", \"interval\": \"10s\", \"success_before_passing\": 2, "
                + "\"failures_before_critical\": 3}}}");
        Files.writeString(dir.resolve("b.json"), "{\"services\": [{\"ID\": \"db1\", \"Name\": \"db\", \"Port\": 5432}],"
                + " \"checks\": [{\"id\": \"mem\", \"name\": \"Memory\", \"ttl\": \"30s\"}]}");
        AgentConfig cfg = new ConfigLoader().addPath(dir).build();
        assertEquals(2, cfg.services().size());
        assertEquals(1, cfg.checks().size());
        assertEquals(false, cfg.enableScriptChecks());
        assertEquals(Duration.ofMinutes(1), cfg.antiEntropyInterval());
        var svcs = ConfigServices.services(cfg);
        assertEquals("web", svcs.get(0).service().id());
        assertEquals(80, svcs.get(0).service().port());
        // User keys of Meta keep their underscores.
        assertEquals("x", svcs.get(0).service().meta().get("Team_Name"));
        var def = svcs.get(0).checks().get(0).getValue();
        assertEquals(new CheckThresholds(2, 3), def.thresholds());
        assertEquals("service:web", svcs.get(0).checks().get(0).getKey().checkId());
        assertEquals("db1", svcs.get(1).service().id());
        assertEquals(Duration.ofSeconds(30), ConfigServices.checks(cfg).get(0).getValue().ttl());
    }

    @Test
    void badDefinitionsStopStartupNamingTheKey() {
        String missing = badConfig("\"services\": [{\"Name\": \"a\"}, {\"Port\": 1}]");
        assertTrue(missing.contains("services[1]") && missing.contains("name"), missing);
        String m = badConfig("\"services\": [{\"Name\": \"a\", \"Port\": \"eighty\"}]");
        assertTrue(m.contains("services[0].Port") && m.contains("integer"), m);
        m = badConfig("\"checks\": [{\"Name\": \"c\", \"HTTP\": \"http://x\"}]");
        assertTrue(m.startsWith("checks[0]") && m.contains("Interval"), m);
        m = badConfig("\"check\": {\"Name\": \"s\", \"Args\": [\"true\"], \"Interval\": \"10s\"}");
        assertTrue(m.startsWith("checks[0]") && m.contains("enable_script_checks"), m);
        m = badConfig("\"checks\": [{\"Name\": \"c\", \"TTL\": \"5s\", \"ServiceID\": \"ghost\"}]");
        assertTrue(m.contains("checks[0]") && m.contains("ghost"), m);
        m = badConfig("\"services\": [{\"Name\": \"a\"}, {\"Name\": \"a\"}]");
        assertTrue(m.startsWith("services[1]") && m.contains("twice"), m);
        m = badConfig("\"services\": {\"Name\": \"a\"}");
        assertTrue(m.contains("'services'") && m.contains("array"), m);
        m = badConfig("\"checks\": [{\"Name\": \"c\", \"TTL\": \"5s\", \"FailuresBeforeCritical\": -1}]");
        assertTrue(m.contains("FailuresBeforeCritical"), m);
        m = badConfig("\"anti_entropy_interval\": \"10ms\"");
        assertTrue(m.contains("anti_entropy_interval"), m);
        // With scripts enabled the same script check is fine.
        assertEquals(1, load("{\"dev\": true, \"node_name\": \"n\", \"enable_script_checks\": true, \"check\": "
                + "{\"Name\": \"s\", \"Args\": [\"true\"], \"Interval\": \"10s\"}}").checks().size());
    }

    @Test
    void configServicesAndChecksAreRegisteredAtStart() throws Exception {
        try (Booted a = Booted.start("cfgsvc", 18431, "\"enable_script_checks\": true, \"services\": [{\"ID\": \"web1\","
                + " \"Name\": \"web\", \"Port\": 8080, \"Tags\": [\"blue\"], \"Checks\": [{\"CheckID\": \"web-ttl\", "
                + "\"TTL\": \"60s\", \"Status\": \"passing\"}]}], \"checks\": [{\"ID\": \"script-ok\", \"Name\": \"ok\","
                + " \"Args\": [\"sh\", \"-c\", \"echo fine\"], \"Interval\": \"1s\"}]")) {
            assertTrue(a.waitFor(Duration.ofSeconds(20), () -> a.catalogCheckStatus("script-ok").equals("passing")),
                    "the script check of the config did not pass");
            JsonElement svc = a.get("/v1/catalog/service/web").getAsJsonArray().get(0);
            assertEquals("web1", svc.getAsJsonObject().get("ServiceID").getAsString());
            assertEquals(8080, svc.getAsJsonObject().get("ServicePort").getAsInt());
            assertEquals("passing", a.catalogCheckStatus("web-ttl"));
            assertTrue(a.catalogCheck("script-ok").get("Output").getAsString().contains("fine"));
            assertTrue(a.get("/v1/agent/services").getAsJsonObject().has("web1"));
        }
    }

    /** An in-process dev agent started from a config fragment, with its HTTP API on a loopback port. */
    static final class Booted implements AutoCloseable {
        final Agent agent;
        final String node;
        final String base;
        final HttpClient http = HttpClient.newHttpClient();

        private Booted(Agent agent, String node) {
            this.agent = agent;
            this.node = node;
            this.base = "http://127.0.0.1:" + agent.httpAddress().orElseThrow().getPort();
        }

        /** {@code serverPort} must differ between test classes (the in-process transport keys on it). */
        static Booted start(String node, int serverPort, String extra) throws Exception {
            AgentConfig cfg = load("{\"dev\": true, \"node_name\": \"" + node + "\", \"ports\": {\"http\": 0, "
                    + "\"server\": " + serverPort + "}" + (extra.isEmpty() ? "" : ", " + extra) + "}");
            var registry = PluginRegistry.of(new ServiceLoaderPluginSource(Booted.class.getClassLoader()).load());
            Booted b = new Booted(Agent.start(cfg, registry, "embedded"), node);
            if (!b.waitFor(Duration.ofSeconds(30), () -> b.catalogCheck("serfHealth") != null)) {
                b.close();
                throw new AssertionError("the local node was not registered in the catalog");
            }
            return b;
        }

        HttpResponse<String> send(String method, String path, String body) throws Exception {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
            r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        }

        JsonElement get(String path) throws Exception {
            HttpResponse<String> r = send("GET", path, null);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            return JsonParser.parseString(r.body());
        }

        void put(String path, String body) throws Exception {
            HttpResponse<String> r = send("PUT", path, body);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
        }

        /** The check as the catalog holds it, or null. */
        JsonObject catalogCheck(String id) {
            try {
                for (JsonElement c : get("/v1/health/node/" + node).getAsJsonArray()) {
                    if (c.getAsJsonObject().get("CheckID").getAsString().equals(id)) {
                        return c.getAsJsonObject();
                    }
                }
                return null;
            } catch (Exception e) {
                return null;
            }
        }

        String catalogCheckStatus(String id) {
            JsonObject c = catalogCheck(id);
            return c == null ? "" : c.get("Status").getAsString();
        }

        /** The node's service ids in the catalog. */
        java.util.Set<String> catalogServices() throws Exception {
            JsonElement n = get("/v1/catalog/node/" + node);
            if (n.isJsonNull()) {
                return java.util.Set.of();
            }
            return n.getAsJsonObject().getAsJsonObject("Services").keySet();
        }

        boolean waitFor(Duration limit, BooleanSupplier cond) throws InterruptedException {
            long end = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < end) {
                if (cond.getAsBoolean()) {
                    return true;
                }
                Thread.sleep(20);
            }
            return cond.getAsBoolean();
        }

        @Override
        public void close() {
            agent.shutdown(false);
        }
    }
}
