package io.tribune.gossip.swim.internal.core;

/**
 * Lifeguard's local health multiplier (§IV-A): a score in {@code [0, max - 1]} that rises when
 * this node shows signs of being slow itself (failed probes, missed nacks, having to refute a
 * suspicion about itself) and falls with each successful probe. Probe intervals and timeouts are
 * multiplied by {@code score + 1}, so a struggling node waits longer before accusing others.
 */
final class Awareness {
    private final int max;
    private int score;

    Awareness(int max) {
        this.max = max;
    }

    /** Adds {@code delta} (negative to improve), clamped to {@code [0, max - 1]}. */
    void apply(int delta) {
        score = Math.max(0, Math.min(max - 1, score + delta));
    }

    int score() {
        return score;
    }

    /** {@code millis * (score + 1)}. */
    long scale(long millis) {
        return millis * (score + 1);
    }
}
