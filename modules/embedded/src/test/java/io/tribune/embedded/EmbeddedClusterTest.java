package io.tribune.embedded;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ecwid.consul.v1.ConsistencyMode;
import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.kv.model.GetValue;
import io.tribune.embedded.junit.TribuneCluster;
import io.tribune.testkit.Poll;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An embedded cluster of 3 servers and a client agent (raft, gossip-swim, transport-grpc on
 * 127.0.45.1), used through an ordinary Consul HTTP client: a write through one agent is read
 * through the others, and killing the leader elects another while writes go on. The tests share
 * the class's cluster; each leaves it with every agent running.
 */
@TribuneCluster(servers = 3, clients = 1, bindAddress = "127.0.45.1")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedClusterTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private static ConsulClient consul(EmbeddedCluster.Node n) {
        return new ConsulClient(n.httpAddress().getHostString(), n.httpAddress().getPort());
    }

    private static String read(EmbeddedCluster.Node n, String key, ConsistencyMode mode) {
        GetValue v = consul(n).getKVValue(key, new QueryParams(mode)).getValue();
        return v == null ? null : v.getDecodedValue();
    }

    @Test
    @Order(1)
    void startReturnsWithOneLeaderFollowedByEveryServerAndAddressesOnTheChosenLoopback(EmbeddedCluster cluster)
            throws Exception {
        assertEquals(List.of("server-1", "server-2", "server-3", "client-1"),
                cluster.nodes().stream().map(EmbeddedCluster.Node::name).toList());
        assertDoesNotThrow(cluster::awaitLeader, "a server leads, followed by the others");
        for (EmbeddedCluster.Node n : cluster.nodes()) {
            assertEquals("127.0.45.1", n.httpAddress().getHostString(), n.name());
            assertEquals("127.0.45.1", n.dnsAddress().getHostString(), n.name());
            assertEquals("127.0.45.1", n.grpcAddress().getHostString(), n.name());
            assertTrue(n.running());
        }
        // every agent names the same leader (polled: a loaded machine may hold an election meanwhile)
        assertTrue(Poll.until(LIMIT, () -> cluster.nodes().stream().map(n -> consul(n).getStatusLeader().getValue())
                .distinct().filter(l -> l != null && !l.isEmpty()).count() == 1
                && cluster.nodes().stream().noneMatch(n -> consul(n).getStatusLeader().getValue().isEmpty())),
                "the agents do not agree on one leader");
        assertEquals(3, consul(cluster.clients().get(0)).getStatusPeers().getValue().size());
    }

    @Test
    @Order(2)
    void aWriteThroughOneAgentIsReadThroughEveryOther(EmbeddedCluster cluster) throws Exception {
        EmbeddedCluster.Node follower = cluster.servers().stream().filter(n -> !n.isLeader()).findFirst().orElseThrow();
        assertTrue(consul(follower).setKVValue("app/mode", "written-via-" + follower.name()).getValue());
        for (EmbeddedCluster.Node n : cluster.nodes()) {
            // default consistency goes to the leader: the acknowledged write is there
            assertEquals("written-via-" + follower.name(), read(n, "app/mode", ConsistencyMode.DEFAULT), n.name());
        }
        // and it is replicated: each server's own state has it (stale reads answer locally)
        for (EmbeddedCluster.Node s : cluster.servers()) {
            assertTrue(Poll.until(LIMIT, () -> ("written-via-" + follower.name())
                    .equals(read(s, "app/mode", ConsistencyMode.STALE))), s.name() + " never applied the write");
        }
        EmbeddedCluster.Node client = cluster.clients().get(0);
        assertTrue(consul(client).setKVValue("app/from-client", "c").getValue());
        assertEquals("c", read(cluster.awaitLeader(), "app/from-client", ConsistencyMode.CONSISTENT));
    }

    @Test
    @Order(3)
    void killingTheLeaderElectsAnotherAndTheRestartedServerCatchesUp(EmbeddedCluster cluster) throws Exception {
        EmbeddedCluster.Node old = cluster.awaitLeader();
        old.kill();
        assertFalse(old.running());
        EmbeddedCluster.Node now = cluster.awaitLeader();
        assertNotEquals(old.name(), now.name(), "a killed server cannot lead");
        // writes go on through the client agent, which finds the new leader
        EmbeddedCluster.Node client = cluster.clients().get(0);
        assertTrue(Poll.until(LIMIT, () -> {
            try {
                return consul(client).setKVValue("after/failover", "yes").getValue();
            } catch (RuntimeException e) {
                return false; // a request during the election may fail; the client retries
            }
        }), "no write succeeded after the leader was killed");
        assertEquals("yes", read(now, "after/failover", ConsistencyMode.CONSISTENT));

        old.restart();
        assertTrue(old.running());
        // same addresses, its kept log, and the entries written while it was down
        assertTrue(Poll.until(LIMIT, () -> "yes".equals(read(old, "after/failover", ConsistencyMode.STALE))),
                old.name() + " did not catch up after its restart");
        assertEquals(3, cluster.awaitLeader().agent().consensus().orElseThrow().configuration().size());
    }

    @Test
    @Order(4)
    void killAndRestartRefuseTheWrongStateAndChangeNothing(EmbeddedCluster cluster) {
        EmbeddedCluster.Node n = cluster.servers().get(1);
        assertThrows(IllegalStateException.class, n::restart, "restart of a running agent");
        assertTrue(n.running());
        assertThrows(IllegalArgumentException.class, () -> cluster.node("server-9"));
    }

    @Test
    void theBuilderRefusesBadShapesAndNonLoopbackAddresses() {
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCluster.builder().servers(0));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCluster.builder().servers(8));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCluster.builder().clients(-1));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCluster.builder().clients(17));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCluster.builder().bindAddress("10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCluster.builder().bindAddress("localhost"));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCluster.builder().datacenter("no dc"));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCluster.builder().logLevel("loud"));
    }

    /**
     * A second cluster in the same (now warm) JVM is separate from the class's and starts to a leader;
     * prints {@code embedded-cluster-start ms=N}: builder().start() until every server follows one leader.
     */
    @Test
    @Order(5)
    void aSecondClusterInTheSameJvmIsSeparate(EmbeddedCluster first) {
        long t0 = System.nanoTime();
        try (EmbeddedCluster second = EmbeddedCluster.builder().servers(3).bindAddress("127.0.45.2").start()) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("embedded-cluster-start ms=" + ms + " servers=3 clients=0 (warm JVM)");
            EmbeddedCluster.Node s = second.awaitLeader();
            assertEquals(3, s.agent().membership().members().size(), "the clusters must not join each other");
            assertEquals(null, read(s, "app/mode", ConsistencyMode.DEFAULT), "the second cluster has its own KV");
        }
        assertEquals(4, first.awaitLeader().agent().membership().members().size());
    }
}
