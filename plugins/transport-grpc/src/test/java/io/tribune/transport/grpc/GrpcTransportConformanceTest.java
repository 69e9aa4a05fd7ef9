package io.tribune.transport.grpc;

import io.tribune.api.transport.TransportFactory;
import io.tribune.tck.transport.TransportConformanceTest;

/** Binds the transport conformance kit to the gRPC transport in plaintext on 127.0.0.1. */
class GrpcTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected TransportFactory factory() {
        return new GrpcTransportFactory();
    }
}
