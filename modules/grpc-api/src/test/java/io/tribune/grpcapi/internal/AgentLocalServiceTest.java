package io.tribune.grpcapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.Options;
import io.tribune.api.grpc.v1.AgentLocalGrpc;
import io.tribune.api.grpc.v1.CatalogGrpc;
import io.tribune.api.grpc.v1.DeregisterLocalCheckRequest;
import io.tribune.api.grpc.v1.DeregisterLocalServiceRequest;
import io.tribune.api.grpc.v1.ErrorReason;
import io.tribune.api.grpc.v1.HealthCheck;
import io.tribune.api.grpc.v1.HealthGrpc;
import io.tribune.api.grpc.v1.HealthStatus;
import io.tribune.api.grpc.v1.ListLocalChecksRequest;
import io.tribune.api.grpc.v1.ListLocalServicesRequest;
import io.tribune.api.grpc.v1.LocalCheck;
import io.tribune.api.grpc.v1.NodeChecksRequest;
import io.tribune.api.grpc.v1.RegisterLocalCheckRequest;
import io.tribune.api.grpc.v1.RegisterLocalServiceRequest;
import io.tribune.api.grpc.v1.Service;
import io.tribune.api.grpc.v1.ServiceInstancesRequest;
import io.tribune.api.grpc.v1.UpdateTtlRequest;
import io.tribune.grpcapi.GrpcApiService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tribune.v1.AgentLocal} on an in-process dev agent with ACLs ({@code default_policy = deny}):
 * registration with checks, TTL state changes, anti-entropy to the catalog, errors with their status
 * and reason, and the HTTP API's authorization (service write to register, node write for TTL
 * updates and deregistration) answered with {@code PERMISSION_DENIED} and no change.
 */
@Timeout(60)
class AgentLocalServiceTest {
    private static final String ROOT = "root-secret-of-the-agent-local-test";
    private static final String NODE = "agentlocal";
    static Agent agent;
    static ManagedChannel channel;
    /** A token with {@code service "web" write} and nothing else. */
    static String webToken;

    /** The agent token lets anti-entropy write the catalog under {@code default_policy = deny}, as in Consul. */
    @BeforeAll
    static void start() throws Exception {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"" + NODE + "\", "
                + "\"ports\": {\"http\": -1, \"dns\": -1, \"grpc\": 0, \"server\": 18453}, \"acl\": {\"enabled\": true, "
                + "\"default_policy\": \"deny\", \"tokens\": {\"master\": \"" + ROOT + "\", \"agent\": \"" + ROOT
                + "\"}}}").getAsJsonObject(), "test")
                .build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(AgentLocalServiceTest.class.getClassLoader())
                .load());
        agent = Agent.start(cfg, registry, "embedded");
        channel = GrpcApiServerTest.channel(GrpcApiService.address(agent).orElseThrow());
        assertTrue(GrpcApiServerTest.waitFor(Duration.ofSeconds(30), () -> agent.consensus().orElseThrow().isLeader()));
        Options root = Options.DEFAULT.withToken(ROOT);
        agent.requests().call(new Acl.PolicyWrite("", "web", "", "service \"web\" { policy = \"write\" }", List.of()),
                root).get(30, TimeUnit.SECONDS);
        webToken = agent.requests().call(new Acl.TokenWrite("", "", "web", List.of(new Acl.PolicyLink("", "web")),
                false), root).get(30, TimeUnit.SECONDS).value().token().secretId();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (agent != null) {
            agent.shutdown(false);
        }
    }

    private static Metadata token(String t) {
        Metadata m = new Metadata();
        m.put(CallToken.HEADER, t);
        return m;
    }

    static AgentLocalGrpc.AgentLocalBlockingStub local(String t) {
        var s = AgentLocalGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        return t.isEmpty() ? s : s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(token(t)));
    }

    static LocalCheck ttlCheck(String id, long ttlMillis) {
        return LocalCheck.newBuilder().setCheckId(id).setTtlMillis(ttlMillis).build();
    }

    static Optional<HealthCheck> localCheck(String id) {
        return local(ROOT).listChecks(ListLocalChecksRequest.getDefaultInstance()).getChecksList().stream()
                .filter(c -> c.getCheckId().equals(id)).findFirst();
    }

    static void assertStatus(Status.Code code, ErrorReason reason, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertEquals(reason.name(), GrpcApiServerTest.errorInfo(e).getReason());
    }

    @Test
    void registeredServiceWithTtlCheckReachesTheCatalogAndFollowsTtlUpdates() throws Exception {
        Service web = Service.newBuilder().setId("web-1").setService("web").addTags("v1").setPort(8080).build();
        local(ROOT).registerService(RegisterLocalServiceRequest.newBuilder().setService(web)
                .addChecks(LocalCheck.newBuilder().setName("web alive").setTtlMillis(60_000)).build());

        List<Service> services = local(ROOT).listServices(ListLocalServicesRequest.getDefaultInstance())
                .getServicesList();
        assertTrue(services.stream().anyMatch(s -> s.getId().equals("web-1") && s.getPort() == 8080
                && s.getTagsList().equals(List.of("v1"))), services.toString());
        // Consul's id of a service's only check, and its starting status: critical until the first update.
        HealthCheck c = localCheck("service:web-1").orElseThrow();
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, c.getStatus());
        assertEquals("ttl", c.getType());
        assertEquals("web", c.getServiceName());

        local(ROOT).updateTtl(UpdateTtlRequest.newBuilder().setCheckId("service:web-1")
                .setStatus(HealthStatus.HEALTH_STATUS_PASSING).setOutput("all good").build());
        HealthCheck passing = localCheck("service:web-1").orElseThrow();
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, passing.getStatus());
        assertEquals("all good", passing.getOutput());
        local(ROOT).updateTtl(UpdateTtlRequest.newBuilder().setCheckId("service:web-1")
                .setStatus(HealthStatus.HEALTH_STATUS_WARNING).setOutput("slow").build());
        assertEquals(HealthStatus.HEALTH_STATUS_WARNING, localCheck("service:web-1").orElseThrow().getStatus());

        // Anti-entropy writes the service and the check's latest status to the catalog.
        var catalog = CatalogGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                token(ROOT)));
        var health = HealthGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                token(ROOT)));
        assertTrue(GrpcApiServerTest.waitFor(Duration.ofSeconds(20), () -> catalog.withDeadlineAfter(10,
                TimeUnit.SECONDS).serviceInstances(ServiceInstancesRequest.newBuilder().setService("web").build())
                .getInstancesList().stream().anyMatch(i -> i.getService().getId().equals("web-1"))));
        assertTrue(GrpcApiServerTest.waitFor(Duration.ofSeconds(20), () -> health.withDeadlineAfter(10,
                TimeUnit.SECONDS).nodeChecks(NodeChecksRequest.newBuilder().setNode(NODE).build()).getChecksList()
                .stream().anyMatch(x -> x.getCheckId().equals("service:web-1")
                        && x.getStatus() == HealthStatus.HEALTH_STATUS_WARNING && x.getOutput().equals("slow"))));

        local(ROOT).deregisterService(DeregisterLocalServiceRequest.newBuilder().setServiceId("web-1").build());
        assertTrue(localCheck("service:web-1").isEmpty(), "the service's checks go with it");
        assertTrue(GrpcApiServerTest.waitFor(Duration.ofSeconds(20), () -> catalog.withDeadlineAfter(10,
                TimeUnit.SECONDS).serviceInstances(ServiceInstancesRequest.newBuilder().setService("web").build())
                .getInstancesList().isEmpty()));
    }

    @Test
    void ttlCheckTurnsCriticalWhenNotUpdatedInTime() throws Exception {
        local(ROOT).registerCheck(RegisterLocalCheckRequest.newBuilder().setCheck(LocalCheck.newBuilder()
                .setCheckId("short-ttl").setName("short").setTtlMillis(300)
                .setStatus(HealthStatus.HEALTH_STATUS_PASSING)).build());
        try {
            local(ROOT).updateTtl(UpdateTtlRequest.newBuilder().setCheckId("short-ttl")
                    .setStatus(HealthStatus.HEALTH_STATUS_PASSING).build());
            assertTrue(GrpcApiServerTest.waitFor(Duration.ofSeconds(20), () -> localCheck("short-ttl").orElseThrow()
                    .getStatus() == HealthStatus.HEALTH_STATUS_CRITICAL), "the TTL ran out");
            local(ROOT).updateTtl(UpdateTtlRequest.newBuilder().setCheckId("short-ttl")
                    .setStatus(HealthStatus.HEALTH_STATUS_PASSING).setOutput("back").build());
            // Set synchronously by the update (it may expire again later, hence not asserted as lasting).
            assertTrue(localCheck("short-ttl").isPresent());
        } finally {
            local(ROOT).deregisterCheck(DeregisterLocalCheckRequest.newBuilder().setCheckId("short-ttl").build());
        }
    }

    @Test
    void httpAndGrpcCheckOptionsReachTheCheckDefinition() {
        LocalCheck http = LocalCheck.newBuilder().setName("h").setHttp("http://127.0.0.1:1/health").setMethod("HEAD")
                .setIntervalMillis(60_000).setTimeoutMillis(1500).putHeader("X-Probe",
                        io.tribune.api.grpc.v1.HeaderValues.newBuilder().addValues("a").addValues("b").build())
                .setSuccessBeforePassing(2).build();
        var d = io.tribune.agent.local.CheckDefinitions.check(io.tribune.agent.local.JsonIn.of(
                AgentLocalService.checkJson(http), ""), NODE, false);
        assertEquals("http://127.0.0.1:1/health", d.type().http());
        assertEquals("HEAD", d.type().method());
        assertEquals(Map.of("X-Probe", List.of("a", "b")), d.type().headers());
        assertEquals(Duration.ofMillis(1500), d.type().timeout());
        assertEquals(2, d.type().successBeforePassing());
        LocalCheck grpc = LocalCheck.newBuilder().setName("g").setGrpc("127.0.0.1:1/web").setGrpcUseTls(true)
                .setTlsSkipVerify(true).setIntervalMillis(60_000).build();
        var g = io.tribune.agent.local.CheckDefinitions.check(io.tribune.agent.local.JsonIn.of(
                AgentLocalService.checkJson(grpc), ""), NODE, false);
        assertEquals("grpc", g.type().runner());
        assertEquals("127.0.0.1:1/web", g.type().target());
        assertEquals("true", g.type().options().get("TLSSkipVerify"));
        assertEquals("true", g.type().options().get("GRPCUseTLS"));
    }

    @Test
    void badRequestsAreInvalidArgumentAndChangeNothing() {
        int before = local(ROOT).listServices(ListLocalServicesRequest.getDefaultInstance()).getServicesCount();
        // No service name.
        assertStatus(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST, () -> local(ROOT)
                .registerService(RegisterLocalServiceRequest.newBuilder().setService(Service.newBuilder().setId("x"))
                        .build()));
        // Two kinds of check at once.
        assertStatus(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST, () -> local(ROOT)
                .registerService(RegisterLocalServiceRequest.newBuilder().setService(Service.newBuilder()
                        .setService("bad")).addChecks(LocalCheck.newBuilder().setTtlMillis(10_000)
                        .setTcp("127.0.0.1:1").setIntervalMillis(10_000)).build()));
        // A port beyond 65535.
        assertStatus(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST, () -> local(ROOT)
                .registerService(RegisterLocalServiceRequest.newBuilder().setService(Service.newBuilder()
                        .setService("bad").setPort(70_000)).build()));
        // A probed check without an interval; a negative TTL.
        assertStatus(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST, () -> local(ROOT)
                .registerCheck(RegisterLocalCheckRequest.newBuilder().setCheck(LocalCheck.newBuilder().setName("t")
                        .setTcp("127.0.0.1:1")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST, () -> local(ROOT)
                .registerCheck(RegisterLocalCheckRequest.newBuilder().setCheck(LocalCheck.newBuilder().setName("t")
                        .setTtlMillis(-1)).build()));
        assertEquals(before, local(ROOT).listServices(ListLocalServicesRequest.getDefaultInstance()).getServicesCount());
        assertTrue(localCheck("t").isEmpty());
    }

    @Test
    void unknownIdsAreNotFoundAndTtlUpdatesOfOtherChecksAreRejected() {
        assertStatus(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_NOT_FOUND, () -> local(ROOT)
                .deregisterService(DeregisterLocalServiceRequest.newBuilder().setServiceId("nope").build()));
        assertStatus(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_NOT_FOUND, () -> local(ROOT)
                .deregisterCheck(DeregisterLocalCheckRequest.newBuilder().setCheckId("nope").build()));
        assertStatus(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_NOT_FOUND, () -> local(ROOT)
                .updateTtl(UpdateTtlRequest.newBuilder().setCheckId("nope")
                        .setStatus(HealthStatus.HEALTH_STATUS_PASSING).build()));
        local(ROOT).registerCheck(RegisterLocalCheckRequest.newBuilder().setCheck(LocalCheck.newBuilder()
                .setCheckId("tcp-1").setName("tcp").setTcp("127.0.0.1:1").setIntervalMillis(60_000)).build());
        try {
            assertStatus(Status.Code.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_REJECTED, () -> local(ROOT)
                    .updateTtl(UpdateTtlRequest.newBuilder().setCheckId("tcp-1")
                            .setStatus(HealthStatus.HEALTH_STATUS_PASSING).build()));
            assertStatus(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST, () -> local(ROOT)
                    .updateTtl(UpdateTtlRequest.newBuilder().setCheckId("tcp-1").build()));
        } finally {
            local(ROOT).deregisterCheck(DeregisterLocalCheckRequest.newBuilder().setCheckId("tcp-1").build());
        }
    }

    @Test
    void aclRulesOfTheHttpApiApplyAndRefusalsChangeNothing() {
        Service api = Service.newBuilder().setId("api-1").setService("api").build();
        Service web = Service.newBuilder().setId("web-acl").setService("web").build();
        // No token: the anonymous token of a deny-by-default agent may not register anything.
        assertStatus(Status.Code.PERMISSION_DENIED, ErrorReason.ERROR_REASON_PERMISSION_DENIED, () -> local("")
                .registerService(RegisterLocalServiceRequest.newBuilder().setService(web).build()));
        // service "web" write: web only.
        assertStatus(Status.Code.PERMISSION_DENIED, ErrorReason.ERROR_REASON_PERMISSION_DENIED, () -> local(webToken)
                .registerService(RegisterLocalServiceRequest.newBuilder().setService(api).build()));
        local(webToken).registerService(RegisterLocalServiceRequest.newBuilder().setService(web)
                .addChecks(ttlCheck("web-acl-ttl", 60_000)).build());
        try {
            // TTL updates and deregistration need node write, which the web token lacks (as over HTTP).
            assertStatus(Status.Code.PERMISSION_DENIED, ErrorReason.ERROR_REASON_PERMISSION_DENIED, () ->
                    local(webToken).updateTtl(UpdateTtlRequest.newBuilder().setCheckId("web-acl-ttl")
                            .setStatus(HealthStatus.HEALTH_STATUS_PASSING).build()));
            assertStatus(Status.Code.PERMISSION_DENIED, ErrorReason.ERROR_REASON_PERMISSION_DENIED, () ->
                    local(webToken).deregisterService(DeregisterLocalServiceRequest.newBuilder().setServiceId("web-acl")
                            .build()));
            assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, localCheck("web-acl-ttl").orElseThrow().getStatus(),
                    "the refused update changed nothing");
            List<Service> seen = local(ROOT).listServices(ListLocalServicesRequest.getDefaultInstance())
                    .getServicesList();
            assertTrue(seen.stream().anyMatch(s -> s.getId().equals("web-acl")), seen.toString());
            assertTrue(seen.stream().noneMatch(s -> s.getId().equals("api-1")), seen.toString());
            // Lists are filtered by read rights: the anonymous token sees nothing.
            assertEquals(0, local("").listServices(ListLocalServicesRequest.getDefaultInstance()).getServicesCount());
        } finally {
            local(ROOT).deregisterService(DeregisterLocalServiceRequest.newBuilder().setServiceId("web-acl").build());
        }
    }
}
