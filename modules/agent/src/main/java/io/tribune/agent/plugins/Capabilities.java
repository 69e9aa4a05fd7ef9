package io.tribune.agent.plugins;

import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.WanSettings;
import io.tribune.api.Capability;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.ProviderFactory;
import io.tribune.api.SpiKind;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.storage.StorageFactory;
import io.tribune.api.transport.TransportFactory;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How the host reads and honours plugin {@link Capability capabilities}.
 *
 * <p><b>Reading</b> ({@link #has}): a plugin's declaration in its descriptor when it makes one;
 * otherwise (a plugin built before capabilities were declared) the factory's own method where one
 * exists ({@link StorageFactory#durable()}, {@link TransportFactory#supportsCallOnly()},
 * {@link ConsensusFactory#replicated()}, and {@code replicated()} for membership changes, as the
 * consensus kit defaults), and "supported" for the rest, which is what hosts did before.
 *
 * <p><b>At load</b> ({@link #checkDeclared}): a plugin that declares its capabilities must not
 * contradict its factories' methods; a contradiction is refused, naming the plugin, the factory
 * and both answers (no plugin built before declarations exist can trip it).
 *
 * <p><b>At start</b> ({@link #checkStart}): a configuration the chosen plugins cannot serve is
 * refused with a {@link ConfigException} that names the setting, the plugin and the missing
 * capability, before anything listens.
 *
 * <p>Stateless; every method may be called from any thread. Factory methods that throw are
 * reported as load failures naming the plugin.
 */
public final class Capabilities {
    private static final System.Logger LOG = System.getLogger(Capabilities.class.getName());

    private Capabilities() {
    }

    /**
     * Whether factory {@code factory} of {@code plugin} has {@code capability} (see the class
     * comment for the reading rules). A capability of another area than the factory's is false.
     */
    public static boolean has(LoadedPlugin plugin, ProviderFactory factory, Capability capability) {
        SpiKind kind = kindOf(factory);
        if (capability.kind().isPresent() && capability.kind().get() != kind) {
            return false;
        }
        Optional<Boolean> declared = plugin.descriptor().declares(capability);
        if (declared.isPresent()) {
            return declared.get();
        }
        return switch (capability) {
            case DURABLE -> ask(plugin, factory, () -> ((StorageFactory) factory).durable());
            case CALL_ONLY -> ask(plugin, factory, () -> ((TransportFactory) factory).supportsCallOnly());
            case REPLICATED, MEMBERSHIP_CHANGES -> ask(plugin, factory, () -> ((ConsensusFactory) factory).replicated());
            default -> true;
        };
    }

    /** Every capability {@code factory} of {@code plugin} has, for display; sorted by declaration order. */
    public static Set<Capability> of(LoadedPlugin plugin, ProviderFactory factory) {
        EnumSet<Capability> out = EnumSet.noneOf(Capability.class);
        for (Capability c : Capability.values()) {
            if (has(plugin, factory, c)) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Checks that a plugin declaring its capabilities agrees with its factories' own methods:
     * {@code durable()} with {@link Capability#DURABLE}, {@code supportsCallOnly()} with
     * {@link Capability#CALL_ONLY}, {@code replicated()} with {@link Capability#REPLICATED}. For a
     * plugin that declares nothing, a durable storage factory in a descriptor without durability is
     * only warned about (hosts before accepted it).
     *
     * @throws PluginLoadException naming the plugin, the factory and both answers on a contradiction
     */
    static void checkDeclared(LoadedPlugin p, List<? extends ProviderFactory> factories) {
        PluginDescriptor d = p.descriptor();
        for (ProviderFactory f : factories) {
            Capability c;
            boolean answer;
            if (f instanceof StorageFactory sf) {
                c = Capability.DURABLE;
                answer = ask(p, f, sf::durable);
            } else if (f instanceof TransportFactory tf) {
                c = Capability.CALL_ONLY;
                answer = ask(p, f, tf::supportsCallOnly);
            } else if (f instanceof ConsensusFactory cf) {
                c = Capability.REPLICATED;
                answer = ask(p, f, cf::replicated);
            } else {
                continue;
            }
            Optional<Boolean> declared = d.declares(c);
            if (declared.isPresent() && declared.get() != answer) {
                throw new PluginLoadException(p.origin() + ": plugin '" + d.name() + "' declares " + c
                        + (declared.get() ? "" : " absent") + " in its descriptor but its factory '" + f.name()
                        + "' answers " + answer + "; make them agree");
            }
            if (declared.isEmpty() && c == Capability.DURABLE && answer && !d.durable()) {
                LOG.log(System.Logger.Level.WARNING, "{0}: plugin ''{1}'' offers the durable storage factory "
                        + "''{2}'' but its descriptor does not declare durability (PluginDescriptor.withCapabilities"
                        + "(Capability.DURABLE)); ''tribune plugins'' shows it as not durable", p.origin(), d.name(),
                        f.name());
            }
        }
    }

    /**
     * The chosen factories of an agent and the plugins they come from; storage and consensus are
     * empty on a client agent.
     *
     * @param storage    the storage factory (servers)
     * @param consensus  the consensus factory (servers)
     * @param transport  the transport factory
     * @param membership the membership factory
     */
    public record Chosen(Optional<Choice> storage, Optional<Choice> consensus, Choice transport, Choice membership) {
    }

    /**
     * One chosen factory and its plugin.
     *
     * @param factory the factory
     * @param plugin  the plugin it belongs to
     */
    public record Choice(ProviderFactory factory, LoadedPlugin plugin) {
        /** Whether this factory has {@code c} ({@link Capabilities#has}). */
        public boolean has(Capability c) {
            return Capabilities.has(plugin, factory, c);
        }

        String describe() {
            return "plugin '" + factory.name() + "' (" + plugin.descriptor().name() + " "
                    + plugin.descriptor().version() + ")";
        }
    }

    /**
     * The candidate of {@code registry} whose factory is {@code factory}.
     *
     * @throws PluginLoadException when the factory is not in the registry (a host bug)
     */
    public static Choice choice(PluginRegistry registry, SpiKind kind, ProviderFactory factory) {
        return registry.candidates(kind).stream().filter(c -> c.factory() == factory).findFirst()
                .map(c -> new Choice(c.factory(), c.plugin()))
                .orElseThrow(() -> new PluginLoadException(kind.key() + " factory '" + factory.name()
                        + "' is not one of the registered plugins"));
    }

    /**
     * Refuses a configuration the chosen plugins cannot serve; warns about one they serve badly.
     * Refused (each names the setting, the plugin and the capability):
     * <ul>
     *   <li>{@code bootstrap_expect} above 1 with a consensus that is not {@link Capability#REPLICATED}
     *       or lacks {@link Capability#MEMBERSHIP_CHANGES}, or a membership without
     *       {@link Capability#PEERS} (servers find each other in gossip);</li>
     *   <li>{@code -join-wan}/{@code -retry-join-wan} with a membership without
     *       {@link Capability#WAN_POOL} or {@link Capability#PEERS};</li>
     *   <li>a client agent whose transport declares that it cannot run {@link Capability#CALL_ONLY}
     *       (a plugin that declares nothing keeps the earlier warning: it listens needlessly).</li>
     * </ul>
     * Warned: a server of a multi-server cluster ({@code bootstrap_expect} above 1) whose storage is
     * not {@link Capability#DURABLE} (a restart forgets its vote) or whose membership lacks
     * {@link Capability#FAILURE_DETECTION}. A durable storage without {@code -data-dir} is refused
     * by the agent itself, as before.
     *
     * @throws ConfigException with every refusal found, one per line
     */
    public static void checkStart(AgentConfig config, Chosen chosen) {
        List<String> refusals = new ArrayList<>();
        if (config.server() && config.bootstrapExpect() > 1) {
            String setting = "bootstrap_expect = " + config.bootstrapExpect();
            chosen.consensus().ifPresent(c -> {
                if (!c.has(Capability.REPLICATED)) {
                    refusals.add(setting + " needs a replicated consensus, but consensus " + c.describe()
                            + " is not REPLICATED (a single-server log); choose e.g. -plugin consensus=raft");
                } else if (!c.has(Capability.MEMBERSHIP_CHANGES)) {
                    refusals.add(setting + " needs a consensus whose leader can add servers, but consensus "
                            + c.describe() + " does not declare MEMBERSHIP_CHANGES");
                }
            });
            if (!chosen.membership().has(Capability.PEERS)) {
                refusals.add(setting + " needs a membership whose members reach each other (servers find each other "
                        + "in gossip), but membership " + chosen.membership().describe() + " does not declare PEERS; "
                        + "choose e.g. -plugin membership=gossip-swim");
            }
            chosen.storage().filter(s -> !s.has(Capability.DURABLE)).ifPresent(s -> LOG.log(
                    System.Logger.Level.WARNING, "{0} with storage {1}, which is not durable: a restarted server "
                            + "forgets its term, vote and log, which Raft assumes it keeps", setting, s.describe()));
            if (!chosen.membership().has(Capability.FAILURE_DETECTION)) {
                LOG.log(System.Logger.Level.WARNING, "{0} with membership {1}, which does not detect failures: "
                        + "a crashed server is never reported failed nor reaped", setting,
                        chosen.membership().describe());
            }
        }
        if (WanSettings.of(config).joins()) {
            Choice m = chosen.membership();
            if (!m.has(Capability.WAN_POOL)) {
                refusals.add("-join-wan/-retry-join-wan need a WAN pool, but membership " + m.describe()
                        + " does not declare WAN_POOL");
            } else if (!m.has(Capability.PEERS)) {
                refusals.add("-join-wan/-retry-join-wan need a membership that reaches other datacenters, but "
                        + "membership " + m.describe() + " does not declare PEERS");
            }
        }
        if (!config.server()) {
            Choice t = chosen.transport();
            if (t.plugin().descriptor().declares(Capability.CALL_ONLY).equals(Optional.of(false))) {
                refusals.add("a client agent calls servers and listens nowhere, but transport " + t.describe()
                        + " declares that it cannot run call-only (no CALL_ONLY); run this agent as a server or "
                        + "choose a transport with CALL_ONLY, e.g. -plugin transport=transport-grpc");
            }
        }
        if (!refusals.isEmpty()) {
            throw new ConfigException("the chosen plugins cannot serve this configuration:\n  "
                    + String.join("\n  ", refusals));
        }
    }

    /**
     * Why plugin {@code plugin} cannot be replaced live by its own account, or empty when it does
     * not say it cannot ({@link Capability#LIVE_UPDATE} declared, or nothing declared).
     */
    public static Optional<String> liveUpdateRefusal(LoadedPlugin plugin) {
        if (plugin.descriptor().declares(Capability.LIVE_UPDATE).equals(Optional.of(false))) {
            return Optional.of("plugin '" + plugin.descriptor().name() + "' " + plugin.descriptor().version()
                    + " declares that it cannot be replaced in a running agent (no LIVE_UPDATE); restart the agent "
                    + "to load a new version");
        }
        return Optional.empty();
    }

    private static SpiKind kindOf(ProviderFactory f) {
        if (f instanceof StorageFactory) {
            return SpiKind.STORAGE;
        }
        if (f instanceof TransportFactory) {
            return SpiKind.TRANSPORT;
        }
        if (f instanceof ConsensusFactory) {
            return SpiKind.CONSENSUS;
        }
        return SpiKind.MEMBERSHIP;
    }

    private static boolean ask(LoadedPlugin p, ProviderFactory f, java.util.function.BooleanSupplier q) {
        try {
            return q.getAsBoolean();
        } catch (RuntimeException | LinkageError e) {
            throw new PluginLoadException(p.origin() + ": factory '" + f.name() + "' of plugin '"
                    + p.descriptor().name() + "' failed to state a capability: " + e, e);
        }
    }
}
