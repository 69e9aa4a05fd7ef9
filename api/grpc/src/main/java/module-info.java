/**
 * Tribune's native gRPC API: the message and stub classes generated from the {@code .proto} files
 * of package {@code tribune.v1} (KV with watch, Txn, Catalog, Health with watch, Sessions, Events,
 * Agent, Status), for the agent's server side and for clients.
 *
 * <p>Uses and provides no services. Kept apart from the SPI module {@code io.tribune.api}, which
 * must stay free of third-party dependencies.
 */
module io.tribune.api.grpc {
    requires transitive com.google.protobuf;
    requires transitive io.grpc;
    requires transitive io.grpc.stub;
    requires transitive io.grpc.protobuf;
    // The generated stubs use Guava's ListenableFuture.
    requires transitive com.google.common;

    exports io.tribune.api.grpc.v1;
}
