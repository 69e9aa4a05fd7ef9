package io.tribune.client;

import io.tribune.api.grpc.v1.AgentLocalGrpc;
import io.tribune.api.grpc.v1.DeregisterLocalCheckRequest;
import io.tribune.api.grpc.v1.DeregisterLocalCheckResponse;
import io.tribune.api.grpc.v1.DeregisterLocalServiceRequest;
import io.tribune.api.grpc.v1.DeregisterLocalServiceResponse;
import io.tribune.api.grpc.v1.HealthCheck;
import io.tribune.api.grpc.v1.HealthStatus;
import io.tribune.api.grpc.v1.ListLocalChecksRequest;
import io.tribune.api.grpc.v1.ListLocalChecksResponse;
import io.tribune.api.grpc.v1.ListLocalServicesRequest;
import io.tribune.api.grpc.v1.ListLocalServicesResponse;
import io.tribune.api.grpc.v1.LocalCheck;
import io.tribune.api.grpc.v1.RegisterLocalCheckRequest;
import io.tribune.api.grpc.v1.RegisterLocalCheckResponse;
import io.tribune.api.grpc.v1.RegisterLocalServiceRequest;
import io.tribune.api.grpc.v1.RegisterLocalServiceResponse;
import io.tribune.api.grpc.v1.Service;
import io.tribune.api.grpc.v1.UpdateTtlRequest;
import io.tribune.api.grpc.v1.UpdateTtlResponse;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The answering agent's own services and checks ({@code tribune.v1.AgentLocal}, Consul's
 * {@code /v1/agent/service/register} and {@code /v1/agent/check/*}): the agent runs the checks and
 * its anti-entropy keeps the catalog in step, so a service registered here appears in
 * {@link Catalog} and {@link Health} reads shortly after, and disappears after deregistration.
 *
 * <p>Registration is per agent: register with the agent the service runs beside, and keep TTL checks
 * alive with {@link #pass}, {@link #warn} or {@link #fail} more often than their TTL. Failures are
 * {@link TribuneException}s: {@code INVALID_ARGUMENT} for a bad definition (nothing changed),
 * {@code NOT_FOUND} for an unknown id, {@code FAILED_PRECONDITION} for a TTL update of a check that is
 * not a TTL check, {@code PERMISSION_DENIED} when the client's token lacks the rights.
 *
 * <p>Thread-safe.
 */
public final class AgentLocal {
    private final Calls calls;

    AgentLocal(Calls calls) {
        this.calls = calls;
    }

    private AgentLocalGrpc.AgentLocalStub stub() {
        return calls.timed(AgentLocalGrpc.newStub(calls.channel));
    }

    /** Registers (or replaces) {@code service} with {@code checks}, asynchronously. */
    public CompletableFuture<Void> registerServiceAsync(Service service, List<LocalCheck> checks) {
        RegisterLocalServiceRequest req = RegisterLocalServiceRequest.newBuilder().setService(service)
                .addAllChecks(checks).build();
        return Calls.<RegisterLocalServiceResponse>future(o -> stub().registerService(req, o)).thenApply(x -> null);
    }

    /** Registers (or replaces) {@code service} with {@code checks}; checks it had and that are not named are removed. */
    public void registerService(Service service, List<LocalCheck> checks) {
        Calls.await(registerServiceAsync(service, checks), r -> r);
    }

    /** Removes a service and its checks; {@code NOT_FOUND} when the agent has no such service. */
    public void deregisterService(String serviceId) {
        DeregisterLocalServiceRequest req = DeregisterLocalServiceRequest.newBuilder().setServiceId(serviceId).build();
        Calls.await(Calls.<DeregisterLocalServiceResponse>future(o -> stub().deregisterService(req, o)), r -> r);
    }

    /** Registers (or replaces) a check, of the node or (with {@code service_id}) of a local service. */
    public void registerCheck(LocalCheck check) {
        RegisterLocalCheckRequest req = RegisterLocalCheckRequest.newBuilder().setCheck(check).build();
        Calls.await(Calls.<RegisterLocalCheckResponse>future(o -> stub().registerCheck(req, o)), r -> r);
    }

    /** Removes a check; {@code NOT_FOUND} when the agent has no such check. */
    public void deregisterCheck(String checkId) {
        DeregisterLocalCheckRequest req = DeregisterLocalCheckRequest.newBuilder().setCheckId(checkId).build();
        Calls.await(Calls.<DeregisterLocalCheckResponse>future(o -> stub().deregisterCheck(req, o)), r -> r);
    }

    /** Sets a TTL check's status and output and restarts its TTL, asynchronously. */
    public CompletableFuture<Void> updateTtlAsync(String checkId, HealthStatus status, String output) {
        Objects.requireNonNull(status, "status");
        UpdateTtlRequest req = UpdateTtlRequest.newBuilder().setCheckId(checkId).setStatus(status)
                .setOutput(output).build();
        return Calls.<UpdateTtlResponse>future(o -> stub().updateTtl(req, o)).thenApply(x -> null);
    }

    /** Sets a TTL check's status and output and restarts its TTL. */
    public void updateTtl(String checkId, HealthStatus status, String output) {
        Calls.await(updateTtlAsync(checkId, status, output), r -> r);
    }

    /** A TTL check passes (Consul's {@code check/pass}). */
    public void pass(String checkId, String output) {
        updateTtl(checkId, HealthStatus.HEALTH_STATUS_PASSING, output);
    }

    /** A TTL check warns (Consul's {@code check/warn}). */
    public void warn(String checkId, String output) {
        updateTtl(checkId, HealthStatus.HEALTH_STATUS_WARNING, output);
    }

    /** A TTL check fails (Consul's {@code check/fail}). */
    public void fail(String checkId, String output) {
        updateTtl(checkId, HealthStatus.HEALTH_STATUS_CRITICAL, output);
    }

    /** The agent's services the token may read, in registration order. */
    public List<Service> services() {
        return Calls.await(Calls.<ListLocalServicesResponse>future(o -> stub().listServices(
                ListLocalServicesRequest.getDefaultInstance(), o)), ListLocalServicesResponse::getServicesList);
    }

    /** The agent's checks the token may read, with their service's name and tags. */
    public List<HealthCheck> checks() {
        return Calls.await(Calls.<ListLocalChecksResponse>future(o -> stub().listChecks(
                ListLocalChecksRequest.getDefaultInstance(), o)), ListLocalChecksResponse::getChecksList);
    }
}
