package io.tribune.grpcapi.internal;

import io.tribune.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.api.grpc.v1.ErrorReason;
import io.tribune.api.grpc.v1.KVGrpc;
import io.tribune.api.grpc.v1.KvGetRequest;
import io.tribune.api.grpc.v1.KvPutRequest;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.api.grpc.v1.KvWatchRequest;
import io.tribune.api.grpc.v1.ReadOptions;
import io.tribune.api.grpc.v1.TxnGrpc;
import io.tribune.api.grpc.v1.TxnRequest;
import io.tribune.grpcapi.GrpcApiService;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server in an in-process dev agent (storage-memory, consensus-single, transport-inproc,
 * membership-static), found by the agent through ServiceLoader, called with the raw generated
 * stubs over loopback. The idiomatic client and every service are covered in the client module.
 */
@Timeout(60)
class GrpcApiServerTest {
    static Agent agent;
    static ManagedChannel channel;

    static Agent startAgent(String node, int serverPort, int grpcPort) {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"" + node + "\", "
                + "\"ports\": {\"http\": -1, \"dns\": -1, \"grpc\": " + grpcPort + ", \"server\": " + serverPort
                + "}}").getAsJsonObject(), "test").build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(GrpcApiServerTest.class.getClassLoader()).load());
        return Agent.start(cfg, registry, "embedded");
    }

    static ManagedChannel channel(InetSocketAddress a) {
        return NettyChannelBuilder.forAddress("127.0.0.1", a.getPort()).usePlaintext().build();
    }

    @BeforeAll
    static void start() {
        agent = startAgent("grpcsrv", 18451, 0);
        InetSocketAddress a = GrpcApiService.address(agent).orElseThrow();
        assertTrue(a.getPort() > 0);
        channel = channel(a);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (agent == null) {
            return;
        }
        agent.shutdown(false);
        assertTrue(GrpcApiService.address(agent).isEmpty(), "the address is forgotten when the agent stops");
    }

    static boolean waitFor(Duration limit, BooleanSupplier cond) throws InterruptedException {
        return Poll.until(limit, cond);
    }

    static ErrorInfo errorInfo(StatusRuntimeException e) {
        com.google.rpc.Status s = StatusProto.fromThrowable(e);
        assertNotNull(s, "the status carries details");
        for (Any d : s.getDetailsList()) {
            if (d.is(ErrorInfo.class)) {
                try {
                    return d.unpack(ErrorInfo.class);
                } catch (Exception x) {
                    throw new AssertionError(x);
                }
            }
        }
        throw new AssertionError("no ErrorInfo in " + s);
    }

    @Test
    void putThenGetGoesThroughConsensus() {
        var kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        long before = agent.state().orElseThrow().lastIndex();
        var put = kv.put(KvPutRequest.newBuilder().setKey("srv/a").setValue(ByteString.copyFromUtf8("v")).build());
        assertTrue(put.getSucceeded());
        assertTrue(put.getMeta().getIndex() > before);
        var got = kv.get(KvGetRequest.newBuilder().setKey("srv/a").build());
        assertTrue(got.getFound());
        assertEquals("v", got.getEntry().getValue().toStringUtf8());
        assertEquals(put.getMeta().getIndex(), got.getEntry().getModifyIndex());
        assertTrue(got.getMeta().getKnownLeader());
    }

    @Test
    void aWriteNamesItsDatacenterInItsMetadataAndAReadInItsOptions() {
        var kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        var toDc9 = kv.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header("dc9")));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> toDc9.put(KvPutRequest
                .newBuilder().setKey("srv/dc9").setValue(ByteString.copyFromUtf8("v")).build()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(ErrorReason.ERROR_REASON_NO_PATH_TO_DATACENTER.name(), errorInfo(e).getReason());
        e = assertThrows(StatusRuntimeException.class, () -> kv.get(KvGetRequest.newBuilder().setKey("srv/dc9")
                .setRead(ReadOptions.newBuilder().setDatacenter("dc9")).build()));
        assertEquals(ErrorReason.ERROR_REASON_NO_PATH_TO_DATACENTER.name(), errorInfo(e).getReason());
        e = assertThrows(StatusRuntimeException.class, () -> kv.withInterceptors(MetadataUtils
                .newAttachHeadersInterceptor(header("no such dc"))).put(KvPutRequest.newBuilder().setKey("srv/dc9")
                .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(DatacenterHeader.HEADER), e.getStatus().getDescription());
        assertFalse(kv.get(KvGetRequest.newBuilder().setKey("srv/dc9").build()).getFound(), "nothing was written");
        assertTrue(kv.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header("DC1"))).put(KvPutRequest
                .newBuilder().setKey("srv/dc1").setValue(ByteString.copyFromUtf8("v")).build()).getSucceeded(),
                "the agent's own datacenter, in any case");
    }

    private static Metadata header(String dc) {
        Metadata m = new Metadata();
        m.put(DatacenterHeader.KEY, dc);
        return m;
    }

    @Test
    void badInputIsInvalidArgumentWithReasonAndProposesNothing() {
        var kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        long before = agent.consensus().orElseThrow().appliedIndex();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> kv.put(KvPutRequest.newBuilder().setKey("").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals(ErrorReason.ERROR_REASON_INVALID_REQUEST.name(), errorInfo(e).getReason());
        assertTrue(e.getStatus().getDescription().contains("key"), e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> kv.put(KvPutRequest.newBuilder().setKey("srv/big")
                .setValue(ByteString.copyFrom(new byte[600 * 1024])).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("too large"), e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> TxnGrpc.newBlockingStub(channel)
                .txn(TxnRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        e = assertThrows(StatusRuntimeException.class, () -> kv.put(KvPutRequest.newBuilder().setKey("srv/l")
                .setAcquire("not-a-uuid").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals(before, agent.consensus().orElseThrow().appliedIndex(), "nothing was proposed");
        assertFalse(kv.get(KvGetRequest.newBuilder().setKey("srv/big").build()).getFound());
    }

    @Test
    void messagesBeyondTheInboundLimitAreRefusedByTransport() {
        var kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        int limit = agent.config().limits().maxRequestBytes();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> kv.put(KvPutRequest.newBuilder()
                .setKey("srv/huge").setValue(ByteString.copyFrom(new byte[limit + 1])).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    }

    @Test
    void cancelledWatchIsCleanedUpAndClosingTheServerEndsWatchesWithUnavailable() throws Exception {
        // A second server on the same agent, so closing it leaves the shared one running.
        GrpcApiServer server = new GrpcApiServer(agent.context(), "127.0.0.1", 0, 1 << 20);
        InetSocketAddress a = server.start();
        ManagedChannel ch = channel(a);
        try {
            var stub = KVGrpc.newStub(ch);
            LinkedBlockingQueue<Object> first = new LinkedBlockingQueue<>();
            io.grpc.Context.CancellableContext ctx = io.grpc.Context.current().withCancellation();
            ctx.run(() -> stub.watch(KvWatchRequest.newBuilder().setKey("srv/w").build(), collect(first)));
            assertNotNull(first.poll(10, TimeUnit.SECONDS), "the current value arrives");
            assertTrue(waitFor(Duration.ofSeconds(10), () -> server.openWatches() == 1));
            ctx.cancel(null);
            assertTrue(waitFor(Duration.ofSeconds(10), () -> server.openWatches() == 0),
                    "a cancelled watch is removed");

            LinkedBlockingQueue<Object> second = new LinkedBlockingQueue<>();
            stub.watch(KvWatchRequest.newBuilder().setKey("srv/w").build(), collect(second));
            assertTrue(second.poll(10, TimeUnit.SECONDS) instanceof KvWatchEvent);
            server.close();
            Object end = second.poll(10, TimeUnit.SECONDS);
            assertTrue(end instanceof Throwable, "the stream ends: " + end);
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable((Throwable) end).getCode());
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }

    private static StreamObserver<KvWatchEvent> collect(LinkedBlockingQueue<Object> q) {
        return new StreamObserver<>() {
            @Override
            public void onNext(KvWatchEvent v) {
                q.add(v);
            }

            @Override
            public void onError(Throwable t) {
                q.add(t);
            }

            @Override
            public void onCompleted() {
                q.add("completed");
            }
        };
    }

    @Test
    void negativePortDisablesTheApi() {
        Agent off = startAgent("grpcoff", 18452, -1);
        try {
            assertTrue(GrpcApiService.address(off).isEmpty());
        } finally {
            off.shutdown(false);
        }
    }
}
