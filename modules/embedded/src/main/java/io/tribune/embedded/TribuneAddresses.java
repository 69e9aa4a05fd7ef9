package io.tribune.embedded;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where an embedded agent listens: its Consul HTTP API, its DNS interface (UDP and TCP on the same
 * port) and its gRPC API, each on 127.0.0.1 with the port bound at start. An immutable value.
 *
 * @param http the HTTP API
 * @param dns  the DNS interface
 * @param grpc the gRPC API
 */
public record TribuneAddresses(InetSocketAddress http, InetSocketAddress dns, InetSocketAddress grpc) {
    /** Checks that no address is null. */
    public TribuneAddresses {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(grpc, "grpc");
    }

    /** {@code http://<host>:<port>} of the HTTP API, without a trailing slash. */
    public String httpUrl() {
        return "http://" + http.getHostString() + ":" + http.getPort();
    }

    /** {@code <host>:<port>} of the HTTP API, the form of {@code CONSUL_HTTP_ADDR}. */
    public String httpHostPort() {
        return http.getHostString() + ":" + http.getPort();
    }

    /** {@code <host>:<port>} of the gRPC API, the form a gRPC channel target takes. */
    public String grpcTarget() {
        return grpc.getHostString() + ":" + grpc.getPort();
    }
}
