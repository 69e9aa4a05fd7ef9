package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Response;
import io.tribune.api.grpc.v1.ChecksInStateRequest;
import io.tribune.api.grpc.v1.ChecksResponse;
import io.tribune.api.grpc.v1.HealthGrpc;
import io.tribune.api.grpc.v1.HealthStatus;
import io.tribune.api.grpc.v1.NodeChecksRequest;
import io.tribune.api.grpc.v1.ServiceHealthRequest;
import io.tribune.api.grpc.v1.ServiceHealthResponse;
import io.tribune.state.HealthCheck;
import io.tribune.state.ServiceHealth;
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

    private static Health.ServiceNodes query(ServiceHealthRequest req) {
        return new Health.ServiceNodes(req.getService(), req.getTag().isEmpty() ? List.of() : List.of(req.getTag()),
                req.getPassingOnly(), req.getNodeMetaMap());
    }

    private static ServiceHealthResponse health(Response<List<ServiceHealth>> r) {
        ServiceHealthResponse.Builder resp = ServiceHealthResponse.newBuilder().setMeta(Backend.meta(r.meta()));
        r.value().forEach(h -> resp.addInstances(Convert.health(h)));
        return resp.build();
    }

    @Override
    public void serviceHealth(ServiceHealthRequest req, StreamObserver<ServiceHealthResponse> out) {
        Backend.unary(out, () -> b.read(query(req), req.getRead(), HealthService::health));
    }

    @Override
    public void nodeChecks(NodeChecksRequest req, StreamObserver<ChecksResponse> out) {
        Backend.unary(out, () -> b.read(new Health.NodeChecks(req.getNode()), req.getRead(), HealthService::checks));
    }

    @Override
    public void checksInState(ChecksInStateRequest req, StreamObserver<ChecksResponse> out) {
        Backend.unary(out, () -> {
            Optional<io.tribune.state.HealthStatus> status = req.getStatus() == HealthStatus.HEALTH_STATUS_UNSPECIFIED
                    ? Optional.empty() : Optional.of(Convert.status(req.getStatus(), "status"));
            return b.read(new Health.ChecksInState(status, Map.of()), req.getRead(), HealthService::checks);
        });
    }

    private static ChecksResponse checks(Response<List<HealthCheck>> r) {
        return ChecksResponse.newBuilder().setMeta(Backend.meta(r.meta())).addAllChecks(Convert.checks(r.value()))
                .build();
    }

    @Override
    public void watchService(ServiceHealthRequest req, StreamObserver<ServiceHealthResponse> out) {
        try {
            Backend.mode(req.getRead());
            watches.open(out, query(req), req.getRead(), req.getMinIndex(), HealthService::health);
        } catch (RuntimeException e) {
            out.onError(Errors.toStatus(e));
        }
    }
}
