package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TombstoneGcTest {

    @Test
    void indexBecomesDueOnlyAfterItsBucketAgedPastTheTtl() {
        TombstoneGc gc = new TombstoneGc(Duration.ofMinutes(15), Duration.ofSeconds(30));
        gc.hint(10, 0);
        gc.hint(12, 29_999);        // same bucket
        gc.hint(20, 30_000);        // next bucket
        assertEquals(2, gc.pendingBuckets());
        long ttl = 15 * 60_000;
        assertEquals(OptionalLong.empty(), gc.due(30_000 + ttl - 1));
        assertEquals(OptionalLong.of(12), gc.due(30_000 + ttl));
        assertEquals(OptionalLong.empty(), gc.due(30_000 + ttl), "returned once");
        assertEquals(OptionalLong.of(20), gc.due(60_000 + ttl));
        assertEquals(0, gc.pendingBuckets());
    }

    @Test
    void drivesAReapThatForgetsOnlyOldTombstones() {
        Harness h = new Harness();
        TombstoneGc gc = new TombstoneGc(Duration.ofSeconds(60), Duration.ofSeconds(10));
        h.put("a", "1");
        h.delete("a");
        gc.hint(h.store.lastIndex(), 0);
        h.put("b", "1");
        h.delete("b");
        gc.hint(h.store.lastIndex(), 50_000);
        long upTo = gc.due(70_000).orElseThrow();
        h.run(new Command.TombstoneReap(upTo, 70_000));
        assertEquals(1, h.store.kvTombstoneCount(), "b's tombstone is younger than the TTL");
    }

    @Test
    void badConfigurationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TombstoneGc(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new TombstoneGc(Duration.ofSeconds(1), Duration.ofSeconds(2)));
    }
}
