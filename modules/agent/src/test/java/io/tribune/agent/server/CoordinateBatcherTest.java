package io.tribune.agent.server;

import static io.tribune.agent.testing.DevAgents.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.config.CoordinateSettings;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.testing.DevAgents;
import io.tribune.state.Coordinate;
import io.tribune.state.Node;
import io.tribune.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leader's batching of coordinate updates on a dev agent: batches and their limits, the latest
 * per node, refusal of unknown nodes. The batcher under test is never started: the test flushes it,
 * so no timing is involved.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoordinateBatcherTest {
    private static Agent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgents.start("batcher", 18531);
        for (int i = 1; i <= 7; i++) {
            call(a, new Catalog.Register(new Node("", "b" + i, "127.0.0.1", "", Map.of(), Map.of(), 0, 0),
                    Optional.empty(), List.of(), false));
        }
    }

    @AfterAll
    static void stop() {
        a.shutdown(false);
    }

    static Coordinate coord(String node, double error) {
        List<Double> vec = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            vec.add(0.001 * i);
        }
        return new Coordinate(node, "", vec, error, 0.0001, 0.00002);
    }

    private static CoordinateBatcher batcher(int batchSize, int maxBatches) {
        return new CoordinateBatcher(a.consensus().orElseThrow(),
                new CoordinateSettings(Duration.ofHours(1), batchSize, maxBatches));
    }

    private static StateStore state() {
        return a.state().orElseThrow();
    }

    private static Optional<Coordinate> stored(String node) {
        return state().nodeCoordinates(node).value().stream().findFirst();
    }

    @Test
    void flushWritesBatchesOfBatchSizeAndDropsWhatExceedsTheLimit() throws Exception {
        CoordinateBatcher b = batcher(2, 2);
        for (int i = 1; i <= 5; i++) {
            b.offer(new Coordinates.Update(List.of(coord("b" + i, 0.1 * i))), state());
        }
        assertEquals(4, b.pending(), "batch size 2 x 2 batches: at most 4 held");
        assertEquals(1, b.discarded());
        assertEquals(4L, b.flush().get(10, TimeUnit.SECONDS));
        assertEquals(2, b.proposals(), "two Raft entries for four coordinates");
        assertEquals(0, b.pending());
        for (int i = 1; i <= 4; i++) {
            assertEquals(0.1 * i, stored("b" + i).orElseThrow().error(), 1e-12);
        }
        assertEquals(0L, b.flush().get(10, TimeUnit.SECONDS), "nothing queued, nothing written");
    }

    @Test
    void aNodeQueuedTwiceKeepsItsLatestCoordinate() throws Exception {
        CoordinateBatcher b = batcher(128, 5);
        b.offer(new Coordinates.Update(List.of(coord("b6", 0.7))), state());
        b.offer(new Coordinates.Update(List.of(coord("b6", 0.3))), state());
        assertEquals(1, b.pending());
        assertEquals(1L, b.flush().get(10, TimeUnit.SECONDS));
        assertEquals(0.3, stored("b6").orElseThrow().error(), 1e-12);
    }

    @Test
    void anUnknownNodeRefusesTheWholeUpdateAndQueuesNothing() {
        CoordinateBatcher b = batcher(128, 5);
        AgentException e = assertThrows(AgentException.class, () -> b.offer(new Coordinates.Update(
                List.of(coord("b1", 0.2), coord("ghost", 0.2))), state()));
        assertEquals(AgentException.Kind.BAD_REQUEST, e.kind());
        assertTrue(e.getMessage().contains("'ghost' refused: the node is not registered"), e.getMessage());
        assertEquals(0, b.pending());
    }

    /** A membership that only has a coordinate: what the sender reads. */
    private static io.tribune.api.membership.Membership withCoordinate(
            Optional<io.tribune.api.membership.NetworkCoordinate> c) {
        return (io.tribune.api.membership.Membership) java.lang.reflect.Proxy.newProxyInstance(
                CoordinateBatcherTest.class.getClassLoader(), new Class<?>[] {io.tribune.api.membership.Membership.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("coordinate")) {
                        return c;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void theSenderPublishesThePoolsCoordinateAndNothingUnpublishable() throws Exception {
        List<Double> vec = coord("b7", 0).vec();
        var pool = withCoordinate(Optional.of(new io.tribune.api.membership.NetworkCoordinate(vec, 0.25, 0.001, 0.0002)));
        var sender = new io.tribune.agent.cluster.CoordinateSender("b7", pool, a.requests(), CoordinateSettings.DEFAULT);
        assertEquals(new Coordinate("b7", "", vec, 0.25, 0.001, 0.0002), sender.current().orElseThrow());
        assertTrue(sender.sendNow().get(10, TimeUnit.SECONDS));
        assertEquals(1, sender.sent());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stored("b7").isEmpty()) {
            assertTrue(System.nanoTime() < end, "the sent coordinate was written within 30 s");
            Thread.sleep(50);
        }
        assertEquals(0.25, stored("b7").orElseThrow().error(), 1e-12);
        // Nothing to send: no coordinate yet, or one of another dimensionality.
        var none = new io.tribune.agent.cluster.CoordinateSender("b7", withCoordinate(Optional.empty()), a.requests(),
                CoordinateSettings.DEFAULT);
        assertEquals(false, none.sendNow().get(10, TimeUnit.SECONDS));
        var flat = new io.tribune.agent.cluster.CoordinateSender("b7", withCoordinate(Optional.of(
                new io.tribune.api.membership.NetworkCoordinate(List.of(0.1, 0.2), 0.5, 0, 0))), a.requests(),
                CoordinateSettings.DEFAULT);
        assertTrue(flat.current().isEmpty());
        assertEquals(0, flat.sent() + flat.failed());
    }

    @Test
    void updatesThroughTheRequestLayerAreQueuedThenWrittenByTheAgentsBatcher() throws Exception {
        // The agent's own batcher flushes every 5 s (the default period); the answer comes before.
        assertTrue(call(a, new Coordinates.Update(List.of(coord("b5", 0.55)))).value());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stored("b5").map(c -> c.error() != 0.55).orElse(true)) {
            assertTrue(System.nanoTime() < end, "the coordinate was written within 30 s");
            Thread.sleep(50);
        }
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> call(a, new Coordinates.Update(
                List.of(coord("nobody", 0.5)))));
        assertEquals(AgentException.Kind.BAD_REQUEST, ((AgentException) e.getCause()).kind());
    }
}
