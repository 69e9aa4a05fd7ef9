package io.tribune.api.membership;

import java.util.Map;
import java.util.Objects;

/**
 * What the host decides for a membership instance.
 *
 * @param nodeName  the local node's name in the pool
 * @param pool      LAN or WAN
 * @param bindHost  address to bind the gossip sockets to
 * @param bindPort  gossip port (UDP and TCP); 0 for any free port
 * @param advertiseHost address other members should use, usually {@code bindHost}
 * @param tags      the local member's initial tags
 */
public record MembershipSetup(String nodeName, Pool pool, String bindHost, int bindPort, String advertiseHost,
                              Map<String, String> tags) {
    public MembershipSetup {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(bindHost, "bindHost");
        advertiseHost = advertiseHost == null ? bindHost : advertiseHost;
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("gossip port " + bindPort + " is outside 0..65535");
        }
    }
}
