package io.tribune.agent.rpc;

import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.transport.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds servers among the members of a gossip pool by their tags, as Consul does: a member is a
 * server of datacenter {@code dc} when it is {@link MemberStatus#ALIVE} and tagged
 * {@code role=consul}, {@code dc=<dc>} and {@code port=<server RPC port>}; its RPC endpoint is the
 * member's address with that port.
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
            if (m.status() != MemberStatus.ALIVE || !"consul".equals(m.tag("role"))
                    || !datacenter.equalsIgnoreCase(String.valueOf(m.tag("dc")))) {
                continue;
            }
            String port = m.tag("port");
            if (port == null) {
                continue;
            }
            try {
                out.add(new Endpoint(m.host(), Integer.parseInt(port)));
            } catch (IllegalArgumentException e) {
                // NumberFormatException included: skip the member rather than fail the request.
            }
        }
        return out;
    }
}
