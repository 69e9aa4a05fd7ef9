package io.tribune.agent.rpc.internal;

import io.tribune.api.transport.Endpoint;
import java.util.List;

/**
 * Where the servers of a datacenter can be reached. The forwarder asks it for the local
 * datacenter (client agents) and for other datacenters ({@code ?dc=}). The LAN pool answers for
 * the local datacenter ({@link MembershipServerDirectory}); a WAN pool can implement this
 * interface to answer for the others.
 *
 * <p>Thread-safe; must not block (it is called on request threads).
 */
@FunctionalInterface
public interface ServerDirectory {

    /**
     * The RPC endpoints of the servers of {@code datacenter} believed alive now, in a stable order
     * (callers shuffle); empty when none is known.
     */
    List<Endpoint> servers(String datacenter);

    /** A directory that asks {@code first} and, when it knows no server of the datacenter, {@code other}. */
    default ServerDirectory or(ServerDirectory other) {
        return dc -> {
            List<Endpoint> s = servers(dc);
            return s.isEmpty() ? other.servers(dc) : s;
        };
    }
}
