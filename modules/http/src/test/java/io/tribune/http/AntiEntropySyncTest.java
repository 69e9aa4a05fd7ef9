package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A dev agent with a 1 s anti-entropy interval, whose catalog entry is changed behind its back. */
@Timeout(120)
class AntiEntropySyncTest {
    private static Booted a;

    @BeforeAll
    static void start() throws Exception {
        a = Booted.start("aetest", 18432, "\"anti_entropy_interval\": \"1s\"");
        a.put("/v1/agent/service/register", "{\"ID\": \"web1\", \"Name\": \"web\", \"Port\": 80, \"Check\": "
                + "{\"CheckID\": \"web1-ttl\", \"TTL\": \"300s\", \"Status\": \"passing\"}}");
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
    }

    @Test
    void aServiceDeregisteredBehindTheAgentsBackComesBack() throws Exception {
        a.put("/v1/catalog/deregister", "{\"Node\": \"aetest\", \"ServiceID\": \"web1\"}");
        assertTrue(a.catalogCheck("web1-ttl") == null || !a.catalogServices().contains("web1"),
                "the catalog deregistration did not take");
        assertTrue(a.waitFor(Duration.ofSeconds(20), () -> {
            try {
                return a.catalogServices().contains("web1") && "passing".equals(a.catalogCheckStatus("web1-ttl"));
            } catch (Exception e) {
                return false;
            }
        }), "anti-entropy did not restore the service and its check");
        // The agent itself never lost it.
        assertTrue(a.get("/v1/agent/services").getAsJsonObject().has("web1"));
    }

    @Test
    void foreignServicesAndChecksOnThisNodeAreRemovedButSerfHealthAndConsulStay() throws Exception {
        a.put("/v1/catalog/register", "{\"Node\": \"aetest\", \"SkipNodeUpdate\": true, \"Service\": {\"ID\": "
                + "\"intruder\", \"Service\": \"intruder\", \"Port\": 9}, \"Checks\": [{\"CheckID\": \"stray\", "
                + "\"Name\": \"stray\", \"Status\": \"critical\"}]}");
        assertTrue(a.waitFor(Duration.ofSeconds(20), () -> {
            try {
                return !a.catalogServices().contains("intruder") && a.catalogCheck("stray") == null;
            } catch (Exception e) {
                return false;
            }
        }), "anti-entropy did not remove the foreign service and check");
        assertNotNull(a.catalogCheck("serfHealth"));
        assertTrue(a.catalogServices().contains("consul"), "the server's consul service was removed");
        assertTrue(a.catalogServices().contains("web1"));
    }

    @Test
    void syncsOfAnUnchangedNodeWriteNothing() throws Exception {
        assertTrue(a.waitFor(Duration.ofSeconds(20), () -> {
            try {
                return a.catalogServices().contains("web1") && !a.catalogServices().contains("intruder")
                        && "passing".equals(a.catalogCheckStatus("web1-ttl"));
            } catch (Exception e) {
                return false;
            }
        }), "the node did not settle");
        long index = DevAgent.index(a.send("GET", "/v1/catalog/node/aetest", null));
        long applied = a.agent.state().orElseThrow().lastIndex();
        // A blocking query over three sync intervals: a change to the node would wake it early, and
        // the raft index shows whether any (even a no-op) write was proposed meanwhile.
        var r = a.send("GET", "/v1/catalog/node/aetest?index=" + index + "&wait=3s", null);
        assertEquals(200, r.statusCode());
        assertEquals(index, DevAgent.index(r), "a sync of an unchanged node changed the catalog: " + r.body());
        assertEquals(applied, a.agent.state().orElseThrow().lastIndex(), "a sync of an unchanged node wrote");
    }

    @Test
    void aCheckStatusChangedInTheCatalogIsRepaired() throws Exception {
        a.put("/v1/catalog/register", "{\"Node\": \"aetest\", \"SkipNodeUpdate\": true, \"Check\": {\"CheckID\": "
                + "\"web1-ttl\", \"Name\": \"Service 'web' check\", \"ServiceID\": \"web1\", \"Status\": \"critical\"}}");
        assertTrue(a.waitFor(Duration.ofSeconds(20), () -> "passing".equals(a.catalogCheckStatus("web1-ttl"))),
                "anti-entropy did not restore the check's status");
        assertEquals("passing", a.catalogCheckStatus("web1-ttl"));
    }
}
