package io.tribune.dns;

import io.tribune.agent.Agent;
import io.tribune.agent.AgentContext;
import io.tribune.agent.AgentService;
import io.tribune.dns.internal.DnsCatalog;
import io.tribune.dns.internal.DnsResolver;
import io.tribune.dns.internal.DnsServer;
import io.tribune.dns.internal.DnsSettings;
import io.tribune.dns.internal.Recursor;
import io.tribune.dns.internal.RequestsDnsCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;

/**
 * Serves Consul-compatible DNS on the agent's DNS port ({@code ports.dns}, 8600 by default;
 * negative disables it; 0 picks a free port), UDP and TCP, bound to the agent's client address.
 * Found by the agent with {@link java.util.ServiceLoader} as an {@link AgentService}; started after
 * the HTTP API and closed before the plugins.
 *
 * <p>Every lookup is a stale read through the agent's request layer (Consul's {@code allow_stale}
 * default): a server answers from its own state, a client agent's lookup goes to a server, and it
 * answers SERVFAIL when no answer comes within {@link #FORWARD_TIMEOUT}. With the agent's
 * {@code discovery_max_stale} set, stale answers are bounded: a server more than that behind the
 * leader (or knowing no leader) has the leader answer instead. Settings come from
 * {@code tribune.dns.*} system properties and the agent's {@code domain}, {@code recursors} and
 * {@code dns_config} keys.
 */
public final class DnsService implements AgentService {
    private volatile InetSocketAddress boundAddress;
    private static final System.Logger LOG = System.getLogger(DnsService.class.getName());

    /**
     * How long a client agent's DNS lookup waits for a server: 3 s, below the 5 s a stub resolver
     * usually waits, so it gets a SERVFAIL to act on rather than a timeout.
     */
    public static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(3);

    private AgentContext agent;
    private DnsServer server;

    /** Created by {@link java.util.ServiceLoader}. */
    public DnsService() {
    }

    /**
     * Where the DNS interface of {@code agent} listens (UDP and TCP share the port): empty when it
     * is disabled, not started yet, or closed. Lets an embedding program (and tests) that
     * configured port 0 find the bound port.
     */
    public static Optional<InetSocketAddress> address(Agent agent) {
        return agent.serviceAddress("dns");
    }

    @Override
    public Optional<InetSocketAddress> address() {
        return Optional.ofNullable(boundAddress);
    }

    @Override
    public String name() {
        return "dns";
    }

    /**
     * Binds UDP and TCP and serves.
     *
     * @throws IllegalStateException    when already started
     * @throws IllegalArgumentException when a {@code tribune.dns.*} property is invalid
     * @throws UncheckedIOException     when the address cannot be bound
     */
    @Override
    public synchronized void start(AgentContext agent) {
        if (this.agent != null) {
            throw new IllegalStateException("the DNS interface is already started");
        }
        int port = agent.config().ports().dns();
        if (port < 0) {
            LOG.log(System.Logger.Level.INFO, "DNS interface disabled (ports.dns = {0})", port);
            return;
        }
        // System properties (tribune.dns.*) first, then the agent's configuration (Consul's domain,
        // recursors and dns_config keys, carried as dns.*), which wins.
        java.util.Properties props = new java.util.Properties();
        System.getProperties().stringPropertyNames().forEach(k -> props.setProperty(k, System.getProperty(k)));
        agent.config().pluginConfig().asMap().forEach((k, v) -> {
            if (k.startsWith("dns.")) {
                props.setProperty(DnsSettings.PREFIX + k.substring("dns.".length()), v);
            }
        });
        DnsSettings settings = DnsSettings.fromProperties(props);
        // java.util.Random is thread-safe; seeded from the agent so that a simulation replays.
        Random random = new Random(agent.random("dns").nextLong());
        Recursor recursor = new Recursor(settings.recursors(), settings.recursorTimeout(), random);
        Duration maxStale = agent.config().discoveryMaxStale();
        DnsCatalog catalog = new RequestsDnsCatalog(agent.requests(), FORWARD_TIMEOUT,
                maxStale.isZero() ? Optional.empty() : Optional.of(maxStale), () -> agent.clock().nanos());
        DnsResolver resolver = new DnsResolver(settings, agent.config().datacenter(), catalog, recursor,
                random, () -> agent.clock().wallMillis());
        DnsServer s = new DnsServer(resolver, settings);
        InetSocketAddress bound;
        try {
            bound = s.start(io.tribune.agent.config.ConfigKeys.address(agent.config(), "dns"), port);
        } catch (IOException e) {
            s.close();
            throw new UncheckedIOException("cannot bind the DNS interface to "
                    + io.tribune.agent.config.ConfigKeys.address(agent.config(), "dns") + ":"
                    + port + ": " + e.getMessage(), e);
        }
        this.agent = agent;
        this.server = s;
        boundAddress = bound;
        LOG.log(System.Logger.Level.INFO, "DNS interface on {0} (udp and tcp), domain {1}.", bound,
                settings.domain());
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            boundAddress = null;
            server.close();
            server = null;
        }
    }
}
