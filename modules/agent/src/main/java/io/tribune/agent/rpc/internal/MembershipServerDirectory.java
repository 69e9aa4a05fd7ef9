package io.tribune.agent.rpc.internal;

import io.tribune.agent.cluster.ServerTags;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.Membership;
import io.tribune.api.transport.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds servers among the members of a gossip pool by their tags, as Consul does: a member is a
 * server of datacenter {@code dc} when {@link ServerTags#isAliveServer} says so; its RPC endpoint
 * is the member's address with its port tag.
 */
public final class MembershipServerDirectory implements ServerDirectory {
    private final Membership membership;

    /** A directory over {@code membership}'s current member list. */
    public MembershipServerDirectory(Membership membership) {
        this.membership = Objects.requireNonNull(membership, "membership");
    }

    @Override
    public List<Endpoint> servers(String datacenter) {
        return servers(membership.members(), datacenter);
    }

    /**
     * The servers of {@code datacenter} among {@code members}, in member order. Members with a
     * missing or malformed port tag are skipped (a bad tag from a peer must not break forwarding).
     */
    public static List<Endpoint> servers(List<Member> members, String datacenter) {
        List<Endpoint> out = new ArrayList<>();
        for (Member m : members) {
            if (ServerTags.isAliveServer(m, datacenter)) {
                out.add(ServerTags.serverInfo(m, true).endpoint());
            }
        }
        return out;
    }
}
