package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.agent.rpc.Catalog;
import io.tribune.api.grpc.v1.CatalogGrpc;
import io.tribune.api.grpc.v1.DeregisterRequest;
import io.tribune.api.grpc.v1.DeregisterResponse;
import io.tribune.api.grpc.v1.ListNodesRequest;
import io.tribune.api.grpc.v1.ListNodesResponse;
import io.tribune.api.grpc.v1.ListServicesRequest;
import io.tribune.api.grpc.v1.ListServicesResponse;
import io.tribune.api.grpc.v1.NodeServicesRequest;
import io.tribune.api.grpc.v1.NodeServicesResponse;
import io.tribune.api.grpc.v1.RegisterRequest;
import io.tribune.api.grpc.v1.RegisterResponse;
import io.tribune.api.grpc.v1.ServiceInstance;
import io.tribune.api.grpc.v1.ServiceInstancesRequest;
import io.tribune.api.grpc.v1.ServiceInstancesResponse;
import io.tribune.api.grpc.v1.ServiceSummary;
import io.tribune.state.CommandValidator;
import io.tribune.state.HealthCheck;
import io.tribune.state.NodeService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code tribune.v1.Catalog}: register and deregister; node and service reads ({@link Catalog} operations). */
public final class CatalogService extends CatalogGrpc.CatalogImplBase {
    private final Backend b;

    /** The service over {@code backend}. */
    public CatalogService(Backend backend) {
        this.b = backend;
    }

    @Override
    public void register(RegisterRequest req, StreamObserver<RegisterResponse> out) {
        Backend.unary(out, () -> {
            if (!req.hasNode() || req.getNode().getNode().isEmpty()) {
                throw Errors.invalid("missing node name");
            }
            if (req.getChecksCount() > CommandValidator.MAX_CHECKS) {
                throw Errors.invalid("too many checks (" + req.getChecksCount() + " > " + CommandValidator.MAX_CHECKS
                        + ")");
            }
            Optional<NodeService> svc = req.hasService() ? Optional.of(Convert.service(req.getService()))
                    : Optional.empty();
            List<HealthCheck> checks = new ArrayList<>();
            req.getChecksList().forEach(c -> checks.add(Convert.check(c)));
            return b.write(new Catalog.Register(Convert.node(req.getNode()), svc, checks, false),
                    r -> RegisterResponse.newBuilder().setMeta(Backend.writeMeta(r.meta())).build());
        });
    }

    @Override
    public void deregister(DeregisterRequest req, StreamObserver<DeregisterResponse> out) {
        Backend.unary(out, () -> {
            Optional<String> svc = req.getServiceId().isEmpty() ? Optional.empty() : Optional.of(req.getServiceId());
            Optional<String> check = req.getCheckId().isEmpty() ? Optional.empty() : Optional.of(req.getCheckId());
            return b.write(new Catalog.Deregister(req.getNode(), svc, check),
                    r -> DeregisterResponse.newBuilder().setMeta(Backend.writeMeta(r.meta())).build());
        });
    }

    @Override
    public void listNodes(ListNodesRequest req, StreamObserver<ListNodesResponse> out) {
        Backend.unary(out, () -> b.read(new Catalog.Nodes(req.getNodeMetaMap()), req.getRead(), r -> {
            ListNodesResponse.Builder resp = ListNodesResponse.newBuilder().setMeta(Backend.meta(r.meta()));
            r.value().forEach(n -> resp.addNodes(Convert.node(n)));
            return resp.build();
        }));
    }

    @Override
    public void listServices(ListServicesRequest req, StreamObserver<ListServicesResponse> out) {
        Backend.unary(out, () -> b.read(new Catalog.Services(req.getNodeMetaMap()), req.getRead(), r -> {
            ListServicesResponse.Builder resp = ListServicesResponse.newBuilder().setMeta(Backend.meta(r.meta()));
            r.value().forEach((name, tags) -> resp.addServices(ServiceSummary.newBuilder().setName(name)
                    .addAllTags(tags)));
            return resp.build();
        }));
    }

    @Override
    public void serviceInstances(ServiceInstancesRequest req, StreamObserver<ServiceInstancesResponse> out) {
        Backend.unary(out, () -> {
            List<String> tags = req.getTag().isEmpty() ? List.of() : List.of(req.getTag());
            return b.read(new Catalog.ServiceNodes(req.getService(), tags, req.getNodeMetaMap()), req.getRead(), r -> {
                ServiceInstancesResponse.Builder resp = ServiceInstancesResponse.newBuilder()
                        .setMeta(Backend.meta(r.meta()));
                r.value().forEach(i -> resp.addInstances(ServiceInstance.newBuilder()
                        .setNode(Convert.node(i.node())).setService(Convert.service(i.service()))));
                return resp.build();
            });
        });
    }

    @Override
    public void nodeServices(NodeServicesRequest req, StreamObserver<NodeServicesResponse> out) {
        Backend.unary(out, () -> b.read(new Catalog.ServicesOfNode(req.getNode()), req.getRead(), r -> {
            NodeServicesResponse.Builder resp = NodeServicesResponse.newBuilder().setMeta(Backend.meta(r.meta()))
                    .setFound(r.value().isPresent());
            r.value().ifPresent(ns -> {
                resp.setNode(Convert.node(ns.node()));
                ns.services().forEach(s -> resp.addServices(Convert.service(s)));
            });
            return resp.build();
        }));
    }
}
