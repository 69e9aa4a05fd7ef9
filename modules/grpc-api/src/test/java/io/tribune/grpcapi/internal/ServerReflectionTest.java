package io.tribune.grpcapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.grpc.ManagedChannel;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.tribune.agent.Agent;
import io.tribune.grpcapi.GrpcApiService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Server reflection ({@code grpc.reflection.v1}) on the agent's gRPC port, as grpcurl uses it: the
 * service list names every {@code tribune.v1} service, and the descriptor of a service's file (with
 * its dependencies) resolves to the methods a generic client can call.
 */
@Timeout(60)
class ServerReflectionTest {
    static Agent agent;
    static ManagedChannel channel;

    @BeforeAll
    static void start() {
        agent = GrpcApiServerTest.startAgent("reflection", 18454, 0);
        channel = GrpcApiServerTest.channel(GrpcApiService.address(agent).orElseThrow());
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

    /** Sends one reflection request on a fresh stream and returns its answer. */
    static ServerReflectionResponse ask(ServerReflectionRequest req) throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> out = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(new StreamObserver<>() {
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
        return answer.get(10, TimeUnit.SECONDS);
    }

    @Test
    void listsEveryTribuneServiceAndReflectionItself() throws Exception {
        ServerReflectionResponse r = ask(ServerReflectionRequest.newBuilder().setListServices("").build());
        Set<String> names = new TreeSet<>();
        for (ServiceResponse s : r.getListServicesResponse().getServiceList()) {
            names.add(s.getName());
        }
        assertEquals(new TreeSet<>(List.of("grpc.reflection.v1.ServerReflection", "tribune.v1.Agent",
                "tribune.v1.AgentLocal", "tribune.v1.Catalog", "tribune.v1.Events", "tribune.v1.Health",
                "tribune.v1.KV", "tribune.v1.Sessions", "tribune.v1.Status", "tribune.v1.Txn")), names);
    }

    @Test
    void resolvesTheFileDescriptorOfAServiceWithItsDependencies() throws Exception {
        ServerReflectionResponse r = ask(ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("tribune.v1.AgentLocal").build());
        List<FileDescriptorProto> files = new ArrayList<>();
        for (ByteString b : r.getFileDescriptorResponse().getFileDescriptorProtoList()) {
            files.add(FileDescriptorProto.parseFrom(b));
        }
        FileDescriptorProto agentLocal = files.stream().filter(f -> f.getName().equals("tribune/v1/agent_local.proto"))
                .findFirst().orElseThrow(() -> new AssertionError("no agent_local.proto in " + files));
        ServiceDescriptorProto svc = agentLocal.getServiceList().stream().filter(s -> s.getName().equals("AgentLocal"))
                .findFirst().orElseThrow();
        Set<String> methods = new TreeSet<>(svc.getMethodList().stream().map(MethodDescriptorProto::getName).toList());
        assertEquals(new TreeSet<>(List.of("DeregisterCheck", "DeregisterService", "ListChecks", "ListServices",
                "RegisterCheck", "RegisterService", "UpdateTtl")), methods);
        // The file's imports come along, so a client can build the message types.
        Set<String> sent = new TreeSet<>(files.stream().map(FileDescriptorProto::getName).toList());
        assertTrue(sent.containsAll(agentLocal.getDependencyList()), sent + " lacks some of "
                + agentLocal.getDependencyList());
    }

    @Test
    void anUnknownSymbolIsAnErrorAnswerNotABrokenStream() throws Exception {
        ServerReflectionResponse r = ask(ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("tribune.v1.NoSuchService").build());
        assertEquals(io.grpc.Status.Code.NOT_FOUND.value(), r.getErrorResponse().getErrorCode());
    }
}
