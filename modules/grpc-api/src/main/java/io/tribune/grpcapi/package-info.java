/**
 * The server side of Tribune's native gRPC API: {@link io.tribune.grpcapi.GrpcApiService}, the
 * agent extension that serves package {@code tribune.v1} on the agent's gRPC port.
 */
package io.tribune.grpcapi;
