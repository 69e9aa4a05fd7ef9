package io.tribune.api.membership;

/** Which gossip pool an instance serves; plugins use different timing presets for each. */
public enum Pool {
    /** All agents of one datacenter: low latency, fast detection. */
    LAN,
    /** Servers of all datacenters: high latency, tolerant timing. */
    WAN
}
