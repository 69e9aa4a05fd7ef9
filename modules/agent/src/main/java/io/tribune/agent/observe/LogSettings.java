package io.tribune.agent.observe;

import io.tribune.agent.config.ConfigException;
import io.tribune.api.PluginConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where and how the agent logs besides standard error, from Consul's keys {@code log_file},
 * {@code log_rotate_bytes}, {@code log_rotate_duration}, {@code log_rotate_max_files} and
 * {@code log_json} (flags {@code -log-file}, ...), carried as {@code log.*} properties.
 *
 * @param file           the log file, or a directory when it ends with {@code /} or is one (see
 *                       {@link RotatingLogFile}); kept as given, since a path object drops the
 *                       trailing separator; empty: no file
 * @param rotateBytes    bytes after which a new file begins; 0 (default): no size limit
 * @param rotateDuration time after which a new file begins; default 24h, as Consul; at least 1s
 * @param maxFiles       older files kept: 0 (default) all, -1 none, else at most that many
 * @param json           lines as hclog JSON objects instead of plain text (stderr and file alike)
 */
public record LogSettings(Optional<String> file, long rotateBytes, Duration rotateDuration, int maxFiles, boolean json) {
    /** Property keys. */
    public static final String FILE = "log.file";
    public static final String ROTATE_BYTES = "log.rotate-bytes";
    public static final String ROTATE_DURATION = "log.rotate-duration";
    public static final String MAX_FILES = "log.rotate-max-files";
    public static final String JSON = "log.json";
    /** No file, plain lines. */
    public static final LogSettings DEFAULT = new LogSettings(Optional.empty(), 0,
            RotatingLogFile.DEFAULT_ROTATE_DURATION, 0, false);

    public LogSettings {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(rotateDuration, "rotateDuration");
        file = file.filter(f -> !f.isBlank());
        file.ifPresent(f -> {
            try {
                java.nio.file.Path.of(f);
            } catch (java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException("log_file '" + f + "' is not a path: " + e.getMessage());
            }
        });
        if (rotateBytes < 0) {
            throw new IllegalArgumentException("log_rotate_bytes must not be negative, got " + rotateBytes);
        }
        if (rotateDuration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("log_rotate_duration must be at least 1s, got " + rotateDuration);
        }
        if (maxFiles < -1) {
            throw new IllegalArgumentException("log_rotate_max_files must be -1 (keep none), 0 (keep all) or more, got "
                    + maxFiles);
        }
    }

    /**
     * The settings in {@code pc}.
     *
     * @throws ConfigException naming the key when a value is malformed or out of range
     */
    public static LogSettings of(PluginConfig pc) {
        try {
            String f = pc.getString(FILE, "");
            return new LogSettings(f.isEmpty() ? Optional.empty() : Optional.of(f),
                    pc.getLong(ROTATE_BYTES, 0), pc.getDuration(ROTATE_DURATION, DEFAULT.rotateDuration()),
                    pc.getInt(MAX_FILES, 0), pc.getBoolean(JSON, false));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("log settings: " + e.getMessage(), e);
        }
    }

    /** The properties that carry these settings (defaults left out). */
    public Map<String, String> asProperties() {
        Map<String, String> m = new TreeMap<>();
        file.ifPresent(p -> m.put(FILE, p));
        if (rotateBytes != 0) {
            m.put(ROTATE_BYTES, Long.toString(rotateBytes));
        }
        if (!rotateDuration.equals(DEFAULT.rotateDuration())) {
            m.put(ROTATE_DURATION, rotateDuration.toMillis() + "ms");
        }
        if (maxFiles != 0) {
            m.put(MAX_FILES, Integer.toString(maxFiles));
        }
        if (json) {
            m.put(JSON, "true");
        }
        return m;
    }
}
