package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /v1/operator/raft/*} on a dev agent (a single-server configuration). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OperatorApiTest {
    private static DevAgent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("optest", 18421);
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
    }

    @Test
    void configurationListsTheOnlyServerAsLeaderAndVoterInConsulsShape() throws Exception {
        HttpResponse<String> r = a.send("GET", "/v1/operator/raft/configuration", null);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(DevAgent.index(r) > 0);
        JsonObject cfg = com.google.gson.JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals(1, cfg.getAsJsonArray("Servers").size());
        JsonObject s = cfg.getAsJsonArray("Servers").get(0).getAsJsonObject();
        assertEquals("optest", s.get("Node").getAsString());
        assertEquals(java.util.UUID.nameUUIDFromBytes("tribune-node:optest".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString(), s.get("ID").getAsString());
        assertEquals(a.agent.transport().localEndpoint().toString(), s.get("Address").getAsString());
        assertTrue(s.get("Leader").getAsBoolean());
        assertTrue(s.get("Voter").getAsBoolean());
        assertEquals("3", s.get("ProtocolVersion").getAsString());
        assertEquals(DevAgent.index(r), cfg.get("Index").getAsLong());
        assertEquals("true", r.headers().firstValue("X-Consul-KnownLeader").orElseThrow());
    }

    @Test
    void removePeerRejectsBadRequestsAndLeavesTheConfigurationAlone() throws Exception {
        String before = a.get("/v1/operator/raft/configuration").getAsJsonObject().get("Servers").toString();
        HttpResponse<String> none = a.send("DELETE", "/v1/operator/raft/peer", null);
        assertEquals(400, none.statusCode(), none.body());
        assertTrue(none.body().contains("?id"), none.body());
        assertEquals(400, a.send("DELETE", "/v1/operator/raft/peer?id=x&address=1.2.3.4:8300", null).statusCode());
        HttpResponse<String> unknown = a.send("DELETE", "/v1/operator/raft/peer?id=no-such-server", null);
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("no-such-server") && unknown.body().contains("not found"), unknown.body());
        HttpResponse<String> addr = a.send("DELETE", "/v1/operator/raft/peer?address=10.9.9.9:8300", null);
        assertEquals(400, addr.statusCode());
        assertEquals(405, a.send("PUT", "/v1/operator/raft/peer?id=optest", null).statusCode());
        assertEquals(405, a.send("DELETE", "/v1/operator/raft/configuration", null).statusCode());
        assertEquals(404, a.send("GET", "/v1/operator/raft/nothing", null).statusCode());
        assertEquals(before, a.get("/v1/operator/raft/configuration").getAsJsonObject().get("Servers").toString());
    }
}
