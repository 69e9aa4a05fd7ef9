package io.tribune.state;

import java.time.Duration;

/**
 * Consul's blocking-query wait rules as pure functions, for the HTTP layer that owns the timers.
 *
 * <p>A blocking query waits at most {@link #MAX_WAIT} (10 minutes); without {@code wait} it
 * waits {@link #DEFAULT_WAIT} (5 minutes); and it adds a random jitter of up to wait/16 so that
 * many clients that started together do not all return at once.
 */
public final class BlockingWait {
    /** The wait when a query gives none: 5 minutes. */
    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    /** The longest wait a query may ask for: 10 minutes. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);
    /** Jitter is at most wait / JITTER_FRACTION. */
    public static final int JITTER_FRACTION = 16;

    private BlockingWait() {
    }

    /**
     * The wait to apply: {@code requested} clamped to (0, {@link #MAX_WAIT}], {@link #DEFAULT_WAIT}
     * when null, zero or negative, plus {@code random01 * wait / 16}.
     *
     * @param requested the client's {@code wait}, or null
     * @param random01  a uniform random number in [0, 1) from the caller's random source
     * @throws IllegalArgumentException when {@code random01} is outside [0, 1)
     */
    public static Duration effectiveWait(Duration requested, double random01) {
        if (!(random01 >= 0 && random01 < 1)) {
            throw new IllegalArgumentException("random01 must be in [0, 1), was " + random01);
        }
        Duration wait = requested == null || requested.isZero() || requested.isNegative() ? DEFAULT_WAIT
                : requested.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : requested;
        long jitterNanos = (long) (wait.toNanos() / JITTER_FRACTION * random01);
        return wait.plusNanos(jitterNanos);
    }

    /**
     * Parses a Go-style duration as Consul's {@code wait} and TTL parameters use: a sequence of
     * decimal numbers with units {@code ns, us, µs, ms, s, m, h}, e.g. "10s", "1m30s", "1.5h";
     * "0" alone is zero.
     *
     * @throws IllegalArgumentException naming the bad input
     */
    public static Duration parseDuration(String s) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (s.length() > 64) {
            throw new IllegalArgumentException("duration too long");
        }
        return io.tribune.api.PluginConfig.parseDuration(s);
    }
    /**
     * Formats a duration as Go's {@code time.Duration.String()} does, the way Consul prints durations in
     * its messages and answers: "10s", "1m30s", "1h0m0s", "1.5s", "250ms"; {@link #parseDuration} reads
     * it back.
     */
    public static String formatDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (nanos < 0) {
            sb.append('-');
            nanos = -nanos;
        }
        if (nanos < 1_000_000_000L) {
            if (nanos % 1_000_000 == 0) {
                return sb.append(nanos / 1_000_000).append("ms").toString();
            }
            if (nanos % 1_000 == 0) {
                return sb.append(nanos / 1_000).append("\u00b5s").toString();
            }
            return sb.append(nanos).append("ns").toString();
        }
        long h = nanos / 3_600_000_000_000L;
        long m = nanos / 60_000_000_000L % 60;
        long sNanos = nanos % 60_000_000_000L;
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            sb.append(m).append('m');
        }
        long whole = sNanos / 1_000_000_000L;
        long frac = sNanos % 1_000_000_000L;
        sb.append(whole);
        if (frac != 0) {
            String f = String.format("%09d", frac).replaceAll("0+$", "");
            sb.append('.').append(f);
        }
        return sb.append('s').toString();
    }
}
