package io.tribune.gossip.swim.internal.core;

import java.util.random.RandomGenerator;

/**
 * Network coordinates by the Vivaldi algorithm (Dabek, Cox, Kaashoek, Morris, "Vivaldi: A
 * Decentralized Network Coordinate System", SIGCOMM 2004): each node places itself in a small
 * Euclidean space plus a height (§5.4 height vectors, for the access-link delay) so that the
 * distance between two coordinates predicts their round-trip time. Every probe answered with the
 * target's coordinate is one spring relaxation step (§3, adaptive timestep with error weights,
 * §3.3/§3.4). Units: milliseconds. Pure and deterministic; randomness only breaks ties.
 *
 * <p>Compared with Serf's model (the one Consul's agents publish, described in Consul's "Network
 * Coordinates" internals page): the same 8 dimensions, error cap 1.5, c_e = c_c = 0.25 and height
 * floor of 10 µs; and, like Serf, a local <em>adjustment</em> term (Lee et al., "On Suitability of
 * Euclidean Embedding for Host-based Network Coordinate Systems", the non-Euclidean term): half the
 * mean residual (measured RTT minus predicted distance) over the last {@link #ADJUSTMENT_WINDOW}
 * samples, which the host adds to distances when the sum stays positive. The adjustment stays local:
 * it is published to the servers with the coordinate but not carried in gossip, so the spring step
 * uses raw distances, as Serf's does. Serf's step moves along the Euclidean unit vector and scales
 * the height change by the Euclidean distance; this one moves along the unit height-vector of §5.4
 * (both parts divided by the full distance), a smaller step that the simulation tests converge with.
 * Serf's per-peer median of the last 3 round trips is applied by the caller ({@code LatencyFilter});
 * Serf's gravity toward the origin is not done here.
 */
public final class Vivaldi {
    /** Euclidean dimensions (the paper finds 2-3 plus height enough for the Internet; 8 gives room). */
    public static final int DIMENSIONS = 8;
    /** Error weight constant c_e (§3.4). */
    static final double CE = 0.25;
    /** Timestep constant c_c (§3.4). */
    static final double CC = 0.25;
    /** A new node's error estimate: high, so that it moves quickly and others trust it little. */
    static final double MAX_ERROR = 1.5;
    /** Height floor, ms. */
    static final double MIN_HEIGHT = 0.01;
    /** Largest coordinate component or height accepted from the wire, ms. */
    static final double MAX_COMPONENT = 1e6;
    /** Samples averaged into the adjustment term (Serf's adjustment window). */
    public static final int ADJUSTMENT_WINDOW = 20;

    /** An immutable coordinate. */
    public record Coordinate(double[] vec, double error, double height) {
        public Coordinate {
            vec = vec.clone();
        }

        /** Whether it is well-formed: right size, finite and bounded values. */
        public boolean valid() {
            if (vec.length != DIMENSIONS || !finiteWithin(error, 0, 10) || !finiteWithin(height, 0, MAX_COMPONENT)) {
                return false;
            }
            for (double v : vec) {
                if (!finiteWithin(v, -MAX_COMPONENT, MAX_COMPONENT)) {
                    return false;
                }
            }
            return true;
        }

        /** The predicted round-trip time to {@code other}, ms. */
        public double rttTo(Coordinate other) {
            double sum = 0;
            for (int i = 0; i < DIMENSIONS; i++) {
                double d = vec[i] - other.vec[i];
                sum += d * d;
            }
            return Math.sqrt(sum) + height + other.height;
        }

        @Override
        public double[] vec() {
            return vec.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Coordinate c && java.util.Arrays.equals(vec, c.vec) && error == c.error
                    && height == c.height;
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(vec) * 31 + Double.hashCode(error) + Double.hashCode(height);
        }

        @Override
        public String toString() {
            return "Coordinate" + java.util.Arrays.toString(vec) + " error=" + error + " height=" + height;
        }

        private static boolean finiteWithin(double v, double lo, double hi) {
            return Double.isFinite(v) && v >= lo && v <= hi;
        }
    }

    private final double[] vec = new double[DIMENSIONS];
    private double error = MAX_ERROR;
    private double height = MIN_HEIGHT;
    private long updates;
    /** Ring of the last residuals (RTT minus raw distance), ms; unused slots are 0, as in Serf. */
    private final double[] residuals = new double[ADJUSTMENT_WINDOW];
    private int residualNext;
    private double adjustment;

    /** The current coordinate. */
    public Coordinate coordinate() {
        return new Coordinate(vec, error, height);
    }

    long updates() {
        return updates;
    }

    /**
     * The adjustment term, ms: the sum of the last {@link #ADJUSTMENT_WINDOW} residuals divided by
     * twice the window (each end of a distance carries half of it). 0 before the first sample.
     */
    public double adjustment() {
        return adjustment;
    }

    /**
     * One spring relaxation step towards agreeing with a measured round trip (Vivaldi §3, Fig. 3).
     *
     * @return false when the sample was rejected (bad coordinate or RTT), leaving the state unchanged
     */
    public boolean observe(Coordinate remote, double rttMillis, RandomGenerator random) {
        if (!remote.valid() || !(rttMillis > 0) || rttMillis > 60_000) {
            return false;
        }
        Coordinate self = coordinate();
        double dist = self.rttTo(remote);
        double total = error + remote.error();
        double w = total > 0 ? error / total : 0.5;
        // §3.4: the relative error of this sample, blended into our error estimate by weight.
        double sampleError = Math.abs(dist - rttMillis) / rttMillis;
        error = Math.min(MAX_ERROR, sampleError * CE * w + error * (1 - CE * w));
        double delta = CC * w;
        double force = delta * (rttMillis - dist);
        double[] dir = new double[DIMENSIONS];
        double mag = 0;
        for (int i = 0; i < DIMENSIONS; i++) {
            dir[i] = vec[i] - remote.vec[i];
            mag += dir[i] * dir[i];
        }
        mag = Math.sqrt(mag);
        double spread = Math.max(dist, 1e-9);
        // Move along the unit vector of the height-vector difference (§5.4): its Euclidean part
        // has length |x - y| / dist and its height part (h + h') / dist.
        double share = mag / spread;
        if (mag < 1e-9) {
            // §3: two nodes at the same place push apart in a random direction.
            mag = 0;
            for (int i = 0; i < DIMENSIONS; i++) {
                dir[i] = random.nextDouble() - 0.5;
                mag += dir[i] * dir[i];
            }
            mag = Math.sqrt(mag);
            share = 1;
        }
        for (int i = 0; i < DIMENSIONS; i++) {
            vec[i] += force * (dir[i] / mag) * share;
            vec[i] = Math.max(-MAX_COMPONENT, Math.min(MAX_COMPONENT, vec[i]));
        }
        height = Math.max(MIN_HEIGHT, Math.min(MAX_COMPONENT, height + force * (height + remote.height()) / spread));
        // The residual of the moved coordinate feeds the adjustment: what the embedding still misses.
        residuals[residualNext] = rttMillis - coordinate().rttTo(remote);
        residualNext = (residualNext + 1) % ADJUSTMENT_WINDOW;
        double sum = 0;
        for (double r : residuals) {
            sum += r;
        }
        adjustment = sum / (2.0 * ADJUSTMENT_WINDOW);
        updates++;
        return true;
    }
}
