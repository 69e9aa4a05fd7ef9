package io.tribune.testkit;

import java.text.MessageFormat;
import java.util.ResourceBundle;

/** A {@link System.Logger} that prints to standard error, prefixed with a name. */
final class StderrLogger implements System.Logger {
    private final String name;
    private final Level min;

    StderrLogger(String name, Level min) {
        this.name = name;
        this.min = min;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isLoggable(Level level) {
        return level.getSeverity() >= min.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(level)) {
            System.err.println(level + " [" + name + "] " + msg);
            if (thrown != null) {
                thrown.printStackTrace();
            }
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            String msg = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
            System.err.println(level + " [" + name + "] " + msg);
        }
    }
}
