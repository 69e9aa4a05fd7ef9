package io.tribune.transport.grpc;

import io.tribune.testkit.TestPki;

import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.tck.transport.TransportConformanceTest;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binds the transport conformance kit to the gRPC transport with mutual TLS and every check on
 * ({@code verify_incoming}, {@code verify_outgoing}, {@code verify_server_hostname}).
 */
class GrpcTlsConformanceTest extends TransportConformanceTest {
    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki.Leaf leaf;

    @BeforeAll
    static void makeCertificates() {
        pki = new TestPki(dir, "tck");
        // one certificate for every node, named as Consul names servers of dc1
        leaf = pki.issue("server.dc1.consul", "server.dc1.consul");
    }

    @Override
    protected TransportFactory factory() {
        return new GrpcTransportFactory();
    }

    @Override
    protected TransportSetup setup(String node, int maxMessageBytes) {
        Endpoint bind = new Endpoint("127.0.0.1", 0);
        return new TransportSetup(bind, bind, maxMessageBytes, Optional.of(new TransportSetup.Tls(pki.caFile,
                leaf.certFile(), leaf.keyFile(), true, true, true, "server.dc1.consul")));
    }
}
