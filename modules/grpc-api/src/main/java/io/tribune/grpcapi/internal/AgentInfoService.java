package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.api.grpc.v1.AgentGrpc;
import io.tribune.api.grpc.v1.MembersRequest;
import io.tribune.api.grpc.v1.MembersResponse;
import io.tribune.api.grpc.v1.SelfRequest;
import io.tribune.api.grpc.v1.SelfResponse;
import java.util.Locale;
import java.util.Map;

/** {@code tribune.v1.Agent}: the answering agent's configuration, plugins and gossip pool. */
public final class AgentInfoService extends AgentGrpc.AgentImplBase {
    private final Backend b;

    /** The service over {@code backend}. */
    public AgentInfoService(Backend backend) {
        this.b = backend;
    }

    @Override
    public void self(SelfRequest req, StreamObserver<SelfResponse> out) {
        Backend.unary(out, () -> b.write(new AgentOps.Self(), r -> {
            AgentOps.Info info = r.value();
            AgentConfig cfg = info.config();
            SelfResponse.Builder resp = SelfResponse.newBuilder().setNodeName(cfg.nodeName())
                    .setDatacenter(cfg.datacenter()).setServer(cfg.server()).setDev(cfg.dev())
                    .setRuntime(info.runtime()).setMember(Convert.member(info.member()));
            info.plugins().forEach((k, v) -> resp.putPlugins(k.name().toLowerCase(Locale.ROOT), v));
            resp.putAllConsensusStats(info.stats().getOrDefault("raft", Map.of()));
            return resp.build();
        }));
    }

    @Override
    public void members(MembersRequest req, StreamObserver<MembersResponse> out) {
        Backend.unary(out, () -> b.write(new AgentOps.Members(false), r -> {
            MembersResponse.Builder resp = MembersResponse.newBuilder();
            r.value().forEach(m -> resp.addMembers(Convert.member(m)));
            return resp.build();
        }));
    }
}
