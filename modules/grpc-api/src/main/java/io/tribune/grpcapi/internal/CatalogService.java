package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
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
import io.tribune.state.Command;
import io.tribune.state.CommandValidator;
import io.tribune.state.HealthCheck;
import io.tribune.state.Indexed;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.NodeServices;
import io.tribune.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code tribune.v1.Catalog}: register and deregister through consensus; node and service reads. */
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
            Node node = Convert.node(req.getNode());
            Optional<NodeService> svc = req.hasService() ? Optional.of(Convert.service(req.getService()))
                    : Optional.empty();
            List<HealthCheck> checks = new ArrayList<>();
            req.getChecksList().forEach(c -> checks.add(Convert.check(c)));
            return b.writeOk(new Command.Register(node, svc, checks, b.wallMillis()))
                    .thenApply(w -> RegisterResponse.newBuilder().setMeta(w.meta()).build());
        });
    }

    @Override
    public void deregister(DeregisterRequest req, StreamObserver<DeregisterResponse> out) {
        Backend.unary(out, () -> {
            Backend.name("node name", req.getNode());
            Optional<String> svc = req.getServiceId().isEmpty() ? Optional.empty()
                    : Optional.of(Backend.optionalName("service_id", req.getServiceId()));
            Optional<String> check = req.getCheckId().isEmpty() ? Optional.empty()
                    : Optional.of(Backend.optionalName("check_id", req.getCheckId()));
            return b.writeOk(new Command.Deregister(req.getNode(), svc, check, b.wallMillis()))
                    .thenApply(w -> DeregisterResponse.newBuilder().setMeta(w.meta()).build());
        });
    }

    @Override
    public void listNodes(ListNodesRequest req, StreamObserver<ListNodesResponse> out) {
        Backend.unary(out, () -> {
            Map<String, String> meta = Backend.metaFilter(req.getNodeMetaMap());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> {
                Indexed<List<Node>> r = state.nodes(meta);
                ListNodesResponse.Builder resp = ListNodesResponse.newBuilder().setMeta(b.meta(r.index()));
                r.value().forEach(n -> resp.addNodes(Convert.node(n)));
                return resp.build();
            });
        });
    }

    @Override
    public void listServices(ListServicesRequest req, StreamObserver<ListServicesResponse> out) {
        Backend.unary(out, () -> {
            Map<String, String> meta = Backend.metaFilter(req.getNodeMetaMap());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> {
                Indexed<Map<String, List<String>>> r = state.services(meta);
                ListServicesResponse.Builder resp = ListServicesResponse.newBuilder().setMeta(b.meta(r.index()));
                r.value().forEach((name, tags) -> resp.addServices(ServiceSummary.newBuilder().setName(name)
                        .addAllTags(tags)));
                return resp.build();
            });
        });
    }

    @Override
    public void serviceInstances(ServiceInstancesRequest req, StreamObserver<ServiceInstancesResponse> out) {
        Backend.unary(out, () -> {
            String name = Backend.name("service name", req.getService());
            String tag = Backend.optionalName("tag", req.getTag());
            Map<String, String> meta = Backend.metaFilter(req.getNodeMetaMap());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> {
                var r = state.serviceInstances(name, tag, meta);
                ServiceInstancesResponse.Builder resp = ServiceInstancesResponse.newBuilder()
                        .setMeta(b.meta(r.index()));
                r.value().forEach(i -> resp.addInstances(ServiceInstance.newBuilder()
                        .setNode(Convert.node(i.node())).setService(Convert.service(i.service()))));
                return resp.build();
            });
        });
    }

    @Override
    public void nodeServices(NodeServicesRequest req, StreamObserver<NodeServicesResponse> out) {
        Backend.unary(out, () -> {
            String node = Backend.name("node name", req.getNode());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> {
                Indexed<Optional<NodeServices>> r = state.nodeServices(node);
                NodeServicesResponse.Builder resp = NodeServicesResponse.newBuilder().setMeta(b.meta(r.index()))
                        .setFound(r.value().isPresent());
                r.value().ifPresent(ns -> {
                    resp.setNode(Convert.node(ns.node()));
                    ns.services().forEach(s -> resp.addServices(Convert.service(s)));
                });
                return resp.build();
            });
        });
    }
}
