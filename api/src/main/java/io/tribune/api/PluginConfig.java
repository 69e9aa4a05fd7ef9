package io.tribune.api;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The configuration handed to a plugin: plain string properties with dotted, lower-case keys,
 * prefixed by the plugin's name ({@code raft.election.timeout-ticks}). A plugin parses them into
 * its own typed settings at creation and rejects bad values with
 * {@link IllegalArgumentException} naming the key.
 *
 * <p>Immutable and thread-safe.
 */
public final class PluginConfig {
    private static final PluginConfig EMPTY = new PluginConfig(Map.of());
    private final Map<String, String> values;

    private PluginConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** A configuration holding a copy of {@code values}. */
    public static PluginConfig of(Map<String, String> values) {
        Objects.requireNonNull(values, "values");
        return values.isEmpty() ? EMPTY : new PluginConfig(values);
    }

    /** A configuration with no keys. */
    public static PluginConfig empty() {
        return EMPTY;
    }

    /** All keys and values, sorted by key. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The keys present. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** The raw value of {@code key}, or {@code null}. */
    public String get(String key) {
        return values.get(key);
    }

    /** The string value, or {@code defaultValue} when absent. */
    public String getString(String key, String defaultValue) {
        String v = values.get(key);
        return v == null ? defaultValue : v.trim();
    }

    /** The value parsed as an int, or {@code defaultValue} when absent. */
    public int getInt(String key, int defaultValue) {
        long v = getLong(key, defaultValue);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("config key '" + key + "': " + v + " is out of the int range");
        }
        return (int) v;
    }

    /** The value parsed as a long, or {@code defaultValue} when absent. */
    public long getLong(String key, long defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config key '" + key + "': '" + v + "' is not a whole number");
        }
    }

    /** The value parsed as a boolean ({@code true}/{@code false}), or {@code defaultValue}. */
    public boolean getBoolean(String key, boolean defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("config key '" + key + "': '" + v
                    + "' is not true or false");
        };
    }

    /**
     * The value parsed as a duration, or {@code defaultValue} when absent. Accepts Go-style
     * durations as Consul does ({@code 500ms}, {@code 10s}, {@code 1m30s}, {@code 2h}) and ISO-8601
     * ({@code PT10S}).
     */
    public Duration getDuration(String key, Duration defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config key '" + key + "': " + e.getMessage());
        }
    }

    /**
     * Parses a Go-style ({@code 1m30s}, {@code 250ms}, {@code 10us}, {@code -2s}) or ISO-8601
     * duration.
     *
     * @throws IllegalArgumentException with a message naming the bad input
     */
    public static Duration parseDuration(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                return Duration.parse(s);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration");
            }
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        long nanos = 0;
        int i = 0;
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            i++;
        }
        boolean any = false;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (expected e.g. 500ms, 10s, 1m30s)");
            }
            double amount;
            try {
                amount = Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration");
            }
            int unitStart = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            long factor = switch (unit) {
                case "ns" -> 1L;
                case "us", "\u00b5s", "\u03bcs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw new IllegalArgumentException("'" + text + "' has unknown unit '" + unit
                        + "' (use ns, us, ms, s, m or h)");
            };
            double add = amount * factor;
            if (add > Long.MAX_VALUE / 2.0 || nanos + add > Long.MAX_VALUE / 2.0) {
                throw new IllegalArgumentException("'" + text + "' is too long");
            }
            nanos += (long) add;
            any = true;
        }
        if (!any) {
            throw new IllegalArgumentException("'" + text + "' is not a duration");
        }
        return negative ? Duration.ofNanos(nanos).negated() : Duration.ofNanos(nanos);
    }

    /** The subset of keys starting with {@code prefix + "."}, with the prefix removed. */
    public PluginConfig scoped(String prefix) {
        String p = prefix + ".";
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(p)) {
                out.put(k.substring(p.length()), v);
            }
        });
        return of(out);
    }

    /** Shows keys and values, with the values of {@code secretKeys} masked. */
    public String toString(Set<String> secretKeys) {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(k).append('=').append(secretKeys.contains(k) ? "<hidden>" : v);
        });
        return sb.append('}').toString();
    }

    /** Lists keys only: values may be secret. */
    @Override
    public String toString() {
        return "PluginConfig" + values.keySet();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PluginConfig c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
