/**
 * The native gRPC API of a Tribune agent (package {@code tribune.v1}: KV with watch, Txn, Catalog,
 * Health with watch, Sessions, Events, Agent, AgentLocal, Status) and server reflection, served with gRPC-Java on Netty on the
 * agent's gRPC port.
 *
 * <p>Provides {@link io.tribune.agent.AgentService} ({@link io.tribune.grpcapi.GrpcApiService}),
 * which the agent finds with {@link java.util.ServiceLoader}, and the agent's gRPC health check as
 * an {@code io.tribune.agent.local.CheckRunner}. Every call goes through the agent's request layer;
 * nothing reaches consensus or the state store directly.
 */
module io.tribune.grpcapi {
    requires transitive io.tribune.agent;
    requires io.tribune.api.grpc;
    requires io.grpc.netty;
    // Server reflection for grpcurl and other generic clients (issue 18).
    requires io.grpc.services;
    // google.rpc.Status / ErrorInfo error details; the jar has no Automatic-Module-Name.
    requires proto.google.common.protos;
    // Netty's explicit modules are not read transitively through the automatic grpc modules.
    requires io.netty.common;
    requires io.netty.transport;
    // TLS for gRPC health checks with TLSSkipVerify (an insecure trust manager).
    requires io.netty.handler;

    exports io.tribune.grpcapi;

    provides io.tribune.agent.AgentService with io.tribune.grpcapi.GrpcApiService;
    // The agent's gRPC health checks (GRPC in a check definition), kept here so the agent needs no gRPC.
    provides io.tribune.agent.local.CheckRunner with io.tribune.grpcapi.internal.GrpcHealthCheckRunner;
}
