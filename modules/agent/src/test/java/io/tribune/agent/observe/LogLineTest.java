package io.tribune.agent.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogLineTest {
    private static final Instant T = Instant.parse("2026-12-07T16:00:00.123456Z");

    @Test
    void jdkLevelsPrintAsConsulLevelNames() {
        assertEquals(LogLevel.TRACE, LogLevel.of(Level.FINEST));
        assertEquals(LogLevel.TRACE, LogLevel.of(Level.FINER));
        assertEquals(LogLevel.DEBUG, LogLevel.of(Level.FINE));
        assertEquals(LogLevel.DEBUG, LogLevel.of(Level.CONFIG));
        assertEquals(LogLevel.INFO, LogLevel.of(Level.INFO));
        assertEquals(LogLevel.WARN, LogLevel.of(Level.WARNING));
        assertEquals(LogLevel.ERR, LogLevel.of(Level.SEVERE));
        for (LogLevel l : LogLevel.values()) {
            assertEquals(l, LogLevel.of(l.jdkLevel()), "round trip of " + l);
        }
    }

    @Test
    void levelNamesParseWithConsulAliasesAndRejectOthers() {
        assertEquals(Optional.of(LogLevel.ERR), LogLevel.parse("err"));
        assertEquals(Optional.of(LogLevel.ERR), LogLevel.parse(" ERROR "));
        assertEquals(Optional.of(LogLevel.WARN), LogLevel.parse("warning"));
        assertEquals(Optional.of(LogLevel.TRACE), LogLevel.parse("Trace"));
        assertEquals(Optional.empty(), LogLevel.parse("fine"));
        assertEquals(Optional.empty(), LogLevel.parse(null));
        assertTrue(LogLevel.WARN.atLeast(LogLevel.INFO));
        assertFalse(LogLevel.DEBUG.atLeast(LogLevel.INFO));
    }

    @Test
    void plainLineHasConsulShapeWithAlignedMessages() {
        assertEquals("2026-12-07T16:00:00.123Z [INFO]  agent: started", new LogLine(T, LogLevel.INFO, "agent", "started").text());
        assertEquals("2026-12-07T16:00:00.123Z [ERR]   agent.server: boom",
                new LogLine(T, LogLevel.ERR, "agent.server", "boom").text());
        assertEquals("2026-12-07T16:00:00.123Z [TRACE] x", new LogLine(T, LogLevel.TRACE, "", "x").text());
    }

    @Test
    void jsonLineHasHclogKeys() {
        JsonObject o = JsonParser.parseString(new LogLine(T, LogLevel.ERR, "agent", "a \"quoted\"\nline").json())
                .getAsJsonObject();
        assertEquals("error", o.get("@level").getAsString());
        assertEquals("a \"quoted\"\nline", o.get("@message").getAsString());
        assertEquals("agent", o.get("@module").getAsString());
        assertEquals("2026-12-07T16:00:00.123456Z", o.get("@timestamp").getAsString());
        assertFalse(new LogLine(T, LogLevel.INFO, "m", "x\ny").json().contains("\n"), "one object per line");
    }

    @Test
    void moduleIsThePackageBelowIoTribune() {
        assertEquals("agent", LogLine.moduleOf("io.tribune.agent.Agent"));
        assertEquals("agent.server", LogLine.moduleOf("io.tribune.agent.server.LeaderReconciler"));
        assertEquals("agent.rpc", LogLine.moduleOf("io.tribune.agent.rpc.internal.Router"));
        assertEquals("io.netty.channel", LogLine.moduleOf("io.netty.channel"));
        assertEquals("", LogLine.moduleOf(null));
    }

    @Test
    void oversizedMessageIsTruncated() {
        String m = "x".repeat(LogLine.MAX_MESSAGE_CHARS + 10);
        assertTrue(new LogLine(T, LogLevel.INFO, "", m).message().length() < LogLine.MAX_MESSAGE_CHARS + 20);
    }

    @Test
    void recordBecomesLineWithFormattedParametersAndException() {
        LogRecord r = new LogRecord(Level.WARNING, "joined {0} of {1}");
        r.setParameters(new Object[] {"a", 3});
        r.setLoggerName("io.tribune.agent.cluster.RetryJoin");
        r.setInstant(T);
        r.setThrown(new IllegalStateException("nope"));
        LogLine l = LogHandler.lineOf(r);
        assertEquals(LogLevel.WARN, l.level());
        assertEquals("agent.cluster", l.module());
        assertTrue(l.message().startsWith("joined a of 3: java.lang.IllegalStateException: nope"), l.message());
    }
}
