package io.tribune.state;

import static io.tribune.state.Harness.S1;
import static io.tribune.state.Harness.noMeta;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.consensus.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SnapshotTest {

    /** A store with a bit of everything. */
    static Harness populated() {
        Harness h = new Harness();
        h.run(new Command.Register(new Node("", "n1", "10.0.0.1", "dc1", Map.of("lan", "10.0.0.1"),
                Map.of("rack", "r1"), 0, 0), Optional.of(new NodeService("web1", "web", List.of("a", "b"), "",
                Map.of("v", "1"), 8080, new NodeService.Weights(3, 1), true, 0, 0)),
                List.of(HealthCheck.of("n1", "serfHealth", HealthStatus.PASSING, ""),
                        HealthCheck.of("n1", "web-http", HealthStatus.WARNING, "web1")), 0));
        h.session(S1, "n1", SessionBehavior.DELETE, 5_000, 20_000, List.of("serfHealth"), 123);
        h.put("a/1", "one");
        h.put("a/2", "two");
        h.acquire("a/lock", "held", S1, 0);
        h.delete("a/2");
        h.run(new Command.EventFire(new EventRecord("33333333-3333-3333-3333-333333333333", "deploy",
                Harness.bytes("payload"), "n.*", "", "", 0)));
        h.run(new Command.CoordinateUpdate(List.of(new Coordinate("n1", "", List.of(0.5, -0.25), 0.1, 0.01, 1e-5))));
        return h;
    }

    static byte[] snapshotBytes(StateStore s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StateMachine.StateSnapshot snap = s.snapshot();
        snap.writeTo(out);
        snap.release();
        return out.toByteArray();
    }

    @Test
    void roundTripRestoresEveryTableAndIndex() throws IOException {
        Harness h = populated();
        byte[] bytes = snapshotBytes(h.store);
        StateStore copy = new StateStore(Runnable::run);
        copy.restore(h.index, 1, new ByteArrayInputStream(bytes));

        assertEquals(h.store.lastIndex(), copy.lastIndex());
        for (Table t : Table.values()) {
            assertEquals(h.store.tableIndex(t), copy.tableIndex(t), t.name());
        }
        assertEquals(h.store.kvList(""), copy.kvList(""));
        assertEquals(h.store.kvGet("a/2"), copy.kvGet("a/2"), "tombstone index survives");
        assertEquals(h.store.kvLockDelay("a/lock"), copy.kvLockDelay("a/lock"));
        assertEquals(h.store.nodes(noMeta()), copy.nodes(noMeta()));
        assertEquals(h.store.serviceHealth("web", null, false, noMeta()),
                copy.serviceHealth("web", null, false, noMeta()));
        assertEquals(h.store.services(noMeta()), copy.services(noMeta()));
        assertEquals(h.store.sessions(), copy.sessions());
        assertEquals(h.store.nodeSessions("n1"), copy.nodeSessions("n1"));
        assertEquals(h.store.events(null), copy.events(null));
        assertEquals(h.store.coordinates(), copy.coordinates());
        assertArrayEquals(bytes, snapshotBytes(copy), "restored state writes the same snapshot");

        // Derived indexes were rebuilt: invalidating the session deletes the key it holds.
        copy.apply(h.index + 1, 1, new Command.SessionDestroy(S1, 0).encode());
        assertTrue(copy.kvGet("a/lock").value().isEmpty());
    }

    @Test
    void snapshotCapturesThePointInTimeWhileLaterWritesApply() throws IOException {
        Harness h = populated();
        StateMachine.StateSnapshot snap = h.store.snapshot();
        h.put("later", "x");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        snap.writeTo(out);
        StateStore copy = new StateStore(Runnable::run);
        copy.restore(h.index - 1, 1, new ByteArrayInputStream(out.toByteArray()));
        assertTrue(copy.kvGet("later").value().isEmpty());
        assertTrue(h.store.kvGet("later").value().isPresent());
    }

    @Test
    void everySingleByteCorruptionIsRefusedAndChangesNothing() throws IOException {
        byte[] good = snapshotBytes(populated().store);
        Harness target = new Harness();
        target.put("keep", "me");
        byte[] before = snapshotBytes(target.store);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x5a;
            int at = i;
            IOException e = assertThrows(IOException.class,
                    () -> target.store.restore(99, 1, new ByteArrayInputStream(bad)), "byte " + at);
            assertTrue(e.getMessage().contains("checksum") || e.getMessage().contains("magic"), e.getMessage());
        }
        assertArrayEquals(before, snapshotBytes(target.store));
        assertEquals("me", target.value("keep"));
    }

    @Test
    void truncatedSnapshotsAreRefused() throws IOException {
        byte[] good = snapshotBytes(populated().store);
        Harness target = new Harness();
        target.put("keep", "me");
        for (int len : new int[] {0, 3, 12, good.length / 2, good.length - 1}) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThrows(IOException.class, () -> target.store.restore(99, 1, new ByteArrayInputStream(cut)),
                    "length " + len);
        }
        assertEquals("me", target.value("keep"));
        assertEquals(1, target.store.lastIndex());
    }

    @Test
    void restoreWakesEveryWaiterAndResetsFeedSubscribers() throws IOException {
        byte[] bytes = snapshotBytes(populated().store);
        Harness h = new Harness();
        h.put("x", "1");
        CompletableFuture<Long> f = h.store.watch(WatchTarget.kvKey("unrelated"), 1);
        long[] reset = {-1};
        h.store.subscribe(new ChangeListener() {
            @Override
            public void onChanges(long index, List<Change> changes) {
            }

            @Override
            public void onReset(long index) {
                reset[0] = index;
            }
        });
        h.store.restore(500, 3, new ByteArrayInputStream(bytes));
        h.drain();
        assertEquals(500L, f.join());
        assertEquals(500, reset[0]);
        assertEquals(500, h.store.lastIndex());
        assertTrue(h.store.kvGet("x").value().isEmpty(), "replaced, not merged");
    }

    @Test
    void sameCommandsGiveByteIdenticalSnapshots() throws IOException {
        assertArrayEquals(snapshotBytes(populated().store), snapshotBytes(populated().store));
    }
}
