package io.tribune.client;

import io.tribune.api.grpc.v1.ChecksInStateRequest;
import io.tribune.api.grpc.v1.ChecksResponse;
import io.tribune.api.grpc.v1.HealthCheck;
import io.tribune.api.grpc.v1.HealthGrpc;
import io.tribune.api.grpc.v1.HealthStatus;
import io.tribune.api.grpc.v1.NodeChecksRequest;
import io.tribune.api.grpc.v1.ServiceHealthRequest;
import io.tribune.api.grpc.v1.ServiceHealthResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Health of service instances and nodes, and service health watches. */
public final class Health {
    private final Calls calls;

    Health(Calls calls) {
        this.calls = calls;
    }

    private HealthGrpc.HealthStub stub() {
        return calls.timed(HealthGrpc.newStub(calls.channel));
    }

    /** Instances of a service with their checks, with every option. */
    public CompletableFuture<ServiceHealthResponse> serviceAsync(ServiceHealthRequest req) {
        return Calls.future(o -> stub().serviceHealth(req, o));
    }

    /** Instances of {@code service} with their checks; only healthy ones with {@code passingOnly}. */
    public ServiceHealthResponse service(String service, boolean passingOnly) {
        return Calls.await(serviceAsync(ServiceHealthRequest.newBuilder().setService(service)
                .setPassingOnly(passingOnly).setRead(calls.read).build()), r -> r);
    }

    /** The checks of a node. */
    public List<HealthCheck> node(String node) {
        NodeChecksRequest req = NodeChecksRequest.newBuilder().setNode(node).setRead(calls.read).build();
        return Calls.await(Calls.<ChecksResponse>future(o -> stub().nodeChecks(req, o)), ChecksResponse::getChecksList);
    }

    /** Checks in {@code status}, or every check for {@code HEALTH_STATUS_UNSPECIFIED}. */
    public List<HealthCheck> state(HealthStatus status) {
        ChecksInStateRequest req = ChecksInStateRequest.newBuilder().setStatus(status).setRead(calls.read).build();
        return Calls.await(Calls.<ChecksResponse>future(o -> stub().checksInState(req, o)),
                ChecksResponse::getChecksList);
    }

    /** Watches a service's health as a stream: the current answer, then a new one per change. */
    public Watch<ServiceHealthResponse> watch(String service, boolean passingOnly) {
        return watch(ServiceHealthRequest.newBuilder().setService(service).setPassingOnly(passingOnly)
                .setRead(calls.read).build());
    }

    /** A health watch with every option, as a stream. */
    public Watch<ServiceHealthResponse> watch(ServiceHealthRequest req) {
        Watch<ServiceHealthResponse> w = new Watch<>();
        HealthGrpc.newStub(calls.channel).watchService(req, w.<ServiceHealthRequest>observer());
        return w;
    }

    /** A health watch delivered to {@code listener}; close the handle to stop. */
    public WatchHandle watch(ServiceHealthRequest req, WatchListener<ServiceHealthResponse> listener) {
        WatchHandle h = new WatchHandle();
        HealthGrpc.newStub(calls.channel).watchService(req,
                h.<ServiceHealthRequest, ServiceHealthResponse>observer(listener));
        return h;
    }
}
