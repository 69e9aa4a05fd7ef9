package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.api.grpc.v1.ChecksInStateRequest;
import io.tribune.api.grpc.v1.ChecksResponse;
import io.tribune.api.grpc.v1.HealthGrpc;
import io.tribune.api.grpc.v1.HealthStatus;
import io.tribune.api.grpc.v1.NodeChecksRequest;
import io.tribune.api.grpc.v1.ServiceHealthRequest;
import io.tribune.api.grpc.v1.ServiceHealthResponse;
import io.tribune.state.HealthCheck;
import io.tribune.state.Indexed;
import io.tribune.state.ServiceHealth;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code tribune.v1.Health}: service and check health reads, and the service health watch. */
public final class HealthService extends HealthGrpc.HealthImplBase {
    private final Backend b;
    private final Watches watches;

    /** The service over {@code backend}. */
    public HealthService(Backend backend, Watches watches) {
        this.b = backend;
        this.watches = watches;
    }

    private record Query(String service, String tag, boolean passingOnly, Map<String, String> meta) {
        static Query of(ServiceHealthRequest req) {
            return new Query(Backend.name("service name", req.getService()), Backend.optionalName("tag", req.getTag()),
                    req.getPassingOnly(), Backend.metaFilter(req.getNodeMetaMap()));
        }

        ServiceHealthResponse run(StateStore state, Backend b) {
            Indexed<List<ServiceHealth>> r = state.serviceHealth(service, tag, passingOnly, meta);
            ServiceHealthResponse.Builder resp = ServiceHealthResponse.newBuilder().setMeta(b.meta(r.index()));
            r.value().forEach(h -> resp.addInstances(Convert.health(h)));
            return resp.build();
        }
    }

    @Override
    public void serviceHealth(ServiceHealthRequest req, StreamObserver<ServiceHealthResponse> out) {
        Backend.unary(out, () -> {
            Query q = Query.of(req);
            StateStore state = b.state();
            return b.read(req.getRead(), () -> q.run(state, b));
        });
    }

    @Override
    public void nodeChecks(NodeChecksRequest req, StreamObserver<ChecksResponse> out) {
        Backend.unary(out, () -> {
            String node = Backend.name("node name", req.getNode());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> checks(state.nodeChecks(node)));
        });
    }

    @Override
    public void checksInState(ChecksInStateRequest req, StreamObserver<ChecksResponse> out) {
        Backend.unary(out, () -> {
            Optional<io.tribune.state.HealthStatus> status = req.getStatus() == HealthStatus.HEALTH_STATUS_UNSPECIFIED
                    ? Optional.empty() : Optional.of(Convert.status(req.getStatus(), "status"));
            StateStore state = b.state();
            return b.read(req.getRead(), () -> checks(state.checksInState(status)));
        });
    }

    private ChecksResponse checks(Indexed<List<HealthCheck>> r) {
        return ChecksResponse.newBuilder().setMeta(b.meta(r.index())).addAllChecks(Convert.checks(r.value())).build();
    }

    @Override
    public void watchService(ServiceHealthRequest req, StreamObserver<ServiceHealthResponse> out) {
        Query q;
        StateStore state;
        try {
            q = Query.of(req);
            Backend.mode(req.getRead());
            state = b.state();
        } catch (RuntimeException e) {
            out.onError(Errors.toStatus(e));
            return;
        }
        watches.open(out, new WatchTarget.Service(q.service()), req.getRead(), req.getMinIndex(), () -> {
            ServiceHealthResponse r = q.run(state, b);
            return new WatchStream.Snapshot<>(r.getMeta().getIndex(), r);
        });
    }
}
