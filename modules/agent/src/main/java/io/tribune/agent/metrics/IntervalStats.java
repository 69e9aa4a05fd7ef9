package io.tribune.agent.metrics;

import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * One metric's figures over Consul's in-memory interval (10 s): count, sum, sum of squares, min and
 * max of the values recorded, from which {@link Summary} derives rate, mean and standard deviation as
 * Consul's in-memory sink does. Recording is lock-free and allocation-free (striped adders and
 * accumulators); {@link #roll()} starts a new interval and keeps the one that ended.
 *
 * <p>Thread-safe. A value recorded while {@link #roll()} runs may be counted in the interval that
 * just ended after its summary was taken, and is then lost: one value at most per racing thread and
 * roll, which a 10 s display tolerates better than a lock on every request would.
 */
final class IntervalStats {
    private volatile Window current = new Window();
    private volatile Summary finished;

    /** Records one value. */
    void record(double value) {
        Window w = current;
        w.count.increment();
        w.sum.add(value);
        w.sumSquares.add(value * value);
        w.min.accumulate(value);
        w.max.accumulate(value);
    }

    /** Records {@code count} values whose sum is {@code sum} (a counter read as a total: min and max unknown). */
    void recordBulk(long count, double sum) {
        if (count <= 0) {
            return;
        }
        Window w = current;
        w.count.add(count);
        w.sum.add(sum);
        double each = sum / count;
        w.sumSquares.add(each * each * count);
        w.min.accumulate(each);
        w.max.accumulate(each);
    }

    /** Ends the current interval: its summary becomes {@link #finished()}. Called by one thread at a time. */
    void roll() {
        Window w = current;
        current = new Window();
        finished = w.summary();
    }

    /** The figures of the current interval so far. */
    Summary current() {
        return current.summary();
    }

    /** The figures of the interval that ended last; null before the first {@link #roll()}. */
    Summary finished() {
        return finished;
    }

    /**
     * An interval's figures.
     *
     * @param count      values recorded
     * @param sum        their sum
     * @param sumSquares the sum of their squares
     * @param min        the smallest (0 when none)
     * @param max        the largest (0 when none)
     */
    record Summary(long count, double sum, double sumSquares, double min, double max) {
        /** The mean (0 when none). */
        double mean() {
            return count == 0 ? 0 : sum / count;
        }

        /** The sample standard deviation, as Consul's in-memory sink computes it (0 for fewer than two). */
        double stddev() {
            if (count < 2) {
                return 0;
            }
            double num = count * sumSquares - sum * sum;
            double div = (double) count * (count - 1);
            return num <= 0 ? 0 : Math.sqrt(num / div);
        }

        /** Sum per second over an interval of {@code intervalSeconds}. */
        double rate(double intervalSeconds) {
            return sum / intervalSeconds;
        }
    }

    private static final class Window {
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();
        final DoubleAdder sumSquares = new DoubleAdder();
        final DoubleAccumulator min = new DoubleAccumulator(Math::min, Double.POSITIVE_INFINITY);
        final DoubleAccumulator max = new DoubleAccumulator(Math::max, Double.NEGATIVE_INFINITY);

        Summary summary() {
            long n = count.sum();
            return new Summary(n, sum.sum(), sumSquares.sum(), n == 0 ? 0 : min.get(), n == 0 ? 0 : max.get());
        }
    }
}
