package io.tribune.launcher;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** One-line log records on standard error, at the level Consul's {@code -log-level} names. */
final class Logging {
    private Logging() {
    }

    static void configure(String level) {
        System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1$tFT%1$tT.%1$tLZ [%4$s] %3$s: %5$s%6$s%n");
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler();
        h.setFormatter(new SimpleFormatter());
        Level l = toLevel(level);
        h.setLevel(l);
        root.addHandler(h);
        root.setLevel(l);
        // Third-party chatter stays at warnings unless tracing.
        Logger.getLogger("io.netty").setLevel(l.intValue() <= Level.FINEST.intValue() ? l : Level.WARNING);
        Logger.getLogger("io.grpc").setLevel(l.intValue() <= Level.FINEST.intValue() ? l : Level.WARNING);
    }

    static Level toLevel(String level) {
        return switch (level.toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.FINEST;
            case "debug" -> Level.FINE;
            case "warn", "warning" -> Level.WARNING;
            case "err", "error" -> Level.SEVERE;
            default -> Level.INFO;
        };
    }

    /**
     * Prints one record straight to standard error in the same format. For shutdown hooks: the JDK's
     * LogManager resets its handlers in its own shutdown hook, so records logged there may be lost.
     */
    static void direct(String level, String logger, String message) {
        System.err.printf("%1$tFT%1$tT.%1$tLZ [%2$s] %3$s: %4$s%n", java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC),
                level, logger, message);
        System.err.flush();
    }
}
