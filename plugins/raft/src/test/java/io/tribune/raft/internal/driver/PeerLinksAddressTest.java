package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.transport.Endpoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, defect 3: a server bound to the wildcard address sends its messages with that address
 * as their sender. A peer must not replace the advertised address of the configuration with it
 * (it would then show {@code 0.0.0.0:8300} as leader and send to itself).
 */
class PeerLinksAddressTest {

    @Test
    void aWildcardSenderAddressDoesNotReplaceTheAdvertisedOne() {
        PeerLinks links = new PeerLinks("a", null, Duration.ofSeconds(1), null, Runnable::run, () -> true, m -> { });
        Endpoint advertised = new Endpoint("10.0.0.2", 8300);
        links.learn(List.of(new ServerInfo("b", advertised, true)));
        for (String wildcard : List.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0")) {
            links.learn("b", new Endpoint(wildcard, 8300));
            assertEquals(advertised, links.endpointOf("b"), wildcard);
        }
        Endpoint moved = new Endpoint("10.0.0.9", 8300);
        links.learn("b", moved);
        assertEquals(moved, links.endpointOf("b"), "a real sender address is still learned");
    }

    @Test
    void onlyTheUnspecifiedAddressesAreWildcards() {
        for (String w : List.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "::0")) {
            assertTrue(PeerLinks.wildcard(w), w);
        }
        for (String h : List.of("127.0.0.1", "10.0.0.0", "::1", "server-1", "0.0.0.1", "fe80::")) {
            assertFalse(PeerLinks.wildcard(h), h);
        }
    }
}
