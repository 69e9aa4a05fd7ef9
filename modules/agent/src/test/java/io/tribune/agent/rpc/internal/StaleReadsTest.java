package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a server may answer a stale read from its own state (Consul's max_stale). */
class StaleReadsTest {

    @Test
    void freshEnoughDecisionTable() {
        Duration bound = Duration.ofSeconds(5);
        Object[][] table = {
            // leader, leader known, last contact, fresh enough
            {true, true, Duration.ZERO, true},
            {true, false, Duration.ofHours(1), true},
            {false, true, Duration.ofSeconds(1), true},
            {false, true, Duration.ofSeconds(5), true},
            {false, true, Duration.ofSeconds(6), false},
            // A follower that knows no leader cannot vouch for any freshness.
            {false, false, Duration.ZERO, false},
            {false, false, Duration.ofMillis(Long.MAX_VALUE), false},
        };
        for (Object[] row : table) {
            assertEquals(row[3], StaleReads.freshEnough((boolean) row[0], (boolean) row[1], (Duration) row[2], bound),
                    java.util.Arrays.toString(row));
        }
    }
}
