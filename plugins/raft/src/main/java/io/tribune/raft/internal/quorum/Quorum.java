package io.tribune.raft.internal.quorum;

import java.util.Arrays;
import java.util.Collection;

/**
 * Majority arithmetic over the voters of one configuration (Raft §5.2, §5.3). Pure functions.
 */
public final class Quorum {
    private Quorum() {
    }

    /** Votes needed out of {@code voters}: a strict majority. Zero voters need zero votes. */
    public static int majority(int voters) {
        if (voters < 0) {
            throw new IllegalArgumentException("voters must be >= 0, got " + voters);
        }
        return voters / 2 + 1 - (voters == 0 ? 1 : 0);
    }

    /**
     * The highest value that at least a majority of {@code values} (one per voter) have reached,
     * e.g. the highest index stored on a majority (commit, Raft §5.3) or the newest heartbeat
     * round acknowledged by a majority (read index, Raft thesis §6.4). Zero for no voters.
     */
    public static long committed(long[] values) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        // With n voters sorted ascending, the value at position n - majority is held by a majority.
        return sorted[values.length - majority(values.length)];
    }

    /** The outcome of a vote count. */
    public enum VoteResult {
        /** A majority granted. */
        WON,
        /** A majority can no longer grant. */
        LOST,
        /** Neither yet. */
        PENDING
    }

    /**
     * Tallies a vote among {@code voters} where {@code granted} and {@code rejected} count the
     * answers received so far (each voter at most once).
     */
    public static VoteResult tally(int voters, int granted, int rejected) {
        int need = majority(voters);
        if (granted >= need) {
            return VoteResult.WON;
        }
        if (voters - rejected < need) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }

    /** Whether {@code count} members of a set of {@code voters} form a majority. */
    public static boolean isMajority(int voters, int count) {
        return count >= majority(voters);
    }

    /** Convenience for {@link #committed(long[])}. */
    public static long committed(Collection<Long> values) {
        long[] a = new long[values.size()];
        int i = 0;
        for (Long v : values) {
            a[i++] = v;
        }
        return committed(a);
    }
}
