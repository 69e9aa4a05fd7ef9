package io.tribune.membership.fixed.internal;

import io.tribune.api.PluginConfig;
import io.tribune.api.membership.Pool;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed settings of {@code membership-static}, parsed and validated once at creation.
 *
 * <ul>
 *   <li>{@code membership-static.members}: comma-separated {@code name@host:port} (or {@code host:port},
 *       named by the address); default none; at most {@value #MAX_MEMBERS} entries.</li>
 *   <li>{@code membership-static.user-event-max-bytes}: cap on name plus payload of a user event;
 *       default {@value #DEFAULT_USER_EVENT_MAX_BYTES} (Serf's default, so events that pass here also
 *       fit a gossip pool); range 1..65536.</li>
 *   <li>{@code membership-static.join}: what {@code join} does, since nothing here can contact a seed:
 *       {@code refuse} (default) fails it naming the address, so that an agent never reports a join
 *       that did not happen (Consul fails a join when the address does not answer); {@code record}
 *       lists each seed as an ALIVE member, for tests that model a fixed cluster (the conformance
 *       kit's local-only behaviour).</li>
 * </ul>
 *
 * @param members           statically configured members, in configuration order
 * @param userEventMaxBytes cap on a user event's name plus payload, in bytes
 * @param defaultPort       the pool's default gossip port, for seeds given without a port
 * @param recordJoins       {@code join} records seeds as members ({@code join=record}) instead of failing
 */
record StaticConfig(List<Address> members, int userEventMaxBytes, int defaultPort, boolean recordJoins) {
    static final String MEMBERS = "membership-static.members";
    static final String USER_EVENT_MAX_BYTES = "membership-static.user-event-max-bytes";
    static final String JOIN = "membership-static.join";
    static final int DEFAULT_USER_EVENT_MAX_BYTES = 512;
    static final int MAX_MEMBERS = 4096;
    /** Consul's LAN and WAN Serf ports. */
    static final int LAN_PORT = 8301;
    static final int WAN_PORT = 8302;

    StaticConfig {
        members = List.copyOf(members);
    }

    static StaticConfig parse(PluginConfig config, Pool pool) {
        for (String key : config.keys()) {
            if (key.startsWith("membership-static.") && !key.equals(MEMBERS) && !key.equals(USER_EVENT_MAX_BYTES)
                    && !key.equals(JOIN)) {
                throw new IllegalArgumentException("config key '" + key + "' is unknown (known: " + MEMBERS + ", "
                        + USER_EVENT_MAX_BYTES + ", " + JOIN + ")");
            }
        }
        int port = pool == Pool.WAN ? WAN_PORT : LAN_PORT;
        int max = config.getInt(USER_EVENT_MAX_BYTES, DEFAULT_USER_EVENT_MAX_BYTES);
        if (max < 1 || max > 65536) {
            throw new IllegalArgumentException("config key '" + USER_EVENT_MAX_BYTES + "': " + max
                    + " is outside 1..65536");
        }
        List<Address> members = new ArrayList<>();
        String raw = config.getString(MEMBERS, "");
        if (!raw.isEmpty()) {
            Set<String> names = new LinkedHashSet<>();
            for (String part : raw.split(",", -1)) {
                Address a;
                try {
                    a = Address.parse(part, port);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("config key '" + MEMBERS + "': " + e.getMessage());
                }
                if (!names.add(a.name())) {
                    throw new IllegalArgumentException("config key '" + MEMBERS + "': member '" + a.name()
                            + "' is listed twice");
                }
                members.add(a);
            }
            if (members.size() > MAX_MEMBERS) {
                throw new IllegalArgumentException("config key '" + MEMBERS + "': " + members.size()
                        + " members exceed the limit of " + MAX_MEMBERS);
            }
        }
        String join = config.getString(JOIN, "refuse");
        if (!join.equals("refuse") && !join.equals("record")) {
            throw new IllegalArgumentException("config key '" + JOIN + "': '" + join + "' is neither refuse nor record");
        }
        return new StaticConfig(members, max, port, join.equals("record"));
    }
}
