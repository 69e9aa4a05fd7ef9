package io.tribune.agent.observe;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * One log line: when, how severe, which part of the agent ({@code module}, Consul's
 * {@code agent.server.raft} style) and what. Formats itself as Consul prints lines: plain
 * ({@code 2026-12-07T16:00:00.000Z [INFO]  agent: message}) or as one hclog JSON object
 * ({@code {"@level":"info","@message":"...","@module":"agent","@timestamp":"..."}}).
 *
 * @param time    when it was logged
 * @param level   its level
 * @param module  the part of the agent that logged it; may be empty
 * @param message the message, already formatted, exception included
 */
public record LogLine(Instant time, LogLevel level, String module, String message) {
    /** Longest message kept, in characters: a runaway message must not fill a monitor's buffer alone. */
    public static final int MAX_MESSAGE_CHARS = 64 * 1024;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter JSON_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
            .withZone(ZoneOffset.UTC);

    public LogLine {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(level, "level");
        module = module == null ? "" : module;
        message = message == null ? "" : message;
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS) + "... (truncated)";
        }
    }

    /** The plain line, without a line terminator. */
    public String text() {
        StringBuilder b = new StringBuilder(40 + module.length() + message.length());
        b.append(TIME.format(time)).append(' ').append(level.tag());
        if (!module.isEmpty()) {
            b.append(module).append(": ");
        }
        return b.append(message).toString();
    }

    /** The hclog JSON object on one line, without a line terminator. */
    public String json() {
        JsonObject o = new JsonObject();
        o.addProperty("@level", level.jsonName());
        o.addProperty("@message", message);
        o.addProperty("@module", module);
        o.addProperty("@timestamp", JSON_TIME.format(time));
        return o.toString();
    }

    /** {@link #json()} or {@link #text()}. */
    public String format(boolean asJson) {
        return asJson ? json() : text();
    }

    /**
     * Consul's module name for a logger name: the Java package below {@code io.tribune}, the class
     * name dropped ({@code io.tribune.agent.server.LeaderReconciler} is {@code agent.server});
     * other loggers keep their package ({@code io.netty.channel}).
     */
    public static String moduleOf(String loggerName) {
        if (loggerName == null || loggerName.isEmpty()) {
            return "";
        }
        String n = loggerName;
        int dot = n.lastIndexOf('.');
        if (dot >= 0 && dot + 1 < n.length() && Character.isUpperCase(n.charAt(dot + 1))) {
            n = n.substring(0, dot);
        }
        if (n.startsWith("io.tribune.")) {
            n = n.substring("io.tribune.".length());
        }
        return n.replace(".internal", "");
    }
}
