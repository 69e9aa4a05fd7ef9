package io.tribune.agent.local;

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
        var def = svcs.get(0).checks().get(0).type();
        assertEquals(2, def.successBeforePassing());
        assertEquals(3, def.failuresBeforeCritical());
        assertEquals("service:web", svcs.get(0).checks().get(0).check().checkId());
        assertEquals("db1", svcs.get(1).service().id());
        assertEquals(Duration.ofSeconds(30), ConfigServices.checks(cfg).get(0).type().ttl());
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
}
