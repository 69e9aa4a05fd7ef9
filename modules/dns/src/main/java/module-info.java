/**
 * Tribune's Consul-compatible DNS interface: answers {@code <node>.node[.<dc>].consul},
 * {@code [<tag>.]<service>.service[.<dc>].consul}, RFC 2782 {@code _<service>._<proto>.service.consul}
 * and {@code <hex>.addr[.<dc>].consul} over UDP and TCP on the agent's DNS port (8600 by default),
 * reading the catalog with stale reads through the agent's request layer (which a client agent
 * forwards to a server), and optionally relays other names to
 * configured recursors. The wire format is dnsjava's ({@code org.dnsjava}).
 *
 * <p>Provides {@link io.tribune.agent.AgentService} ({@link io.tribune.dns.DnsService}), which the
 * agent finds with {@link java.util.ServiceLoader}. Uses no plugin SPI directly.
 */
module io.tribune.dns {
    requires transitive io.tribune.agent;
    requires org.dnsjava;

    exports io.tribune.dns;

    provides io.tribune.agent.AgentService with io.tribune.dns.DnsService;
}
