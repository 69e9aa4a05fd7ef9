package io.tribune.launcher;

import io.tribune.agent.observe.LogBroker;
import io.tribune.agent.observe.LogHandler;
import io.tribune.agent.observe.LogLevel;
import io.tribune.agent.observe.LogLine;
import io.tribune.agent.observe.LogSettings;
import io.tribune.agent.observe.RotatingLogFile;
import java.time.Instant;
import java.util.Optional;

/**
 * The process's logging: one line per record on standard error in Consul's shape
 * ({@code 2026-12-07T16:00:00.000Z [INFO]  agent: ...}, or hclog JSON with {@code -log-json}), at the
 * level Consul's {@code -log-level} names, optionally also to a rotated log file, and to the agent's
 * monitors ({@link LogBroker#process()}).
 */
final class Logging {
    private static volatile boolean json;

    private Logging() {
    }

    /** Standard error only, plain lines, at {@code level} (before the agent's configuration is read). */
    static void configure(String level) {
        configure(level, LogSettings.DEFAULT);
    }

    /** Standard error and, when {@code settings} name one, the log file, at {@code level}. */
    static void configure(String level, LogSettings settings) {
        json = settings.json();
        Optional<RotatingLogFile> file = settings.file().map(f -> new RotatingLogFile(settings, System::currentTimeMillis));
        LogHandler.install(new LogHandler(LogLevel.parse(level).orElse(LogLevel.INFO), System.err, file,
                settings.json(), LogBroker.process()));
    }

    /**
     * Prints one line straight to standard error in the same format. For shutdown hooks: the JDK's
     * LogManager resets its handlers in its own shutdown hook, so records logged there may be lost.
     *
     * @param level a Consul level name (info, warn, err, ...)
     */
    static void direct(String level, String logger, String message) {
        System.err.println(new LogLine(Instant.now(), LogLevel.parse(level).orElse(LogLevel.INFO),
                LogLine.moduleOf(logger), message).format(json));
        System.err.flush();
    }
}
