package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.grpc.v1.AgentGrpc;
import io.tribune.api.grpc.v1.MembersRequest;
import io.tribune.api.grpc.v1.MembersResponse;
import io.tribune.api.grpc.v1.SelfRequest;
import io.tribune.api.grpc.v1.SelfResponse;
import io.tribune.agent.config.AgentConfig;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** {@code tribune.v1.Agent}: the answering agent's configuration, plugins and gossip pool. */
public final class AgentInfoService extends AgentGrpc.AgentImplBase {
    private final Backend b;

    /** The service over {@code backend}. */
    public AgentInfoService(Backend backend) {
        this.b = backend;
    }

    @Override
    public void self(SelfRequest req, StreamObserver<SelfResponse> out) {
        Backend.unary(out, () -> {
            AgentConfig cfg = b.agent().config();
            SelfResponse.Builder resp = SelfResponse.newBuilder().setNodeName(cfg.nodeName())
                    .setDatacenter(cfg.datacenter()).setServer(cfg.server()).setDev(cfg.dev())
                    .setRuntime(b.agent().runtime())
                    .setMember(Convert.member(b.agent().membership().localMember()));
            b.agent().plugins().forEach((k, v) -> resp.putPlugins(k.name().toLowerCase(Locale.ROOT), v));
            b.agent().consensus().map(Consensus::stats).ifPresent(resp::putAllConsensusStats);
            return CompletableFuture.completedFuture(resp.build());
        });
    }

    @Override
    public void members(MembersRequest req, StreamObserver<MembersResponse> out) {
        Backend.unary(out, () -> {
            MembersResponse.Builder resp = MembersResponse.newBuilder();
            b.agent().membership().members().forEach(m -> resp.addMembers(Convert.member(m)));
            return CompletableFuture.completedFuture(resp.build());
        });
    }
}
