package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The replicated autopilot configuration: compare-and-set, codec, snapshot version 6 (and 5 still read). */
class AutopilotStateTest {
    static AutopilotConfig config(boolean cleanup, long thresholdMs) {
        return new AutopilotConfig(cleanup, thresholdMs, 100, 5_000, "zone", true, "ver", 0, 0);
    }

    @Test
    void casStoresOnlyOnTheExpectedModifyIndexAndKeepsTheCreateIndex() {
        Harness h = new Harness();
        assertTrue(h.store.autopilotConfig().isEmpty());
        assertEquals(new CommandResult.Bool(false), h.run(new Command.AutopilotSet(config(false, 300), 7)));
        assertTrue(h.store.autopilotConfig().isEmpty(), "a failed CAS stores nothing");
        assertEquals(new CommandResult.Bool(true), h.run(new Command.AutopilotSet(config(false, 300), 0)));
        long created = h.index;
        AutopilotConfig stored = h.store.autopilotConfig().orElseThrow();
        assertEquals(config(false, 300).withIndexes(created, created), stored);
        assertEquals(new CommandResult.Bool(false), h.run(new Command.AutopilotSet(config(true, 1), 0)));
        assertEquals(stored, h.store.autopilotConfig().orElseThrow());
        assertEquals(new CommandResult.Bool(true), h.run(new Command.AutopilotSet(config(true, 1), created)));
        assertEquals(config(true, 1).withIndexes(created, h.index), h.store.autopilotConfig().orElseThrow());
        assertEquals(new CommandResult.Bool(true), h.run(new Command.AutopilotSet(config(true, 2), -1)));
        assertEquals(2, h.store.autopilotConfig().orElseThrow().lastContactThresholdMs());
    }

    @Test
    void commandRoundTripsThroughTheCodecAndBadFieldsAreRefused() {
        Command c = new Command.AutopilotSet(config(false, 250), 42);
        assertEquals(c, Command.decode(c.encode()));
        assertEquals(112, c.encode()[1] & 0xff);
        assertThrows(IllegalArgumentException.class, () -> config(true, -1));
        assertThrows(IllegalArgumentException.class, () -> new Command.AutopilotSet(config(true, 1), -2));
        assertTrue(CommandValidator.validate(c).isEmpty());
    }

    @Test
    void snapshotVersionSixCarriesTheConfigurationAndVersionFiveStillReads() throws IOException {
        Harness h = new Harness();
        h.put("k", "v");
        h.run(new Command.PreparedQuerySet(PreparedQueryStateTest.query(PreparedQueryStateTest.Q1, "web", "web")));
        byte[] v5 = SnapshotTest.snapshotBytes(h.store);
        assertEquals(5, v5[11]);
        StateStore old = new StateStore(Runnable::run);
        old.restore(h.index, 1, new ByteArrayInputStream(v5));
        assertTrue(old.autopilotConfig().isEmpty());
        assertArrayEquals(v5, SnapshotTest.snapshotBytes(old), "no configuration: version 5 unchanged");

        h.run(new Command.AutopilotSet(config(false, 300), -1));
        byte[] v6 = SnapshotTest.snapshotBytes(h.store);
        assertEquals(6, v6[11]);
        StateStore copy = new StateStore(Runnable::run);
        copy.restore(h.index, 1, new ByteArrayInputStream(v6));
        assertEquals(h.store.autopilotConfig(), copy.autopilotConfig());
        assertEquals(h.store.preparedQueries(), copy.preparedQueries());
        assertArrayEquals(v6, SnapshotTest.snapshotBytes(copy));

        // only the configuration (no queries, no ACL): version 6 still reads back
        Harness bare = new Harness();
        bare.run(new Command.AutopilotSet(config(true, 9), -1));
        byte[] only = SnapshotTest.snapshotBytes(bare.store);
        StateStore again = new StateStore(Runnable::run);
        again.restore(bare.index, 1, new ByteArrayInputStream(only));
        assertEquals(9, again.autopilotConfig().orElseThrow().lastContactThresholdMs());
        byte[] bad = v6.clone();
        bad[bad.length - 10] ^= 1;
        assertThrows(IOException.class, () -> new StateStore(Runnable::run).restore(h.index, 1,
                new ByteArrayInputStream(bad)));
    }
}
