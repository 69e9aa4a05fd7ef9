package io.tribune.agent.plugins;

import io.tribune.api.PluginDescriptor;
import io.tribune.api.ProviderFactory;
import io.tribune.api.SpiKind;
import io.tribune.api.SpiVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The plugins a runtime found, checked and indexed by SPI area, and the rules for choosing one
 * factory per area.
 *
 * <p>Checks at registration: the plugin was built against a compatible SPI version (same major,
 * minor not newer than the host's), every factory it offers is of an area its descriptor declares,
 * no two plugins or factories share a name, and the capabilities its descriptor declares agree with
 * its factories' own answers ({@link Capabilities#checkDeclared}). A failed check stops the agent with a message that
 * names the plugin's origin and the reason.
 *
 * <p>Selection ({@link #select}): an explicit choice must name an available factory; without one,
 * the mode's preferred factory is taken when present, the only candidate when there is just one,
 * and otherwise the choice is ambiguous. Every failure lists what is available.
 */
public final class PluginRegistry {
    private static final System.Logger LOG = System.getLogger(PluginRegistry.class.getName());
    private final List<LoadedPlugin> plugins;
    private final Map<SpiKind, Map<String, Candidate>> byKind = new EnumMap<>(SpiKind.class);

    /**
     * One factory and the plugin it came from.
     *
     * @param factory the factory
     * @param plugin  its plugin
     */
    public record Candidate(ProviderFactory factory, LoadedPlugin plugin) {
        /** The factory's name. */
        public String name() {
            return factory.name();
        }
    }

    private PluginRegistry(List<LoadedPlugin> plugins) {
        this.plugins = List.copyOf(plugins);
    }

    /**
     * Checks and indexes {@code plugins}.
     *
     * @throws PluginLoadException when a plugin is incompatible or names clash
     */
    public static PluginRegistry of(List<LoadedPlugin> plugins) {
        List<LoadedPlugin> sorted = new ArrayList<>(plugins);
        sorted.sort(Comparator.comparing(p -> p.descriptor().name()));
        PluginRegistry r = new PluginRegistry(sorted);
        Map<String, LoadedPlugin> names = new LinkedHashMap<>();
        for (LoadedPlugin p : sorted) {
            PluginDescriptor d = p.descriptor();
            String why = d.incompatibility(SpiVersion.MAJOR, SpiVersion.MINOR);
            if (why != null) {
                throw new PluginLoadException(p.origin() + ": io.tribune.api.Plugin refused: " + why);
            }
            LoadedPlugin clash = names.putIfAbsent(d.name(), p);
            if (clash != null) {
                throw new PluginLoadException("two plugins are named '" + d.name() + "': " + clash.origin()
                        + " and " + p.origin() + "; remove one");
            }
            List<? extends ProviderFactory> storages = safe(p, () -> p.plugin().storageFactories());
            List<? extends ProviderFactory> transports = safe(p, () -> p.plugin().transportFactories());
            List<? extends ProviderFactory> consensus = safe(p, () -> p.plugin().consensusFactories());
            List<? extends ProviderFactory> memberships = safe(p, () -> p.plugin().membershipFactories());
            r.index(p, SpiKind.STORAGE, storages);
            r.index(p, SpiKind.TRANSPORT, transports);
            r.index(p, SpiKind.CONSENSUS, consensus);
            r.index(p, SpiKind.MEMBERSHIP, memberships);
            // Capabilities: the descriptor's declaration must agree with the factories' own answers.
            Capabilities.checkDeclared(p, storages);
            Capabilities.checkDeclared(p, transports);
            Capabilities.checkDeclared(p, consensus);
            LOG.log(System.Logger.Level.DEBUG, "registered plugin {0} {1} ({2}) from {3}", d.name(), d.version(),
                    d.provides(), p.origin());
        }
        return r;
    }

    private static List<? extends ProviderFactory> safe(LoadedPlugin p,
                                                        java.util.function.Supplier<List<? extends ProviderFactory>> s) {
        try {
            List<? extends ProviderFactory> l = s.get();
            return l == null ? List.of() : l;
        } catch (RuntimeException | LinkageError e) {
            throw new PluginLoadException(p.origin() + ": plugin '" + p.descriptor().name()
                    + "' failed to list its factories: " + e, e);
        }
    }

    private void index(LoadedPlugin p, SpiKind kind, List<? extends ProviderFactory> factories) {
        if (!factories.isEmpty() && !p.descriptor().provides().contains(kind)) {
            throw new PluginLoadException(p.origin() + ": plugin '" + p.descriptor().name() + "' offers "
                    + kind.key() + " factories but its descriptor does not declare " + kind);
        }
        for (ProviderFactory f : factories) {
            String name;
            try {
                name = f.name();
            } catch (RuntimeException e) {
                throw new PluginLoadException(p.origin() + ": a " + kind.key() + " factory failed to name itself: " + e, e);
            }
            Candidate prev = byKind.computeIfAbsent(kind, k -> new LinkedHashMap<>()).putIfAbsent(name, new Candidate(f, p));
            if (prev != null) {
                throw new PluginLoadException("two " + kind.key() + " implementations are named '" + name + "': "
                        + prev.plugin().origin() + " and " + p.origin());
            }
        }
    }

    /** Every plugin, sorted by name. */
    public List<LoadedPlugin> plugins() {
        return plugins;
    }

    /** The candidates of {@code kind}, by name. */
    public List<Candidate> candidates(SpiKind kind) {
        return List.copyOf(byKind.getOrDefault(kind, Map.of()).values());
    }

    /**
     * Chooses the {@code kind} factory.
     *
     * @param choice    the user's choice, if any
     * @param preferred the mode's default, used when there is no choice and it is available
     * @throws PluginLoadException for an unknown choice, no candidate, or an ambiguous choice; the
     *                             message lists what is available
     */
    public <F extends ProviderFactory> F select(SpiKind kind, Class<F> type, Optional<String> choice,
                                                Optional<String> preferred) {
        Map<String, Candidate> c = byKind.getOrDefault(kind, Map.of());
        Candidate chosen;
        if (choice.isPresent()) {
            chosen = c.get(choice.get());
            if (chosen == null) {
                throw new PluginLoadException("unknown " + kind.key() + " plugin '" + choice.get() + "'; "
                        + available(kind));
            }
        } else if (preferred.isPresent() && c.containsKey(preferred.get())) {
            chosen = c.get(preferred.get());
        } else if (c.size() == 1) {
            chosen = c.values().iterator().next();
        } else if (c.isEmpty()) {
            throw new PluginLoadException("no " + kind.key() + " plugin is installed; add one to the plugins directory");
        } else {
            throw new PluginLoadException("several " + kind.key() + " plugins are installed and none is chosen; "
                    + "choose one with -plugin " + kind.key() + "=NAME or \"plugins\": {\"" + kind.key()
                    + "\": \"NAME\"} in the config; " + available(kind));
        }
        if (!type.isInstance(chosen.factory())) {
            throw new PluginLoadException(chosen.plugin().origin() + ": factory '" + chosen.name() + "' is not a "
                    + type.getName());
        }
        return type.cast(chosen.factory());
    }

    /** "available: a (plugin a 1.0 from X), b (...)" for {@code kind}. */
    public String available(SpiKind kind) {
        Map<String, Candidate> c = byKind.getOrDefault(kind, Map.of());
        if (c.isEmpty()) {
            return "no " + kind.key() + " plugin is installed";
        }
        return "available " + kind.key() + " plugins: " + c.values().stream()
                .map(x -> x.name() + " (" + x.plugin().descriptor().name() + " " + x.plugin().descriptor().version() + ")")
                .collect(Collectors.joining(", "));
    }
}
