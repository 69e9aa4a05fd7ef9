package io.tribune.api.membership;

import java.util.List;
import java.util.Objects;

/**
 * A network coordinate of a member (Vivaldi with height and adjustment, the model Consul's agents
 * publish): the estimated round trip between two coordinates is {@link #rttSecondsTo}. Units are
 * seconds, as in Consul's {@code /v1/coordinate} JSON, so the host can store and serve coordinates
 * without converting them.
 *
 * <p>Immutable and thread-safe. The constructor only copies; {@link #valid()} says whether the
 * values are usable (finite, non-negative error and height), which the host checks before it
 * stores a coordinate.
 *
 * @param vec        the Euclidean part, seconds; immutable copy (Consul's agents use 8 dimensions)
 * @param error      the node's confidence in its coordinate, a unitless relative error (0: certain,
 *                   1.5: a fresh node)
 * @param adjustment a term added to every distance to or from this node, seconds; it absorbs what a
 *                   Euclidean space cannot embed (may be negative)
 * @param height     the access-link delay added to every distance, seconds; not negative
 * @since SPI 1.3
 */
public record NetworkCoordinate(List<Double> vec, double error, double adjustment, double height) {
    public NetworkCoordinate {
        Objects.requireNonNull(vec, "vec");
        vec = List.copyOf(vec);
    }

    /** Whether every value is finite, and error and height are not negative. */
    public boolean valid() {
        if (!Double.isFinite(error) || error < 0 || !Double.isFinite(height) || height < 0
                || !Double.isFinite(adjustment)) {
            return false;
        }
        for (double d : vec) {
            if (!Double.isFinite(d)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The estimated round trip to {@code other}, seconds: the Euclidean distance of the vectors plus
     * both heights, plus both adjustments when that sum stays positive (a negative adjusted distance
     * is meaningless, so the unadjusted one is used instead).
     *
     * @throws IllegalArgumentException when the two vectors differ in dimensionality
     */
    public double rttSecondsTo(NetworkCoordinate other) {
        if (vec.size() != other.vec.size()) {
            throw new IllegalArgumentException("coordinate dimensionality mismatch: " + vec.size() + " and "
                    + other.vec.size());
        }
        double sum = 0;
        for (int i = 0; i < vec.size(); i++) {
            double d = vec.get(i) - other.vec.get(i);
            sum += d * d;
        }
        double raw = Math.sqrt(sum) + height + other.height;
        double adjusted = raw + adjustment + other.adjustment;
        return adjusted > 0 ? adjusted : raw;
    }
}
