package io.tribune.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.observe.LogBroker;
import io.tribune.agent.observe.LogLevel;
import io.tribune.agent.observe.LogLine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The monitor's pump, driven by hand through a fake connection (no sockets, no sleeps). */
class MonitorPumpTest {
    /** A connection whose tasks run only when the test says so. */
    static final class FakeSink implements HttpResponse.StreamSink {
        final List<String> lines = new ArrayList<>();
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        final ArrayDeque<Runnable> delayed = new ArrayDeque<>();
        final List<Runnable> onClose = new ArrayList<>();
        boolean writable = true;
        boolean open = true;

        @Override
        public boolean send(byte[] bytes) {
            if (!open) {
                return false;
            }
            String s = new String(bytes, StandardCharsets.UTF_8);
            assertTrue(s.endsWith("\n"), "whole lines only");
            lines.addAll(Arrays.asList(s.substring(0, s.length() - 1).split("\n")));
            return true;
        }

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public void end() {
            open = false;
        }

        @Override
        public void onClose(Runnable r) {
            onClose.add(r);
        }

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        @Override
        public void schedule(Runnable r, long delayMillis) {
            delayed.add(r);
        }

        void runTasks() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }

        void clientGoesAway() {
            open = false;
            onClose.forEach(Runnable::run);
        }
    }

    private static LogLine line(LogLevel l, String m) {
        return new LogLine(Instant.parse("2026-12-07T16:00:00Z"), l, "agent", m);
    }

    @Test
    void streamsLinesAtTheAskedLevelInConsulShape() {
        LogBroker broker = new LogBroker();
        FakeSink sink = new FakeSink();
        new MonitorRoutes.Pump(broker, LogLevel.INFO, false, sink).start();
        broker.publish(line(LogLevel.DEBUG, "hidden"));
        broker.publish(line(LogLevel.INFO, "shown"));
        broker.publish(line(LogLevel.ERR, "bad"));
        sink.runTasks();
        assertEquals(List.of("2026-12-07T16:00:00.000Z [INFO]  agent: shown",
                "2026-12-07T16:00:00.000Z [ERR]   agent: bad"), sink.lines);
    }

    @Test
    void jsonLinesWithLogjson() {
        LogBroker broker = new LogBroker();
        FakeSink sink = new FakeSink();
        new MonitorRoutes.Pump(broker, LogLevel.TRACE, true, sink).start();
        broker.publish(line(LogLevel.WARN, "w"));
        sink.runTasks();
        assertEquals(List.of("{\"@level\":\"warn\",\"@message\":\"w\",\"@module\":\"agent\","
                + "\"@timestamp\":\"2026-12-07T16:00:00.000000Z\"}"), sink.lines);
    }

    @Test
    void slowClientLosesLinesWithACountedNoticeAndLoggingNeverWaits() {
        LogBroker broker = new LogBroker();
        FakeSink sink = new FakeSink();
        new MonitorRoutes.Pump(broker, LogLevel.INFO, false, sink).start();
        sink.writable = false;
        int n = MonitorRoutes.BUFFER_LINES + 100;
        for (int i = 0; i < n; i++) {
            broker.publish(line(LogLevel.INFO, "m" + i)); // returns at once although nobody reads
        }
        sink.runTasks();
        assertEquals(List.of(), sink.lines, "nothing written while the client does not keep up");
        assertEquals(1, sink.delayed.size(), "looks again later");
        sink.writable = true;
        sink.delayed.poll().run();
        sink.runTasks();
        assertTrue(sink.lines.get(0).endsWith("[WARN]  agent.monitor: dropped 100 log lines: the client reads too slowly"),
                sink.lines.get(0));
        assertEquals(1 + MonitorRoutes.BUFFER_LINES, sink.lines.size(), "the buffered lines follow, in batches");
        assertTrue(sink.lines.get(1).endsWith("agent: m0"));
        assertTrue(sink.lines.get(MonitorRoutes.BUFFER_LINES).endsWith("agent: m" + (MonitorRoutes.BUFFER_LINES - 1)));
    }

    @Test
    void clientGoingAwayStopsTheWatcher() {
        LogBroker broker = new LogBroker();
        FakeSink sink = new FakeSink();
        new MonitorRoutes.Pump(broker, LogLevel.INFO, false, sink).start();
        assertEquals(1, broker.watchers());
        sink.clientGoesAway();
        assertEquals(0, broker.watchers());
        broker.publish(line(LogLevel.INFO, "late"));
        sink.runTasks();
        assertEquals(List.of(), sink.lines);
    }
}
