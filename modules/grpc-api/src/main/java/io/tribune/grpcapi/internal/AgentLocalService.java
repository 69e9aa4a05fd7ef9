package io.tribune.grpcapi.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.grpc.stub.StreamObserver;
import io.tribune.agent.local.CheckDefinitions;
import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.api.grpc.v1.AgentLocalGrpc;
import io.tribune.api.grpc.v1.DeregisterLocalCheckRequest;
import io.tribune.api.grpc.v1.DeregisterLocalCheckResponse;
import io.tribune.api.grpc.v1.DeregisterLocalServiceRequest;
import io.tribune.api.grpc.v1.DeregisterLocalServiceResponse;
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
import io.tribune.state.CommandValidator;
import java.util.Map;

/**
 * {@code tribune.v1.AgentLocal}: the answering agent's own services and checks, as the {@link AgentOps}
 * operations that {@code /v1/agent/service/register} and its siblings use, so both front ends share
 * the agent-local state, its check runners, anti-entropy and the ACL rules of the request layer.
 *
 * <p>A registration is read by the same reader as an HTTP body ({@link CheckDefinitions}): the
 * message is turned into the JSON object Consul's API takes, field for field, so defaults, limits
 * and error messages cannot drift apart between the two front ends. Stateless and thread-safe.
 */
public final class AgentLocalService extends AgentLocalGrpc.AgentLocalImplBase {
    private final Backend b;
    private final String nodeName;
    private final boolean scriptChecks;

    /**
     * The service over {@code backend} for the agent named {@code nodeName}; script checks are
     * accepted only with {@code scriptChecks} (Consul's {@code enable_script_checks}).
     */
    public AgentLocalService(Backend backend, String nodeName, boolean scriptChecks) {
        this.b = backend;
        this.nodeName = nodeName;
        this.scriptChecks = scriptChecks;
    }

    @Override
    public void registerService(RegisterLocalServiceRequest req, StreamObserver<RegisterLocalServiceResponse> out) {
        Backend.unary(out, () -> {
            if (!req.hasService()) {
                throw Errors.invalid("missing service");
            }
            if (req.getChecksCount() > CommandValidator.MAX_CHECKS) {
                throw Errors.invalid("too many checks (" + req.getChecksCount() + " > " + CommandValidator.MAX_CHECKS
                        + ")");
            }
            JsonObject svc = serviceJson(req.getService());
            JsonArray checks = new JsonArray();
            req.getChecksList().forEach(c -> checks.add(checkJson(c)));
            svc.add("Checks", checks);
            AgentOps.ServiceDefinition def = CheckDefinitions.service(JsonIn.of(svc, ""), nodeName, scriptChecks);
            return b.write(new AgentOps.RegisterService(def), r -> RegisterLocalServiceResponse.getDefaultInstance());
        });
    }

    @Override
    public void deregisterService(DeregisterLocalServiceRequest req,
                                  StreamObserver<DeregisterLocalServiceResponse> out) {
        Backend.unary(out, () -> b.write(new AgentOps.DeregisterService(req.getServiceId()),
                r -> DeregisterLocalServiceResponse.getDefaultInstance()));
    }

    @Override
    public void registerCheck(RegisterLocalCheckRequest req, StreamObserver<RegisterLocalCheckResponse> out) {
        Backend.unary(out, () -> {
            if (!req.hasCheck()) {
                throw Errors.invalid("missing check");
            }
            AgentOps.CheckDefinition def = CheckDefinitions.check(JsonIn.of(checkJson(req.getCheck()), ""), nodeName,
                    scriptChecks);
            return b.write(new AgentOps.RegisterCheck(def), r -> RegisterLocalCheckResponse.getDefaultInstance());
        });
    }

    @Override
    public void deregisterCheck(DeregisterLocalCheckRequest req, StreamObserver<DeregisterLocalCheckResponse> out) {
        Backend.unary(out, () -> b.write(new AgentOps.DeregisterCheck(req.getCheckId()),
                r -> DeregisterLocalCheckResponse.getDefaultInstance()));
    }

    @Override
    public void updateTtl(UpdateTtlRequest req, StreamObserver<UpdateTtlResponse> out) {
        Backend.unary(out, () -> b.write(new AgentOps.UpdateTtl(req.getCheckId(),
                        Convert.status(req.getStatus(), "TTL update of '" + Convert.abbreviate(req.getCheckId()) + "'"),
                        req.getOutput()), r -> UpdateTtlResponse.getDefaultInstance()));
    }

    @Override
    public void listServices(ListLocalServicesRequest req, StreamObserver<ListLocalServicesResponse> out) {
        Backend.unary(out, () -> b.write(new AgentOps.Services(), r -> {
            ListLocalServicesResponse.Builder resp = ListLocalServicesResponse.newBuilder();
            r.value().forEach(s -> resp.addServices(Convert.service(s)));
            return resp.build();
        }));
    }

    @Override
    public void listChecks(ListLocalChecksRequest req, StreamObserver<ListLocalChecksResponse> out) {
        Backend.unary(out, () -> b.write(new AgentOps.LocalChecks(),
                r -> ListLocalChecksResponse.newBuilder().addAllChecks(Convert.checks(r.value())).build()));
    }

    /** Consul's JSON service definition of {@code s} (without checks). */
    static JsonObject serviceJson(Service s) {
        JsonObject o = new JsonObject();
        o.addProperty("ID", s.getId());
        o.addProperty("Name", s.getService());
        JsonArray tags = new JsonArray();
        s.getTagsList().forEach(tags::add);
        o.add("Tags", tags);
        o.addProperty("Address", s.getAddress());
        o.add("Meta", stringMap(s.getMetaMap()));
        o.addProperty("Port", Integer.toUnsignedLong(s.getPort()));
        JsonObject weights = new JsonObject();
        // 0 is proto3's "unset": Consul's default weight of 1.
        weights.addProperty("Passing", s.getWeightPassing() == 0 ? 1 : Integer.toUnsignedLong(s.getWeightPassing()));
        weights.addProperty("Warning", s.getWeightWarning() == 0 ? 1 : Integer.toUnsignedLong(s.getWeightWarning()));
        o.add("Weights", weights);
        o.addProperty("EnableTagOverride", s.getEnableTagOverride());
        return o;
    }

    /** Consul's JSON check definition of {@code c}; unset (zero) fields are left out, as absent JSON fields. */
    static JsonObject checkJson(LocalCheck c) {
        JsonObject o = new JsonObject();
        putIfSet(o, "CheckID", c.getCheckId());
        putIfSet(o, "Name", c.getName());
        putIfSet(o, "Notes", c.getNotes());
        putIfSet(o, "ServiceID", c.getServiceId());
        if (c.getStatus() != HealthStatus.HEALTH_STATUS_UNSPECIFIED) {
            o.addProperty("Status", switch (Convert.status(c.getStatus(), "check '" + Convert.abbreviate(c.getCheckId())
                    + "'")) {
                case PASSING -> "passing";
                case WARNING -> "warning";
                case CRITICAL -> "critical";
            });
        }
        putMillis(o, "TTL", c.getTtlMillis());
        putIfSet(o, "HTTP", c.getHttp());
        putIfSet(o, "Method", c.getMethod());
        putIfSet(o, "TCP", c.getTcp());
        putIfSet(o, "GRPC", c.getGrpc());
        if (c.getGrpcUseTls()) {
            o.addProperty("GRPCUseTLS", true);
        }
        if (c.getTlsSkipVerify()) {
            o.addProperty("TLSSkipVerify", true);
        }
        if (c.getHeaderCount() > 0) {
            JsonObject header = new JsonObject();
            // Sorted, as the meta map: the definition does not depend on map order.
            new java.util.TreeMap<>(c.getHeaderMap()).forEach((name, values) -> {
                JsonArray vs = new JsonArray();
                values.getValuesList().forEach(vs::add);
                header.add(name, vs);
            });
            o.add("Header", header);
        }
        if (c.getArgsCount() > 0) {
            JsonArray args = new JsonArray();
            c.getArgsList().forEach(args::add);
            o.add("Args", args);
        }
        putMillis(o, "Interval", c.getIntervalMillis());
        putMillis(o, "Timeout", c.getTimeoutMillis());
        if (c.getSuccessBeforePassing() != 0) {
            o.addProperty("SuccessBeforePassing", Integer.toUnsignedLong(c.getSuccessBeforePassing()));
        }
        if (c.getFailuresBeforeCritical() != 0) {
            o.addProperty("FailuresBeforeCritical", Integer.toUnsignedLong(c.getFailuresBeforeCritical()));
        }
        return o;
    }

    private static void putIfSet(JsonObject o, String name, String v) {
        if (!v.isEmpty()) {
            o.addProperty(name, v);
        }
    }

    private static void putMillis(JsonObject o, String name, long millis) {
        if (millis < 0) {
            throw Errors.invalid(name + " must not be negative, was " + millis + " ms");
        }
        if (millis > 0) {
            // A Go duration string, which the reader parses exactly (a number would be nanoseconds).
            o.addProperty(name, millis + "ms");
        }
    }

    private static JsonObject stringMap(Map<String, String> m) {
        JsonObject o = new JsonObject();
        // Sorted, so that the definition (and any error naming a field) does not depend on map order.
        new java.util.TreeMap<>(m).forEach(o::addProperty);
        return o;
    }
}
