package io.tribune.raft.internal.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class QuorumTest {
    @Test
    void majorityTable() {
        int[][] table = {{0, 0}, {1, 1}, {2, 2}, {3, 2}, {4, 3}, {5, 3}, {6, 4}, {7, 4}};
        for (int[] row : table) {
            assertEquals(row[1], Quorum.majority(row[0]), "voters=" + row[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> Quorum.majority(-1));
    }

    @Test
    void committedIsTheHighestValueHeldByAMajority() {
        assertEquals(5, Quorum.committed(new long[] {5}));
        assertEquals(3, Quorum.committed(new long[] {1, 3, 7}));
        assertEquals(2, Quorum.committed(new long[] {9, 2, 0, 2, 4}), "2 is held by 4 of 5; 4 only by 2");
        assertEquals(1, Quorum.committed(new long[] {1, 5}), "two voters need both");
        assertEquals(4, Quorum.committed(new long[] {4, 4, 9, 9}), "four voters need three");
        assertEquals(0, Quorum.committed(new long[0]));
    }

    @Test
    void tallyDecidesAsSoonAsTheOutcomeIsFixed() {
        assertEquals(Quorum.VoteResult.WON, Quorum.tally(3, 2, 0));
        assertEquals(Quorum.VoteResult.PENDING, Quorum.tally(3, 1, 1));
        assertEquals(Quorum.VoteResult.LOST, Quorum.tally(3, 1, 2));
        assertEquals(Quorum.VoteResult.LOST, Quorum.tally(4, 2, 2), "a tie cannot win");
        assertEquals(Quorum.VoteResult.WON, Quorum.tally(1, 1, 0));
    }
}
