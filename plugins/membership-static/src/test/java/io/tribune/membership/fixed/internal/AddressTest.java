package io.tribune.membership.fixed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Address parsing, whose host:port part is the SPI's {@code Endpoint.parse(text, defaultPort)}. */
class AddressTest {

    @Test
    void acceptedForms() {
        assertEquals(new Address("10.0.0.1:8301", "10.0.0.1", 8301), Address.parse("10.0.0.1", 8301));
        assertEquals(new Address("db1:9000", "db1", 9000), Address.parse(" db1:9000 ", 8301));
        assertEquals(new Address("[::1]:80", "::1", 80), Address.parse("[::1]:80", 8301));
        assertEquals(new Address("[fe80::1%eth0]:8301", "fe80::1%eth0", 8301), Address.parse("[fe80::1%eth0]", 8301));
        assertEquals(new Address("node-a", "127.0.0.2", 8301), Address.parse("node-a@127.0.0.2", 8301));
    }

    @Test
    void malformedAddressesAreRefusedWithTheirText() {
        for (String bad : List.of("", "  ", "[::1", "[::1]x", "::1:80", "host:", "host:0", "host:70000", "host:8o",
                ":80", "[]:80", "ho st:80", "a/b:80", "@host", "bad name@host")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Address.parse(bad, 8301),
                    "'" + bad + "' was accepted");
            assertFalse(e.getMessage().isBlank(), bad);
        }
    }
}
