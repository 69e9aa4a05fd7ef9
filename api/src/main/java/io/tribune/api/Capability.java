package io.tribune.api;

import java.util.Optional;

/**
 * An optional ability of a plugin, declared once in its {@link PluginDescriptor} (with
 * {@link PluginDescriptor#withCapabilities}) and read from there by the host and by the conformance
 * kits.
 *
 * <p>Each capability belongs to one SPI area ({@link #kind()}), except {@link #LIVE_UPDATE}, which
 * applies to every area the plugin provides. A capability of an area the plugin does not provide is
 * refused by the descriptor. Only capabilities that something acts on are listed here: the host
 * refuses a configuration the chosen plugins cannot serve (see each constant), and the kits assert
 * the documented behaviour of an absent capability instead of skipping a test.
 *
 * <p>Compatibility: a descriptor built without {@code withCapabilities} (every plugin built before
 * capabilities existed) declares none; the host then keeps its earlier reading: the factory's own
 * answers ({@code StorageFactory.durable()}, {@code TransportFactory.supportsCallOnly()},
 * {@code ConsensusFactory.replicated()}) and "supported" for the rest
 * ({@link PluginDescriptor#supports}).
 */
public enum Capability {
    /**
     * Storage: data written survives a process crash. The host gives a durable storage a data
     * directory and refuses to start one without {@code -data-dir}. Must agree with
     * {@code StorageFactory.durable()} of the plugin's storage factories.
     */
    DURABLE(SpiKind.STORAGE),
    /**
     * Transport: {@code TransportSetup.callOnly()} is honoured (the transport calls and never
     * listens). The host runs a client agent's transport call-only and refuses a client agent on a
     * transport that declares it cannot. Must agree with {@code TransportFactory.supportsCallOnly()}.
     */
    CALL_ONLY(SpiKind.TRANSPORT),
    /**
     * Consensus: servers replicate to each other (not a single-server log). The host refuses
     * {@code bootstrap_expect} above 1 without it. Must agree with {@code ConsensusFactory.replicated()}.
     */
    REPLICATED(SpiKind.CONSENSUS),
    /**
     * Consensus: servers can be added and removed in a running cluster ({@code addServer},
     * {@code removeServer}). The host's leader adds the servers it sees in gossip, so a cluster of
     * more than one server ({@code bootstrap_expect} above 1) needs it; the consensus kit asserts
     * that the calls fail with a {@code ConsensusException} when it is absent.
     */
    MEMBERSHIP_CHANGES(SpiKind.CONSENSUS),
    /**
     * Membership: instances reach each other; {@code join} contacts the seed and joins, leaves and
     * events spread. The host refuses {@code bootstrap_expect} above 1 (servers find each other in
     * gossip) and {@code -join-wan} without it. The membership kit's {@code PEERS}.
     */
    PEERS(SpiKind.MEMBERSHIP),
    /**
     * Membership: members that stop without leaving are eventually reported failed. The host warns
     * when a server of a multi-server cluster runs without it (a crashed server would never be
     * reported, nor reaped by autopilot). The membership kit's {@code FAILURE_DETECTION}.
     */
    FAILURE_DETECTION(SpiKind.MEMBERSHIP),
    /**
     * Membership: {@code Membership.queries()} is offered (keyring operations and {@code consul
     * exec}-style queries use it). The membership kit's {@code QUERIES}.
     */
    QUERIES(SpiKind.MEMBERSHIP),
    /**
     * Membership: a second instance can run the WAN pool ({@code MembershipSetup.pool() == WAN}).
     * A server outside {@code -dev} runs a WAN pool only when its membership plugin has it, and
     * {@code -join-wan}/{@code -retry-join-wan} are refused without it.
     */
    WAN_POOL(SpiKind.MEMBERSHIP),
    /**
     * Any area: the plugin's instances can be replaced in a running agent (its {@code close()} ends
     * every thread it started, so its code can be unloaded). The host replaces a plugin live only
     * where it can hand the area over (transport, in the Felix runtime) and only when the plugin does
     * not declare that it cannot.
     */
    LIVE_UPDATE(null);

    private final SpiKind kind;

    Capability(SpiKind kind) {
        this.kind = kind;
    }

    /** The SPI area this capability belongs to; empty for one that applies to every area. */
    public Optional<SpiKind> kind() {
        return Optional.ofNullable(kind);
    }

    /** The lower-case name shown by {@code tribune plugins} and {@code /v1/agent/self}, e.g. {@code call-only}. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
