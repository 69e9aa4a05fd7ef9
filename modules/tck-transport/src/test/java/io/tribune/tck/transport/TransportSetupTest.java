package io.tribune.tck.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The SPI value types the call-only kit cases rely on: how a host states "call-only" and how an
 * existing caller's setup stays a listening one.
 */
class TransportSetupTest {
    private static final Endpoint RPC = new Endpoint("10.0.0.5", 8300);
    private static final Optional<TransportSetup.Tls> TLS = Optional.of(new TransportSetup.Tls(Path.of("ca.pem"),
            Path.of("cert.pem"), Path.of("key.pem"), true, true, false, null));

    @Test
    void existingConstructorAndPlainStillListen() {
        TransportSetup s = new TransportSetup(RPC, new Endpoint("192.0.2.1", 8300), 4096, TLS);
        assertFalse(s.callOnly());
        assertEquals(new TransportSetup(RPC, new Endpoint("192.0.2.1", 8300), 4096, TLS, false), s);
        assertFalse(TransportSetup.plain(RPC).callOnly());
    }

    @Test
    void callOnlyFactoryNamesTheEndpointAndKeepsLimitAndTls() {
        TransportSetup s = TransportSetup.callOnly(RPC, 4096, TLS);
        assertTrue(s.callOnly());
        assertEquals(RPC, s.bind());
        assertEquals(RPC, s.advertise());
        assertEquals(4096, s.maxMessageBytes());
        assertEquals(TLS, s.tls());
    }

    @Test
    void asCallOnlyChangesOnlyTheFlag() {
        TransportSetup serving = new TransportSetup(RPC, new Endpoint("192.0.2.1", 8301), 2048, TLS);
        assertEquals(new TransportSetup(RPC, new Endpoint("192.0.2.1", 8301), 2048, TLS, true), serving.asCallOnly());
    }

    @Test
    void callOnlySetupsAreValidatedLikeOthers() {
        assertThrows(IllegalArgumentException.class, () -> TransportSetup.callOnly(RPC, 1023, Optional.empty()));
        assertThrows(NullPointerException.class, () -> TransportSetup.callOnly(null, 4096, Optional.empty()));
        assertThrows(NullPointerException.class, () -> TransportSetup.callOnly(RPC, 4096, null));
    }

    @Test
    void factoriesThatDoNotSayOtherwiseDoNotSupportCallOnly() {
        TransportFactory old = new TransportFactory() {
            @Override
            public String name() {
                return "transport-old";
            }

            @Override
            public Transport create(TransportSetup setup, PluginConfig config, PluginContext context) {
                throw new UnsupportedOperationException();
            }
        };
        assertFalse(old.supportsCallOnly());
    }
}
