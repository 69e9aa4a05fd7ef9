package io.tribune.gossip.swim.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Lifeguard §IV-B dynamic suspicion timeout, as small tables. */
class SuspicionTest {

    @Test
    void timeoutShrinksLogarithmicallyWithConfirmations() {
        // min 1000, max 6000, k = 3: max - (max-min) * log(c+1)/log(4)
        long[] expected = {6000, 3500, 2037, 1000, 1000};
        for (int c = 0; c < expected.length; c++) {
            assertEquals(expected[c], Suspicion.timeoutMillis(1000, 6000, 3, c), "confirmations " + c);
        }
    }

    @Test
    void withNoExpectedConfirmationsTheTimeoutIsTheMinimum() {
        assertEquals(1000, Suspicion.timeoutMillis(1000, 6000, 0, 0));
    }

    @Test
    void minimumScalesWithLog10OfClusterSize() {
        long[][] table = {{1, 4000}, {10, 4000}, {100, 8000}, {1000, 12000}};
        for (long[] row : table) {
            assertEquals(row[1], Suspicion.minTimeoutMillis(4, (int) row[0], 1000), "n = " + row[0]);
        }
    }

    @Test
    void onlyNewIndependentConfirmationsCountUpToK() {
        Suspicion s = new Suspicion(0, 1000, 6000, 2, "a");
        assertEquals(6000, s.deadlineMillis());
        assertFalse(s.confirm("a"), "the first suspector is not a confirmation");
        assertTrue(s.confirm("b"));
        assertFalse(s.confirm("b"), "duplicates do not count");
        assertTrue(s.confirm("c"));
        assertFalse(s.confirm("d"), "beyond k nothing more counts");
        assertEquals(2, s.confirmations());
        assertEquals(1000, s.deadlineMillis());
    }

    @Test
    void awarenessClampsAndScales() {
        Awareness a = new Awareness(8);
        a.apply(-1);
        assertEquals(0, a.score());
        assertEquals(500, a.scale(500));
        a.apply(3);
        assertEquals(2000, a.scale(500));
        a.apply(100);
        assertEquals(7, a.score());
    }
}
