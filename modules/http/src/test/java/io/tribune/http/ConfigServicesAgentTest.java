package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The services and checks of the config files are registered at start and show in the HTTP API. */
class ConfigServicesAgentTest {

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
}
