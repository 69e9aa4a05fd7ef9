package io.tribune.gossip.swim.internal.core;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A suspicion timer whose timeout shrinks as independent members confirm the suspicion
 * (Lifeguard §IV-B, "dynamic suspicion timeout"). Pure: times are plain milliseconds passed in.
 */
final class Suspicion {
    private final long startMillis;
    private final long minMillis;
    private final long maxMillis;
    private final int expectedConfirmations;
    private final Set<String> confirmers = new LinkedHashSet<>();

    /**
     * @param startMillis           when the suspicion started
     * @param minMillis             floor of the timeout
     * @param maxMillis             the timeout with no confirmation
     * @param expectedConfirmations confirmations after which the timeout reaches the floor (k)
     * @param firstSuspector        the member whose suspicion started this timer; not counted
     */
    Suspicion(long startMillis, long minMillis, long maxMillis, int expectedConfirmations, String firstSuspector) {
        this.startMillis = startMillis;
        this.minMillis = minMillis;
        this.maxMillis = Math.max(minMillis, maxMillis);
        this.expectedConfirmations = expectedConfirmations;
        confirmers.add(firstSuspector);
    }

    /**
     * Lifeguard's timeout: {@code max(min, max - (max - min) * log(c + 1) / log(k + 1))}, where c
     * is the number of independent confirmations and k the number expected. Logarithmic so that the
     * first confirmations count most.
     */
    static long timeoutMillis(long minMillis, long maxMillis, int expected, int confirmations) {
        if (expected < 1) {
            return minMillis;
        }
        double frac = Math.log(confirmations + 1.0) / Math.log(expected + 1.0);
        long t = (long) Math.floor(maxMillis - frac * (maxMillis - minMillis));
        return Math.max(minMillis, t);
    }

    /**
     * The minimum suspicion timeout: {@code suspicionMult * max(1, log10(n)) * probeInterval}
     * (memberlist's scaling; grows with the time dissemination needs in a larger cluster).
     */
    static long minTimeoutMillis(int suspicionMult, int clusterSize, long probeIntervalMillis) {
        double scale = Math.max(1.0, Math.log10(Math.max(1, clusterSize)));
        return (long) (suspicionMult * scale * probeIntervalMillis);
    }

    /**
     * Records a confirmation from {@code from}.
     *
     * @return true when it was new and counted (duplicates and post-cap confirmations are not)
     */
    boolean confirm(String from) {
        if (confirmers.size() - 1 >= expectedConfirmations) {
            return false;
        }
        return confirmers.add(from);
    }

    int confirmations() {
        return confirmers.size() - 1;
    }

    long deadlineMillis() {
        return startMillis + timeoutMillis(minMillis, maxMillis, expectedConfirmations, confirmations());
    }
}
