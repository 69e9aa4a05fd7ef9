package io.tribune.client;

import io.tribune.api.grpc.v1.LeaderRequest;
import io.tribune.api.grpc.v1.LeaderResponse;
import io.tribune.api.grpc.v1.PeersRequest;
import io.tribune.api.grpc.v1.PeersResponse;
import io.tribune.api.grpc.v1.StatusGrpc;

/** The consensus leader and peers as the answering server knows them. */
public final class ClusterStatus {
    private final Calls calls;

    ClusterStatus(Calls calls) {
        this.calls = calls;
    }

    /** The leader, if known, and the term. */
    public LeaderResponse leader() {
        return Calls.await(Calls.<LeaderResponse>future(o -> calls.timed(StatusGrpc.newStub(calls.channel))
                .leader(LeaderRequest.getDefaultInstance(), o)), r -> r);
    }

    /** The servers of the consensus configuration. */
    public PeersResponse peers() {
        return Calls.await(Calls.<PeersResponse>future(o -> calls.timed(StatusGrpc.newStub(calls.channel))
                .peers(PeersRequest.getDefaultInstance(), o)), r -> r);
    }
}
