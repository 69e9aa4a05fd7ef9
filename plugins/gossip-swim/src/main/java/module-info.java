/**
 * The {@code gossip-swim} plugin: cluster membership by SWIM gossip over UDP with TCP push-pull,
 * with Lifeguard's refinements (local health, dynamic suspicion, buddy system), Serf-style tags,
 * leaves, reaping, user events with Lamport clocks and queries to every member (request/response),
 * LAN/WAN/local timing presets, and AES-GCM encryption with a rotatable keyring.
 *
 * <p>Provides {@link io.tribune.api.Plugin} (ServiceLoader, and an OSGi service registered by the
 * bundle activator). Uses the platform services of {@link io.tribune.api.PluginContext}. Exports
 * no package: the SPI is the only API. The protocol core ({@code internal.core}) is I/O-free; the
 * driver ({@code internal.driver}) owns sockets and threads.
 */
module io.tribune.gossip.swim {
    requires io.tribune.api;
    requires static osgi.core;

    provides io.tribune.api.Plugin with io.tribune.gossip.swim.internal.SwimPlugin;
}
