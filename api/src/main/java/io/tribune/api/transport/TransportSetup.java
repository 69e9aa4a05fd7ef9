package io.tribune.api.transport;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What the host decides for a transport: where to listen, whether to listen at all, and how to
 * secure it.
 *
 * <p><b>Call-only transports.</b> With {@code callOnly} set the transport makes calls and opens
 * streams but never listens, as a Consul client agent calls servers on their RPC port without
 * serving one itself. Its contract differs from a serving transport in these points only:
 * <ul>
 *   <li>{@link Transport#start()} opens no socket and binds nothing (a port in use is no error);
 *       it still marks the transport started, and calls work before and after it.</li>
 *   <li>{@link Transport#register} and {@link Transport#registerStream} throw
 *       {@link IllegalStateException} without registering: no peer could ever reach the handler,
 *       so registering one is a bug of the host.</li>
 *   <li>{@link Transport#localEndpoint()} returns {@link #bind()} exactly as given, before and
 *       after start (port 0 stays 0). It names no address anyone can call.</li>
 *   <li>A peer that calls {@link #bind()} or {@link #advertise()} reaches nothing of this
 *       transport: it fails {@link TransportException.Code#UNAVAILABLE}, as for any endpoint where
 *       nothing listens.</li>
 * </ul>
 * Calls, streams, deadlines, size limits, connection reuse and reconnect backoff are as for a
 * serving transport. With {@link #tls()} the transport is a TLS client: it presents its
 * certificate to servers that ask for one (so servers with {@code verifyIncoming} accept it) and
 * checks the server per {@link Tls#verifyOutgoing()} and {@link Tls#verifyServerHostname()};
 * {@link Tls#verifyIncoming()} has no effect since nothing is accepted.
 *
 * <p>A factory honours {@code callOnly} only when {@link TransportFactory#supportsCallOnly()}
 * says so; plugins built against an SPI without it ignore the flag and listen.
 *
 * @param bind            the address and port to listen on (port 0: any free port); for a
 *                        call-only transport only what {@link Transport#localEndpoint()} reports
 * @param advertise       the address other nodes should use to reach this one
 * @param maxMessageBytes largest message accepted or sent, in bytes
 * @param tls             TLS settings, or empty for plaintext
 * @param callOnly        the transport calls but never listens (see above)
 */
public record TransportSetup(Endpoint bind, Endpoint advertise, int maxMessageBytes, Optional<Tls> tls,
                             boolean callOnly) {

    /** Default maximum message size: 8 MiB, above Consul's 512 KiB value limit times a 64-op transaction. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    /**
     * Validates the setup.
     *
     * @throws NullPointerException     when an endpoint or {@code tls} is null
     * @throws IllegalArgumentException when {@code maxMessageBytes} is below 1024
     */
    public TransportSetup {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(advertise, "advertise");
        Objects.requireNonNull(tls, "tls");
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + maxMessageBytes);
        }
    }

    /**
     * A transport that listens on {@code bind} and calls: the setup of every transport before
     * call-only ones existed.
     *
     * @throws NullPointerException     when an endpoint or {@code tls} is null
     * @throws IllegalArgumentException when {@code maxMessageBytes} is below 1024
     */
    public TransportSetup(Endpoint bind, Endpoint advertise, int maxMessageBytes, Optional<Tls> tls) {
        this(bind, advertise, maxMessageBytes, tls, false);
    }

    /** Plaintext with the default message size, advertising the bind address; listens. */
    public static TransportSetup plain(Endpoint bind) {
        return new TransportSetup(bind, bind, DEFAULT_MAX_MESSAGE_BYTES, Optional.empty());
    }

    /**
     * A call-only transport (see the class description): it never listens.
     *
     * @param local           what {@link Transport#localEndpoint()} reports, e.g. the agent's bind
     *                        address with its configured RPC port; nothing is bound there
     * @param maxMessageBytes largest message sent or accepted as a response, in bytes
     * @param tls             client-side TLS settings, or empty for plaintext
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when {@code maxMessageBytes} is below 1024
     */
    public static TransportSetup callOnly(Endpoint local, int maxMessageBytes, Optional<Tls> tls) {
        return new TransportSetup(local, local, maxMessageBytes, tls, true);
    }

    /** This setup with {@code callOnly} set and everything else unchanged. */
    public TransportSetup asCallOnly() {
        return new TransportSetup(bind, advertise, maxMessageBytes, tls, true);
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
