package io.tribune.client;

import io.tribune.api.grpc.v1.AgentGrpc;
import io.tribune.api.grpc.v1.Member;
import io.tribune.api.grpc.v1.MembersRequest;
import io.tribune.api.grpc.v1.MembersResponse;
import io.tribune.api.grpc.v1.SelfRequest;
import io.tribune.api.grpc.v1.SelfResponse;
import java.util.List;

/** The answering agent. */
public final class AgentInfo {
    private final Calls calls;

    AgentInfo(Calls calls) {
        this.calls = calls;
    }

    /** The agent's name, datacenter, mode, plugins and gossip member. */
    public SelfResponse self() {
        return Calls.await(Calls.<SelfResponse>future(o -> calls.timed(AgentGrpc.newStub(calls.channel))
                .self(SelfRequest.getDefaultInstance(), o)), r -> r);
    }

    /** The members of the agent's LAN pool. */
    public List<Member> members() {
        return Calls.await(Calls.<MembersResponse>future(o -> calls.timed(AgentGrpc.newStub(calls.channel))
                .members(MembersRequest.getDefaultInstance(), o)), MembersResponse::getMembersList);
    }
}
