package io.tribune.agent.observe;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The agent's one {@code java.util.logging} handler: turns each record into a {@link LogLine} and
 * writes it, at the agent's level or above, to standard error and the log file (plain or JSON), and
 * hands every line to the {@link LogBroker} for monitors, which filter by their own level.
 *
 * <p>{@link #install} makes it the root logger's only handler and keeps the root level at the most
 * verbose of the agent's level and any running monitor's, so {@code monitor -log-level=debug} sees
 * debug lines of an agent that logs at info.
 *
 * <p>Thread-safe: records may arrive from any thread; stderr and file writes are serialized per
 * record. A failing file write is reported once on standard error and the file is then skipped.
 */
public final class LogHandler extends Handler {
    private static final Formatter MESSAGES = new SimpleFormatter();
    private final LogLevel level;
    private final PrintStream console;
    private final Optional<RotatingLogFile> file;
    private final boolean json;
    private final LogBroker broker;
    private volatile boolean fileFailed;

    /**
     * A handler writing lines at {@code level} or above to {@code console} and {@code file}, and every
     * line it is given to {@code broker}.
     */
    public LogHandler(LogLevel level, PrintStream console, Optional<RotatingLogFile> file, boolean json,
                      LogBroker broker) {
        this.level = Objects.requireNonNull(level, "level");
        this.console = Objects.requireNonNull(console, "console");
        this.file = Objects.requireNonNull(file, "file");
        this.json = json;
        this.broker = Objects.requireNonNull(broker, "broker");
        setLevel(Level.ALL);
    }

    /**
     * Makes {@code handler} the root logger's only handler and sets the levels: the root at the most
     * verbose of the handler's level and the monitors', Netty and gRPC at WARN unless tracing (their
     * debug output drowns the agent's).
     */
    public static void install(LogHandler handler) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.addHandler(handler);
        handler.broker.onLevelsChanged(handler::applyLevels);
        handler.applyLevels();
    }

    private void applyLevels() {
        LogLevel effective = broker.mostVerbose().filter(m -> m.compareTo(level) < 0).orElse(level);
        Logger.getLogger("").setLevel(effective.jdkLevel());
        Level third = effective == LogLevel.TRACE ? Level.FINEST : Level.WARNING;
        Logger.getLogger("io.netty").setLevel(third);
        Logger.getLogger("io.grpc").setLevel(third);
    }

    /** The line a record becomes: its level mapped, its module from the logger name, its exception appended. */
    public static LogLine lineOf(LogRecord r) {
        String msg;
        try {
            msg = MESSAGES.formatMessage(r);
        } catch (RuntimeException e) {
            msg = String.valueOf(r.getMessage());
        }
        if (r.getThrown() != null) {
            StringWriter sw = new StringWriter();
            sw.append(msg).append(": ");
            r.getThrown().printStackTrace(new PrintWriter(sw));
            msg = sw.toString().stripTrailing();
        }
        return new LogLine(r.getInstant() == null ? Instant.now() : r.getInstant(), LogLevel.of(r.getLevel()),
                LogLine.moduleOf(r.getLoggerName()), msg);
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null) {
            return;
        }
        LogLine line = lineOf(record);
        if (line.level().atLeast(level)) {
            String s = line.format(json);
            synchronized (this) {
                console.println(s);
                console.flush();
                if (file.isPresent() && !fileFailed) {
                    try {
                        file.get().write(s);
                    } catch (UncheckedIOException e) {
                        fileFailed = true;
                        console.println(new LogLine(line.time(), LogLevel.ERR, "agent",
                                "log file disabled: " + e.getMessage()).format(json));
                    }
                }
            }
        }
        broker.publish(line);
    }

    @Override
    public void flush() {
        console.flush();
    }

    @Override
    public void close() {
        file.ifPresent(RotatingLogFile::close);
    }
}
