package io.tribune.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.tribune.api.grpc.v1.LocalCheck;
import io.tribune.api.grpc.v1.Service;
import io.tribune.client.TribuneClient;
import io.tribune.client.recipes.Lock;
import io.tribune.client.recipes.RecipeOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gRPC API of the built distribution, in each runtime, on 127.0.32.0/24: server reflection as
 * grpcurl uses it (service list, a file descriptor), agent-local registration through the Java
 * client seen by the HTTP API after anti-entropy, and a lock handed between two client processes'
 * worth of connections through the real port.
 */
@Timeout(180)
class GrpcRecipesIT {
    private static final Duration ARRIVES = Duration.ofSeconds(30);

    /** A free TCP port on {@code host} (closed before returning; the agent binds it next). */
    static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        }
    }

    static ServerReflectionResponse reflect(ManagedChannel ch, ServerReflectionRequest req) throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> out = ServerReflectionGrpc.newStub(ch)
                .withDeadlineAfter(20, TimeUnit.SECONDS).serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        answer.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        out.onNext(req);
        out.onCompleted();
        return answer.get(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "runtime {0}")
    @CsvSource({"felix, 127.0.32.1", "jpms, 127.0.32.2"})
    void reflectionRegistrationAndLockThroughTheRealPort(String runtime, String host) throws Exception {
        int http = freePort(host);
        int grpc = freePort(host);
        String target = host + ":" + grpc;
        try (AgentProcess agent = AgentProcess.startOn(host, http, List.of("agent", "-dev", "-node", "grpc-" + runtime,
                "-bind", host, "-client", host, "-http-port", Integer.toString(http), "-grpc-port",
                Integer.toString(grpc), "-dns-port", "-1", "-runtime", runtime))) {
            agent.awaitLeader(Duration.ofSeconds(60));

            // Reflection, as grpcurl list / describe use it.
            ManagedChannel ch = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
            try {
                Set<String> names = new TreeSet<>();
                for (ServiceResponse s : reflect(ch, ServerReflectionRequest.newBuilder().setListServices("").build())
                        .getListServicesResponse().getServiceList()) {
                    names.add(s.getName());
                }
                assertTrue(names.containsAll(List.of("tribune.v1.KV", "tribune.v1.AgentLocal", "tribune.v1.Sessions",
                        "grpc.reflection.v1.ServerReflection")), names + "\n" + agent.output());
                List<String> files = new ArrayList<>();
                for (ByteString b : reflect(ch, ServerReflectionRequest.newBuilder()
                        .setFileContainingSymbol("tribune.v1.KV").build()).getFileDescriptorResponse()
                        .getFileDescriptorProtoList()) {
                    files.add(FileDescriptorProto.parseFrom(b).getName());
                }
                assertTrue(files.containsAll(List.of("tribune/v1/kv.proto", "tribune/v1/common.proto")),
                        files.toString());
            } finally {
                ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }

            try (TribuneClient a = TribuneClient.builder().target(target).build();
                 TribuneClient b = TribuneClient.builder().target(target).build()) {
                // Agent-local registration over gRPC; the HTTP API sees the check's TTL update after
                // anti-entropy wrote it to the catalog.
                a.agentLocal().registerService(Service.newBuilder().setId("it-web").setService("it-web").setPort(80)
                        .build(), List.of(LocalCheck.newBuilder().setCheckId("it-web-ttl").setTtlMillis(60_000).build()));
                a.agentLocal().pass("it-web-ttl", "fine");
                assertTrue(agent.waitFor(ARRIVES, () -> {
                    try {
                        JsonArray checks = JsonParser.parseString(agent.get("/v1/health/checks/it-web").body())
                                .getAsJsonArray();
                        return checks.size() == 1 && checks.get(0).getAsJsonObject().get("Status").getAsString()
                                .equals("passing");
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        return false;
                    }
                }), "the HTTP API never showed the passing check\n" + agent.output());

                RecipeOptions opts = RecipeOptions.defaults().withLockDelay(Duration.ZERO)
                        .withRetryInterval(Duration.ofMillis(200));
                try (Lock la = new Lock(a, "it/lock", "a".getBytes(UTF_8), opts);
                     Lock lb = new Lock(b, "it/lock", "b".getBytes(UTF_8), opts)) {
                    assertTrue(la.acquire(ARRIVES));
                    assertFalse(lb.acquire(Duration.ofMillis(200)));
                    CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> {
                        try {
                            return lb.acquire(ARRIVES);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return false;
                        }
                    });
                    assertTrue(la.release());
                    assertTrue(second.get(ARRIVES.toSeconds(), TimeUnit.SECONDS), "b takes the released lock");
                    assertEquals(lb.session().orElseThrow(), b.kv().get("it/lock").orElseThrow().getSession());
                }
            }
            assertEquals(0, agent.terminate(Duration.ofSeconds(30)), agent.output());
        }
    }
}
