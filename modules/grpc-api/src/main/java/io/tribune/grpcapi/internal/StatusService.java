package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.Leadership;
import io.tribune.api.grpc.v1.LeaderRequest;
import io.tribune.api.grpc.v1.LeaderResponse;
import io.tribune.api.grpc.v1.Peer;
import io.tribune.api.grpc.v1.PeersRequest;
import io.tribune.api.grpc.v1.PeersResponse;
import io.tribune.api.grpc.v1.StatusGrpc;
import java.util.concurrent.CompletableFuture;

/** {@code tribune.v1.Status}: the consensus leader and peers as this server knows them. */
public final class StatusService extends StatusGrpc.StatusImplBase {
    private final Backend b;

    /** The service over {@code backend}. */
    public StatusService(Backend backend) {
        this.b = backend;
    }

    @Override
    public void leader(LeaderRequest req, StreamObserver<LeaderResponse> out) {
        Backend.unary(out, () -> {
            Leadership l = b.consensus().leadership();
            LeaderResponse.Builder resp = LeaderResponse.newBuilder().setKnown(l.leader().isPresent()).setTerm(l.term());
            l.leader().ifPresent(s -> resp.setLeaderId(s.id()).setLeaderAddress(s.endpoint().toString()));
            return CompletableFuture.completedFuture(resp.build());
        });
    }

    @Override
    public void peers(PeersRequest req, StreamObserver<PeersResponse> out) {
        Backend.unary(out, () -> {
            Consensus c = b.consensus();
            PeersResponse.Builder resp = PeersResponse.newBuilder().setAppliedIndex(c.appliedIndex());
            c.configuration().forEach(s -> resp.addPeers(Peer.newBuilder().setId(s.id())
                    .setAddress(s.endpoint().toString()).setVoter(s.voter())));
            return CompletableFuture.completedFuture(resp.build());
        });
    }
}
