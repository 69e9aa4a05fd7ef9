/**
 * The transport conformance kit: abstract JUnit 5 suites that state the contract of
 * {@link io.tribune.api.transport.Transport} as executable tests.
 *
 * <p>A transport plugin binds the kit by extending
 * {@link io.tribune.tck.transport.TransportConformanceTest} in its own tests and naming its
 * {@link io.tribune.api.transport.TransportFactory}. Uses no services and provides none; runs on
 * real threads (a {@link io.tribune.testkit.RealScheduler}) and, for network transports,
 * binds 127.0.0.1 only.
 */
module io.tribune.tck.transport {
    requires transitive io.tribune.api;
    requires transitive io.tribune.testkit;
    requires transitive org.junit.jupiter.api;

    // Test methods are public, so JUnit reaches them through the export without an opens.
    exports io.tribune.tck.transport;
}
