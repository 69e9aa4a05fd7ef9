package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.agent.rpc.Operator;
import io.tribune.agent.rpc.Options;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.grpc.v1.LeaderRequest;
import io.tribune.api.grpc.v1.LeaderResponse;
import io.tribune.api.grpc.v1.Peer;
import io.tribune.api.grpc.v1.PeersRequest;
import io.tribune.api.grpc.v1.PeersResponse;
import io.tribune.api.grpc.v1.StatusGrpc;

/**
 * {@code tribune.v1.Status}: the consensus leader and peers as a server knows them (the answering
 * server, or on a client agent a server it forwards to), read as a stale Raft configuration.
 */
public final class StatusService extends StatusGrpc.StatusImplBase {
    private final Backend b;

    /** The service over {@code backend}. */
    public StatusService(Backend backend) {
        this.b = backend;
    }

    private static final Options STALE = Options.of(ReadConsistency.STALE);

    @Override
    public void leader(LeaderRequest req, StreamObserver<LeaderResponse> out) {
        Backend.unary(out, () -> b.requests().call(new Operator.RaftConfiguration(), STALE.withToken(CallToken.current())).thenApply(r -> {
            LeaderResponse.Builder resp = LeaderResponse.newBuilder().setKnown(false).setTerm(r.value().term());
            r.value().servers().stream().filter(Operator.RaftServer::leader).findFirst().ifPresent(s ->
                    resp.setKnown(true).setLeaderId(s.id()).setLeaderAddress(s.address()));
            return resp.build();
        }));
    }

    @Override
    public void peers(PeersRequest req, StreamObserver<PeersResponse> out) {
        Backend.unary(out, () -> b.requests().call(new Operator.RaftConfiguration(), STALE.withToken(CallToken.current())).thenApply(r -> {
            PeersResponse.Builder resp = PeersResponse.newBuilder().setAppliedIndex(r.meta().index());
            r.value().servers().forEach(s -> resp.addPeers(Peer.newBuilder().setId(s.id()).setAddress(s.address())
                    .setVoter(s.voter())));
            return resp.build();
        }));
    }
}
