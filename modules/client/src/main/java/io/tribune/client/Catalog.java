package io.tribune.client;

import io.tribune.api.grpc.v1.CatalogGrpc;
import io.tribune.api.grpc.v1.DeregisterRequest;
import io.tribune.api.grpc.v1.DeregisterResponse;
import io.tribune.api.grpc.v1.ListNodesRequest;
import io.tribune.api.grpc.v1.ListNodesResponse;
import io.tribune.api.grpc.v1.ListServicesRequest;
import io.tribune.api.grpc.v1.ListServicesResponse;
import io.tribune.api.grpc.v1.Node;
import io.tribune.api.grpc.v1.NodeServicesRequest;
import io.tribune.api.grpc.v1.NodeServicesResponse;
import io.tribune.api.grpc.v1.RegisterRequest;
import io.tribune.api.grpc.v1.RegisterResponse;
import io.tribune.api.grpc.v1.ServiceInstance;
import io.tribune.api.grpc.v1.ServiceInstancesRequest;
import io.tribune.api.grpc.v1.ServiceInstancesResponse;
import io.tribune.api.grpc.v1.ServiceSummary;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The catalog: nodes, service instances and their checks. */
public final class Catalog {
    private final Calls calls;

    Catalog(Calls calls) {
        this.calls = calls;
    }

    private CatalogGrpc.CatalogStub stub() {
        return calls.timed(CatalogGrpc.newStub(calls.channel));
    }

    /** Registers a node, optionally a service instance and checks on it; completes with the commit index. */
    public CompletableFuture<Long> registerAsync(RegisterRequest req) {
        return Calls.<RegisterResponse>future(o -> stub().register(req, o)).thenApply(r -> r.getMeta().getIndex());
    }

    /** Registers; returns the commit index. */
    public long register(RegisterRequest req) {
        return Calls.await(registerAsync(req), r -> r);
    }

    /** Removes a service instance, a check, or (when neither is set) the whole node. */
    public long deregister(DeregisterRequest req) {
        return Calls.await(Calls.<DeregisterResponse>future(o -> stub().deregister(req, o)),
                r -> r.getMeta().getIndex());
    }

    /** Every node. */
    public List<Node> nodes() {
        ListNodesRequest req = ListNodesRequest.newBuilder().setRead(calls.read).build();
        return Calls.await(Calls.<ListNodesResponse>future(o -> stub().listNodes(req, o)),
                ListNodesResponse::getNodesList);
    }

    /** Every service name with its tags. */
    public List<ServiceSummary> services() {
        ListServicesRequest req = ListServicesRequest.newBuilder().setRead(calls.read).build();
        return Calls.await(Calls.<ListServicesResponse>future(o -> stub().listServices(req, o)),
                ListServicesResponse::getServicesList);
    }

    /** Instances of {@code service} with their nodes. */
    public List<ServiceInstance> service(String service) {
        return Calls.await(serviceAsync(ServiceInstancesRequest.newBuilder().setService(service)
                .setRead(calls.read).build()), ServiceInstancesResponse::getInstancesList);
    }

    /** Instances with every option (tag, node meta, consistency). */
    public CompletableFuture<ServiceInstancesResponse> serviceAsync(ServiceInstancesRequest req) {
        return Calls.future(o -> stub().serviceInstances(req, o));
    }

    /** A node with its services ({@code found = false} when absent). */
    public NodeServicesResponse node(String node) {
        NodeServicesRequest req = NodeServicesRequest.newBuilder().setNode(node).setRead(calls.read).build();
        return Calls.await(Calls.<NodeServicesResponse>future(o -> stub().nodeServices(req, o)), r -> r);
    }
}
