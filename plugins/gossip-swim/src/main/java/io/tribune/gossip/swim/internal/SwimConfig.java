package io.tribune.gossip.swim.internal;

import io.tribune.api.PluginConfig;
import io.tribune.api.membership.Pool;
import io.tribune.gossip.swim.internal.core.SwimTiming;
import io.tribune.gossip.swim.internal.crypto.GossipKeyring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Typed settings of {@code gossip-swim}, parsed and validated at creation. Keys (all optional):
 *
 * <table>
 * <caption>configuration keys</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code gossip-swim.profile}</td><td>{@code lan} for the LAN pool, {@code wan} for the WAN pool</td>
 *     <td>timing preset: {@code lan}, {@code wan} or {@code local} (loopback tests)</td></tr>
 * <tr><td>{@code gossip-swim.encrypt}</td><td>none</td><td>base64 AES key (16/24/32 bytes); turns
 *     encryption on and plain packets off. Secret.</td></tr>
 * <tr><td>{@code gossip-swim.encrypt-keys}</td><td>none</td><td>comma-separated extra keys accepted
 *     for decryption (rotation). Secret.</td></tr>
 * <tr><td>{@code gossip-swim.label}</td><td>empty</td><td>cluster label authenticated with every
 *     encrypted packet, so that two clusters sharing a key stay apart</td></tr>
 * <tr><td>{@code gossip-swim.reap-timeout}</td><td>preset (72 h LAN/WAN, 30 s local)</td><td>how long
 *     failed and left members stay listed</td></tr>
 * <tr><td>{@code gossip-swim.push-pull-interval}</td><td>preset (30 s LAN, 60 s WAN, 5 s local)</td>
 *     <td>full-state sync period</td></tr>
 * <tr><td>{@code gossip-swim.udp-packet-bytes}</td><td>1400</td><td>largest UDP payload sent
 *     (fits a 1500-byte Ethernet MTU with IP/UDP headers); 512..9000</td></tr>
 * <tr><td>{@code gossip-swim.stream-timeout}</td><td>10 s (2 s local, 30 s WAN)</td><td>connect plus I/O
 *     bound of one TCP exchange</td></tr>
 * <tr><td>{@code gossip-swim.join-retries}</td><td>2</td><td>when no seed answered, a join keeps
 *     retrying for join-retries × join-retry-interval; 0..100 (0: no retry)</td></tr>
 * <tr><td>{@code gossip-swim.join-retry-interval}</td><td>1 s</td><td>longest wait between join attempts;
 *     the first retries come after 100 ms, doubling (a seed that is starting opens its port soon)</td></tr>
 * <tr><td>{@code gossip-swim.handover.incarnation}</td><td>none</td><td>set by the host on a live update
 *     only: the previous instance's incarnation; this one starts above it (0..2^63-2)</td></tr>
 * <tr><td>{@code gossip-swim.handover.event-clock}</td><td>none</td><td>set by the host on a live update
 *     only: the user-event Lamport time the previous instance reached (&ge; 0)</td></tr>
 * </table>
 *
 * @param handoverIncarnation the previous instance's incarnation, or -1 when this is not a hand-over
 * @param handoverEventClock  the previous instance's user-event clock, or -1 when this is not a hand-over
 */
record SwimConfig(SwimTiming timing, GossipKeyring keyring, String label, int udpPacketBytes, Duration streamTimeout,
                  int joinRetries, Duration joinRetryInterval, long handoverIncarnation, long handoverEventClock) {
    static final String PREFIX = "gossip-swim.";
    static final String PROFILE = PREFIX + "profile";
    static final String ENCRYPT = PREFIX + "encrypt";
    static final String ENCRYPT_KEYS = PREFIX + "encrypt-keys";
    static final String LABEL = PREFIX + "label";
    static final String REAP_TIMEOUT = PREFIX + "reap-timeout";
    static final String PUSH_PULL_INTERVAL = PREFIX + "push-pull-interval";
    static final String UDP_PACKET_BYTES = PREFIX + "udp-packet-bytes";
    static final String STREAM_TIMEOUT = PREFIX + "stream-timeout";
    static final String JOIN_RETRIES = PREFIX + "join-retries";
    static final String JOIN_RETRY_INTERVAL = PREFIX + "join-retry-interval";
    /** Live update (docs/plugins.md): the host hands the previous instance's state over in these two keys. */
    static final String HANDOVER_INCARNATION = PREFIX + "handover.incarnation";
    static final String HANDOVER_EVENT_CLOCK = PREFIX + "handover.event-clock";
    static final Set<String> KEYS = Set.of(PROFILE, ENCRYPT, ENCRYPT_KEYS, LABEL, REAP_TIMEOUT, PUSH_PULL_INTERVAL,
            UDP_PACKET_BYTES, STREAM_TIMEOUT, JOIN_RETRIES, JOIN_RETRY_INTERVAL, HANDOVER_INCARNATION,
            HANDOVER_EVENT_CLOCK);
    static final Set<String> SECRET_KEYS = Set.of(ENCRYPT, ENCRYPT_KEYS);

    /**
     * The default bound of one TCP exchange (join, push-pull, TCP fallback probe) per preset: 2 s on
     * loopback, 10 s in a datacenter, 30 s across datacenters (memberlist's WAN {@code TCPTimeout}): a
     * push-pull of a large member list over a long, lossy path needs several round trips of hundreds
     * of milliseconds plus retransmissions.
     */
    static Duration defaultStreamTimeout(String profile) {
        return switch (profile) {
            case "local" -> Duration.ofSeconds(2);
            case "wan" -> Duration.ofSeconds(30);
            default -> Duration.ofSeconds(10);
        };
    }

    static SwimConfig parse(PluginConfig c, Pool pool) {
        for (String k : c.keys()) {
            if (k.startsWith(PREFIX) && !KEYS.contains(k)) {
                throw new IllegalArgumentException("config key '" + k + "' is unknown (known: "
                        + new java.util.TreeSet<>(KEYS) + ")");
            }
        }
        String profile = c.getString(PROFILE, pool == Pool.WAN ? "wan" : "lan");
        SwimTiming t;
        try {
            t = SwimTiming.preset(profile);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config key '" + PROFILE + "': " + e.getMessage());
        }
        t = t.withReapTimeout(c.getDuration(REAP_TIMEOUT, t.reapTimeout()));
        t = t.withPushPullInterval(c.getDuration(PUSH_PULL_INTERVAL, t.pushPullInterval()));
        try {
            t.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gossip-swim timing: " + e.getMessage());
        }
        GossipKeyring keyring = null;
        String key = c.get(ENCRYPT);
        if (key != null && !key.isBlank()) {
            List<String> extra = new ArrayList<>();
            String more = c.getString(ENCRYPT_KEYS, "");
            for (String k : more.split(",")) {
                if (!k.isBlank()) {
                    extra.add(k.trim());
                }
            }
            try {
                keyring = new GossipKeyring(key, extra);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("config key '" + ENCRYPT + "': " + e.getMessage());
            }
        } else if (c.get(ENCRYPT_KEYS) != null) {
            throw new IllegalArgumentException("config key '" + ENCRYPT_KEYS + "' needs '" + ENCRYPT + "' (the primary key)");
        }
        String label = c.getString(LABEL, "");
        if (label.length() > 128) {
            throw new IllegalArgumentException("config key '" + LABEL + "': longer than 128 characters");
        }
        int udp = c.getInt(UDP_PACKET_BYTES, 1400);
        if (udp < 512 || udp > 9000) {
            throw new IllegalArgumentException("config key '" + UDP_PACKET_BYTES + "': " + udp + " is outside 512..9000");
        }
        Duration stream = c.getDuration(STREAM_TIMEOUT, defaultStreamTimeout(profile));
        if (stream.isNegative() || stream.isZero() || stream.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("config key '" + STREAM_TIMEOUT + "': " + stream + " is outside (0, 5m]");
        }
        int retries = c.getInt(JOIN_RETRIES, 2);
        if (retries < 0 || retries > 100) {
            throw new IllegalArgumentException("config key '" + JOIN_RETRIES + "': " + retries + " is outside 0..100");
        }
        Duration retryInterval = c.getDuration(JOIN_RETRY_INTERVAL, Duration.ofSeconds(1));
        if (retryInterval.isNegative() || retryInterval.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("config key '" + JOIN_RETRY_INTERVAL + "': " + retryInterval
                    + " is outside [0, 10m]");
        }
        long incarnation = c.getLong(HANDOVER_INCARNATION, -1);
        if (c.get(HANDOVER_INCARNATION) != null && (incarnation < 0 || incarnation == Long.MAX_VALUE)) {
            throw new IllegalArgumentException("config key '" + HANDOVER_INCARNATION + "': " + incarnation
                    + " is outside 0.." + (Long.MAX_VALUE - 1));
        }
        long eventClock = c.getLong(HANDOVER_EVENT_CLOCK, -1);
        if (c.get(HANDOVER_EVENT_CLOCK) != null && eventClock < 0) {
            throw new IllegalArgumentException("config key '" + HANDOVER_EVENT_CLOCK + "': " + eventClock
                    + " is negative");
        }
        return new SwimConfig(t, keyring, label, udp, stream, retries, retryInterval, incarnation, eventClock);
    }
}
