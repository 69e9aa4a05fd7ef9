package io.tribune.agent.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LogBrokerTest {
    private static LogLine line(LogLevel l, String m) {
        return new LogLine(Instant.EPOCH, l, "t", m);
    }

    @Test
    void watcherGetsLinesAtItsLevelOrAboveInOrder() {
        LogBroker b = new LogBroker();
        LogBroker.Watcher w = b.watch(LogLevel.WARN, 10, () -> { });
        b.publish(line(LogLevel.INFO, "i"));
        b.publish(line(LogLevel.WARN, "w"));
        b.publish(line(LogLevel.ERR, "e"));
        assertEquals(List.of("w", "e"), w.drain(10).stream().map(LogLine::message).toList());
        assertEquals(0, w.takeDropped());
    }

    @Test
    void fullBufferDropsAndCountsWithoutBlocking() {
        LogBroker b = new LogBroker();
        LogBroker.Watcher w = b.watch(LogLevel.TRACE, 3, () -> { });
        for (int i = 0; i < 10; i++) {
            b.publish(line(LogLevel.INFO, "m" + i));
        }
        assertEquals(7, w.takeDropped());
        assertEquals(0, w.takeDropped(), "the count resets once reported");
        assertEquals(List.of("m0", "m1", "m2"), w.drain(10).stream().map(LogLine::message).toList());
    }

    @Test
    void wakeupOncePerDrainNotPerLine() {
        LogBroker b = new LogBroker();
        AtomicInteger wakeups = new AtomicInteger();
        LogBroker.Watcher w = b.watch(LogLevel.INFO, 100, wakeups::incrementAndGet);
        b.publish(line(LogLevel.INFO, "a"));
        b.publish(line(LogLevel.INFO, "b"));
        assertEquals(1, wakeups.get());
        w.drain(100);
        b.publish(line(LogLevel.INFO, "c"));
        assertEquals(2, wakeups.get());
    }

    @Test
    void drainBeyondMaxAsksToBeCalledAgain() {
        LogBroker b = new LogBroker();
        AtomicInteger wakeups = new AtomicInteger();
        LogBroker.Watcher w = b.watch(LogLevel.INFO, 100, wakeups::incrementAndGet);
        for (int i = 0; i < 5; i++) {
            b.publish(line(LogLevel.INFO, "m" + i));
        }
        assertEquals(2, w.drain(2).size());
        assertEquals(2, wakeups.get());
        List<LogLine> rest = new ArrayList<>(w.drain(10));
        assertEquals(3, rest.size());
    }

    @Test
    void closedWatcherGetsNothingAndLevelsFollowWatchers() {
        LogBroker b = new LogBroker();
        AtomicInteger changes = new AtomicInteger();
        b.onLevelsChanged(changes::incrementAndGet);
        assertEquals(Optional.empty(), b.mostVerbose());
        LogBroker.Watcher info = b.watch(LogLevel.INFO, 10, () -> { });
        LogBroker.Watcher debug = b.watch(LogLevel.DEBUG, 10, () -> { });
        assertEquals(Optional.of(LogLevel.DEBUG), b.mostVerbose());
        debug.close();
        debug.close();
        assertEquals(Optional.of(LogLevel.INFO), b.mostVerbose());
        assertEquals(3, changes.get());
        b.publish(line(LogLevel.ERR, "x"));
        assertEquals(List.of(), debug.drain(10));
        assertEquals(1, info.drain(10).size());
        assertEquals(1, b.watchers());
    }

    @Test
    void capacityAndWatcherCountAreBounded() {
        LogBroker b = new LogBroker();
        assertThrows(IllegalArgumentException.class, () -> b.watch(LogLevel.INFO, 0, () -> { }));
        assertThrows(IllegalArgumentException.class, () -> b.watch(LogLevel.INFO, LogBroker.MAX_CAPACITY + 1, () -> { }));
        for (int i = 0; i < LogBroker.MAX_WATCHERS; i++) {
            b.watch(LogLevel.INFO, 1, () -> { });
        }
        assertThrows(IllegalStateException.class, () -> b.watch(LogLevel.INFO, 1, () -> { }));
    }
}
