/**
 * A Java client of Tribune's native gRPC API, usable by any program (module path or class path):
 * a builder with target, deadline, consistency and TLS options; blocking and
 * {@link java.util.concurrent.CompletableFuture} calls; watches as streams or listeners; and
 * recipes built on sessions and KV ({@code io.tribune.client.recipes}: lock, leader election,
 * semaphore, session keep-alive).
 *
 * <p>Uses gRPC-Java's channel providers (Netty) through {@link java.util.ServiceLoader}; provides
 * no services.
 */
module io.tribune.client {
    requires transitive io.tribune.api.grpc;
    // google.rpc.ErrorInfo error details; the jar has no Automatic-Module-Name.
    requires proto.google.common.protos;
    // The channel provider found at run time.
    requires io.grpc.netty;
    // The semaphore recipe's .lock JSON.
    requires com.google.gson;

    exports io.tribune.client;
    exports io.tribune.client.recipes;
}
