package io.tribune.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The name table, unit suffixes, Consul 1.4's HTTP names and Prometheus names. */
class ConsulNamesTest {

    @Test
    void pluginNamesWithAConsulCounterpartAreMappedOthersKeptScoped() {
        assertEquals("raft.apply", ConsulNames.pluginName("raft.apply"));
        assertEquals("raft.commitTime", ConsulNames.pluginName("raft.commit-time"));
        assertEquals("raft.leader.lastContact", ConsulNames.pluginName("raft.leader.last-contact"));
        assertEquals("raft.state.candidate", ConsulNames.pluginName("raft.state.candidate"));
        assertEquals("memberlist.health.score", ConsulNames.pluginName("gossip-swim.health.score"));
        assertEquals("memberlist.msg.dead", ConsulNames.pluginName("gossip-swim.dead.declared"));
        assertEquals("transport-grpc.rpc.calls", ConsulNames.pluginName("transport-grpc.rpc.calls"));
        // The WAN pool is scoped apart and not taken for the LAN pool's memberlist figures.
        assertEquals("gossip-swim-wan.health.score", ConsulNames.pluginName("gossip-swim-wan.health.score"));
    }

    @Test
    void unitSuffixMakesATimerAndIsDropped() {
        assertEquals(new ConsulNames.Unit("raft.commit-time", Optional.of(TimeUnit.MICROSECONDS)),
                ConsulNames.unit("raft.commit-time-us"));
        assertEquals(new ConsulNames.Unit("x", Optional.of(TimeUnit.MILLISECONDS)), ConsulNames.unit("x-ms"));
        assertEquals(new ConsulNames.Unit("x", Optional.of(TimeUnit.NANOSECONDS)), ConsulNames.unit("x-ns"));
        assertEquals(new ConsulNames.Unit("sizes", Optional.empty()), ConsulNames.unit("sizes"));
        assertEquals(new ConsulNames.Unit("-us", Optional.empty()), ConsulNames.unit("-us"), "a bare suffix is a name");
    }

    @Test
    void httpNamesHaveConsul14Shape() {
        assertEquals("http.GET.v1.kv._", ConsulNames.http("GET", "/v1/kv/"));
        assertEquals("http.PUT.v1.txn", ConsulNames.http("PUT", "/v1/txn"));
        assertEquals("http.GET.v1.agent.metrics", ConsulNames.http("GET", "/v1/agent/metrics"));
        assertEquals("http.GET.v1.catalog._", ConsulNames.http("GET", "/v1/catalog/"));
    }

    @Test
    void prometheusNamesReplaceDotsAndForbiddenCharactersKeepCase() {
        assertEquals("consul_raft_commitTime", ConsulNames.prometheus("consul.raft.commitTime"));
        assertEquals("consul_http_GET_v1_kv__", ConsulNames.prometheus("consul.http.GET.v1.kv._"));
        assertEquals("consul_dc1_server_1_runtime_alloc_bytes",
                ConsulNames.prometheus("consul.dc1-server-1.runtime.alloc_bytes"));
        assertEquals("_abc", ConsulNames.prometheus("1abc"), "a name must not start with a digit");
    }

    @Test
    void leaderWritesGetConsulEndpointTimers() {
        assertEquals(Optional.of("kvs.apply"), ConsulNames.write("Kv.Set"));
        assertEquals(Optional.of("kvs.apply"), ConsulNames.write("Kv.DeleteTree"));
        assertEquals(Optional.of("catalog.register"), ConsulNames.write("Catalog.Register"));
        assertEquals(Optional.of("txn.apply"), ConsulNames.write("Txn.Apply"));
        assertEquals(Optional.of("session.apply"), ConsulNames.write("Sessions.Create"));
        assertEquals(Optional.empty(), ConsulNames.write("Acl.Bootstrap"));
    }
}
