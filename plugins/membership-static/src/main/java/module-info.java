/**
 * The {@code membership-static} plugin: a membership with no network and no failure detection,
 * for {@code -dev} mode and tests. The local member is always alive; other members come from the
 * configuration ({@code membership-static.members}) or from {@code join}, which records the seed
 * addresses without contacting them. User events are delivered locally with a Lamport clock;
 * queries are answered by the local handler alone (other members never answer).
 *
 * <p>Provides {@link io.tribune.api.Plugin} (ServiceLoader, and an OSGi service registered by the
 * bundle activator). Uses nothing but the platform services of {@link io.tribune.api.PluginContext}.
 * Exports no package: the SPI is the only API.
 */
module io.tribune.membership.fixed {
    requires io.tribune.api;
    requires static osgi.core;

    provides io.tribune.api.Plugin with io.tribune.membership.fixed.internal.StaticMembershipPlugin;
}
