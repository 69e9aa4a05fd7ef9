package io.tribune.agent.cluster;

import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.transport.Endpoint;
import java.util.Optional;

/**
 * How servers advertise themselves in gossip tags, as Consul's servers do: {@code role=consul},
 * {@code dc}, {@code port} (server RPC), {@code expect} (bootstrap_expect) and, once their
 * consensus has joined a working cluster, {@code raft=1}.
 */
public final class ServerTags {
    /** Tag naming the agent's role: {@code consul} for servers, {@code node} for clients. */
    public static final String ROLE = "role";
    /** Value of {@link #ROLE} for servers. */
    public static final String SERVER = "consul";
    /** The datacenter. */
    public static final String DC = "dc";
    /** The server RPC port. */
    public static final String PORT = "port";
    /** bootstrap_expect of the server. */
    public static final String EXPECT = "expect";
    /** Set to 1 once the server's consensus has state or follows a leader. */
    public static final String RAFT = "raft";

    private ServerTags() {
    }

    /**
     * Whether {@code m} is a server of datacenter {@code dc} (compared ignoring case, as Consul
     * does) with a valid port tag; members with a missing or malformed tag are not servers, so a
     * bad tag from a peer never breaks discovery or forwarding.
     */
    public static boolean isServer(Member m, String dc) {
        return SERVER.equals(m.tag(ROLE)) && dc.equalsIgnoreCase(String.valueOf(m.tag(DC))) && port(m).isPresent();
    }

    /** Whether {@code m} is an ALIVE server of {@code dc}. */
    public static boolean isAliveServer(Member m, String dc) {
        return m.status() == MemberStatus.ALIVE && isServer(m, dc);
    }

    /** The server RPC port from the tags. */
    public static Optional<Integer> port(Member m) {
        String p = m.tag(PORT);
        if (p == null) {
            return Optional.empty();
        }
        try {
            int v = Integer.parseInt(p);
            return v > 0 && v < 65536 ? Optional.of(v) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The consensus identity of a server member: its name and RPC endpoint. */
    public static ServerInfo serverInfo(Member m, boolean voter) {
        return new ServerInfo(m.name(), new Endpoint(m.host(), port(m).orElseThrow()), voter);
    }
}
