package io.tribune.agent.observe;

import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;

/**
 * The agent's log levels, named as Consul names them in {@code -log-level} and prints them in log
 * lines ({@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN}, {@code ERR}), in increasing
 * severity. The agent logs through {@code java.util.logging}/{@code System.Logger}; this enum maps
 * the JDK's levels onto Consul's.
 */
public enum LogLevel {
    /** Finest detail (JDK FINEST, FINER). */
    TRACE("trace"),
    /** Diagnostics (JDK FINE, CONFIG). */
    DEBUG("debug"),
    /** Normal operation (JDK INFO). */
    INFO("info"),
    /** Something unexpected that the agent survives (JDK WARNING). */
    WARN("warn"),
    /** A failure (JDK SEVERE); hclog's JSON calls it {@code error}. */
    ERR("error");

    private final String jsonName;

    LogLevel(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The level as hclog writes it in a JSON line's {@code @level}: trace, debug, info, warn, error. */
    public String jsonName() {
        return jsonName;
    }

    /** The level as a bracketed tag padded to one width, so that messages line up: {@code "[INFO]  "}. */
    public String tag() {
        String t = "[" + name() + "]";
        return t + " ".repeat(Math.max(1, 8 - t.length()));
    }

    /** Whether a line at this level passes a filter at {@code min}. */
    public boolean atLeast(LogLevel min) {
        return compareTo(min) >= 0;
    }

    /**
     * The level a name denotes: Consul's names and the usual aliases ({@code warning}, {@code error}),
     * any case, surrounding blanks ignored; empty when the name is none of them.
     */
    public static Optional<LogLevel> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "trace" -> Optional.of(TRACE);
            case "debug" -> Optional.of(DEBUG);
            case "info" -> Optional.of(INFO);
            case "warn", "warning" -> Optional.of(WARN);
            case "err", "error" -> Optional.of(ERR);
            default -> Optional.empty();
        };
    }

    /** The Consul level of a JDK level (thresholds between the JDK's named levels go to the lower one). */
    public static LogLevel of(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return ERR;
        }
        if (v >= Level.WARNING.intValue()) {
            return WARN;
        }
        if (v >= Level.INFO.intValue()) {
            return INFO;
        }
        if (v >= Level.FINE.intValue()) {
            return DEBUG;
        }
        return TRACE;
    }

    /** The JDK level that lets exactly this level and the more severe ones through. */
    public Level jdkLevel() {
        return switch (this) {
            case TRACE -> Level.FINEST;
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARN -> Level.WARNING;
            case ERR -> Level.SEVERE;
        };
    }
}
