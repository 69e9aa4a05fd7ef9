package io.tribune.api.transport;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What the host decides for a transport: where to listen and how to secure it.
 *
 * @param bind            the address and port to listen on (port 0: any free port)
 * @param advertise       the address other nodes should use to reach this one
 * @param maxMessageBytes largest message accepted or sent, in bytes
 * @param tls             TLS settings, or empty for plaintext
 */
public record TransportSetup(Endpoint bind, Endpoint advertise, int maxMessageBytes, Optional<Tls> tls) {

    /** Default maximum message size: 8 MiB, above Consul's 512 KiB value limit times a 64-op transaction. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    public TransportSetup {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(advertise, "advertise");
        Objects.requireNonNull(tls, "tls");
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + maxMessageBytes);
        }
    }

    /** Plaintext with the default message size, advertising the bind address. */
    public static TransportSetup plain(Endpoint bind) {
        return new TransportSetup(bind, bind, DEFAULT_MAX_MESSAGE_BYTES, Optional.empty());
    }

    /**
     * Mutual-TLS settings, with the meaning of Consul's options of the same names.
     *
     * @param caFile               PEM file of trusted CA certificates
     * @param certFile             PEM file of this node's certificate chain
     * @param keyFile              PEM file of this node's private key (PKCS#8)
     * @param verifyIncoming       require and verify client certificates on incoming connections
     * @param verifyOutgoing       verify the server's certificate against {@code caFile} when calling
     * @param verifyServerHostname also require the server certificate to name {@code server.<dc>.<domain>}
     * @param serverName           the name expected when {@code verifyServerHostname} is on,
     *                             e.g. {@code server.dc1.consul}
     */
    public record Tls(Path caFile, Path certFile, Path keyFile, boolean verifyIncoming, boolean verifyOutgoing,
                      boolean verifyServerHostname, String serverName) {
        public Tls {
            Objects.requireNonNull(caFile, "caFile");
            Objects.requireNonNull(certFile, "certFile");
            Objects.requireNonNull(keyFile, "keyFile");
            serverName = serverName == null ? "" : serverName;
        }
    }
}
