package io.tribune.agent.local;

import io.tribune.state.HealthStatus;
import java.time.Duration;

/**
 * Guards a probed check against flapping, as Consul's {@code success_before_passing} and
 * {@code failures_before_critical}: a check turns passing only after that many passing results in
 * a row, and leaves passing only after that many failing (warning or critical) results in a row.
 * 0 (the default) and 1 both mean "at once". Until a threshold is met the check keeps its last
 * reported status and output.
 *
 * @param successBeforePassing   consecutive passing results needed to report passing
 * @param failuresBeforeCritical consecutive failing results needed to report a failure
 */
record CheckThresholds(int successBeforePassing, int failuresBeforeCritical) {
    /** No thresholds: every result is reported. */
    static final CheckThresholds NONE = new CheckThresholds(0, 0);

    CheckThresholds {
        if (successBeforePassing < 0 || failuresBeforeCritical < 0) {
            throw new IllegalArgumentException("thresholds must not be negative");
        }
    }

    /**
     * Consecutive results of one check; not thread-safe (the owner holds its lock).
     */
    static final class Counter {
        private int successes;
        private int failures;

        /**
         * Counts {@code result} and says whether it is to be reported. A passing result resets the
         * failure run and vice versa, so only unbroken runs count.
         */
        boolean report(HealthStatus result, CheckThresholds t) {
            return report(result, t.successBeforePassing(), t.failuresBeforeCritical());
        }

        /** As {@link #report(HealthStatus, CheckThresholds)} with the two thresholds given directly. */
        boolean report(HealthStatus result, int successBeforePassing, int failuresBeforeCritical) {
            if (result == HealthStatus.PASSING) {
                failures = 0;
                successes = Math.min(successes + 1, Integer.MAX_VALUE - 1);
                return successes >= successBeforePassing;
            }
            successes = 0;
            failures = Math.min(failures + 1, Integer.MAX_VALUE - 1);
            return failures >= failuresBeforeCritical;
        }
    }

    /**
     * Delay before a probed check first runs: {@code fraction} (in [0, 1), drawn at random by the
     * caller) of the interval, so that checks registered together, e.g. from config at start, do
     * not all probe at the same instant; Consul staggers its checks the same way.
     */
    static Duration initialDelay(Duration interval, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1), got " + fraction);
        }
        return Duration.ofNanos((long) (interval.toNanos() * fraction));
    }
}
