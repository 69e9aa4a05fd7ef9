package io.tribune.agent.testing.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.KvEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The simulated cluster itself: it forms, serves, fails over, and replays a seed exactly. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SimClusterTest {

    @Test
    void clusterFormsAndAWriteThroughOneClientIsReadThroughTheOther() {
        try (SimCluster c = SimCluster.builder(1).build()) {
            c.start();
            assertEquals(3, c.servers().size());
            assertTrue(c.leader().isPresent());
            CompletableFuture<Response<Boolean>> w = c.agent("c1").requests()
                    .call(new Kv.Set("k", bytes("v"), 0, OptionalLong.empty()), Options.DEFAULT);
            assertTrue(c.await(w, Duration.ofSeconds(30)), "the write did not complete");
            assertTrue(w.join().value());
            CompletableFuture<Response<Optional<KvEntry>>> r = c.agent("c2").requests()
                    .call(new Kv.Get("k"), Options.of(ReadConsistency.CONSISTENT));
            assertTrue(c.await(r, Duration.ofSeconds(30)), "the read did not complete");
            assertEquals("v", new String(r.join().value().orElseThrow().value(), StandardCharsets.UTF_8));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
