package io.tribune.embedded;

import java.net.InetSocketAddress;

/**
 * Something that serves Tribune's interfaces at {@link #addresses()}: an {@link EmbeddedAgent}, or one
 * agent of an {@link EmbeddedCluster}. The accessors below read those addresses.
 */
public interface TribuneEndpoints {
    /** The three addresses as one value, e.g. to hand to code under test. */
    TribuneAddresses addresses();

    /** Where the Consul HTTP API listens. */
    default InetSocketAddress httpAddress() {
        return addresses().http();
    }

    /** Where the DNS interface listens, over UDP and TCP. */
    default InetSocketAddress dnsAddress() {
        return addresses().dns();
    }

    /** Where the gRPC API listens. */
    default InetSocketAddress grpcAddress() {
        return addresses().grpc();
    }

    /** {@code http://<host>:<port>}: the base URL of the HTTP API, without a trailing slash. */
    default String httpUrl() {
        return addresses().httpUrl();
    }
}
