package io.tribune.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tribune.state.Node;
import io.tribune.state.ServiceHealth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Per-lookup choice between the server's own store and the leader under {@code discovery_max_stale}. */
class StaleBoundDnsCatalogTest {

    /** A catalog that knows one node, named after where it answers from. */
    private static DnsCatalog answering(String where) {
        return new DnsCatalog() {
            @Override
            public Optional<Node> node(String name) {
                return Optional.of(new Node("", name, where, "dc1", Map.of(), Map.of(), 0, 0));
            }

            @Override
            public List<ServiceHealth> serviceHealth(String service, String tag) {
                throw new UnavailableException(where + " has no services");
            }
        };
    }

    @Test
    void freshServerAnswersLocallyAndABehindServerAsksTheLeaderDecidedPerLookup() {
        AtomicBoolean fresh = new AtomicBoolean(true);
        DnsCatalog c = new StaleBoundDnsCatalog(answering("local"), answering("leader"), fresh::get);
        assertEquals("local", c.node("n1").orElseThrow().address());
        fresh.set(false);
        assertEquals("leader", c.node("n1").orElseThrow().address());
        DnsCatalog.UnavailableException e = assertThrows(DnsCatalog.UnavailableException.class,
                () -> c.serviceHealth("web", null));
        assertEquals("leader has no services", e.getMessage());
        fresh.set(true);
        assertEquals("local", c.node("n1").orElseThrow().address());
    }
}
