package io.tribune.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.tribune.api.grpc.v1.ErrorReason;
import io.tribune.api.grpc.v1.HealthCheck;
import io.tribune.api.grpc.v1.HealthStatus;
import io.tribune.api.grpc.v1.LocalCheck;
import io.tribune.api.grpc.v1.Service;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link AgentLocal}: registration with a TTL check kept alive by pass/warn/fail, lists and errors. */
@Timeout(60)
class AgentLocalClientTest {
    static DevAgentFixture dev;
    static TribuneClient client;

    @BeforeAll
    static void start() {
        dev = new DevAgentFixture("agentlocal-client", 18492);
        client = dev.client();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (dev != null) {
            dev.close();
        }
    }

    static HealthCheck check(String id) {
        return client.agentLocal().checks().stream().filter(c -> c.getCheckId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void serviceWithTtlCheckFollowsPassWarnFailAndDeregisters() {
        client.agentLocal().registerService(Service.newBuilder().setId("db-1").setService("db").setPort(5432).build(),
                List.of(LocalCheck.newBuilder().setCheckId("db-ttl").setName("db ttl").setTtlMillis(60_000).build()));
        assertTrue(client.agentLocal().services().stream().anyMatch(s -> s.getId().equals("db-1")));
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, check("db-ttl").getStatus());
        client.agentLocal().pass("db-ttl", "up");
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, check("db-ttl").getStatus());
        assertEquals("up", check("db-ttl").getOutput());
        client.agentLocal().warn("db-ttl", "slow");
        assertEquals(HealthStatus.HEALTH_STATUS_WARNING, check("db-ttl").getStatus());
        client.agentLocal().fail("db-ttl", "down");
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, check("db-ttl").getStatus());
        assertEquals("down", check("db-ttl").getOutput());

        client.agentLocal().registerCheck(LocalCheck.newBuilder().setCheckId("node-ttl").setName("node")
                .setTtlMillis(60_000).setStatus(HealthStatus.HEALTH_STATUS_PASSING).build());
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, check("node-ttl").getStatus());
        client.agentLocal().deregisterCheck("node-ttl");

        client.agentLocal().deregisterService("db-1");
        assertTrue(client.agentLocal().services().stream().noneMatch(s -> s.getId().equals("db-1")));
        TribuneException e = assertThrows(TribuneException.class, () -> client.agentLocal().deregisterService("db-1"));
        assertEquals(Status.Code.NOT_FOUND, e.code());
        assertEquals(ErrorReason.ERROR_REASON_NOT_FOUND, e.reason());
        e = assertThrows(TribuneException.class, () -> client.agentLocal().pass("db-ttl", ""));
        assertEquals(Status.Code.NOT_FOUND, e.code());
    }

    @Test
    void aBadDefinitionIsInvalidArgument() {
        TribuneException e = assertThrows(TribuneException.class, () -> client.agentLocal().registerService(
                Service.newBuilder().setService("x").build(), List.of(LocalCheck.newBuilder().setHttp("ftp://x")
                        .setIntervalMillis(10_000).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("http://"), e.getMessage());
        assertTrue(client.agentLocal().services().stream().noneMatch(s -> s.getService().equals("x")));
    }
}
