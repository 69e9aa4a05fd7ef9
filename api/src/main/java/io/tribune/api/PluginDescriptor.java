package io.tribune.api;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a plugin says about itself: its name, its own version, which SPI areas it implements and
 * which SPI version it was built against.
 *
 * <p>Build a descriptor with {@link #of(String, String, String, SpiKind...)}; it records
 * {@link SpiVersion#MAJOR} and {@link SpiVersion#MINOR} as compiled into the plugin.
 *
 * @param name        the plugin's name as users select it, lower-case with dashes (e.g. {@code storage-rocksdb})
 * @param version     the plugin's own version
 * @param description one line for {@code tribune plugins}
 * @param provides    the SPI areas the plugin implements; must be non-empty
 * @param spiMajor    the SPI major version the plugin was built against
 * @param spiMinor    the SPI minor version the plugin was built against
 * @param durable     whether the plugin keeps data across a process crash (storage plugins must say;
 *                    other kinds report {@code false} unless they persist something); when capabilities
 *                    are declared, equal to {@code capabilities.contains(DURABLE)}
 * @param capabilities the {@link Capability capabilities} the plugin declares; empty when it
 *                    declares none ({@code declaresCapabilities} false)
 * @param declaresCapabilities whether {@code capabilities} is the plugin's complete statement (set by
 *                    {@link #withCapabilities}); false for a descriptor built without it, as by every
 *                    plugin built before capabilities existed, whose abilities the host then reads as
 *                    before (see {@link #declares})
 */
public record PluginDescriptor(String name, String version, String description, Set<SpiKind> provides,
                               int spiMajor, int spiMinor, boolean durable, Set<Capability> capabilities,
                               boolean declaresCapabilities) {

    /**
     * Checks the fields and copies the sets.
     *
     * @throws IllegalArgumentException for a bad name, no SPI area, a capability of an area the
     *                                  plugin does not provide, capabilities given without being
     *                                  declared, or {@code durable} contradicting a declared
     *                                  {@link Capability#DURABLE}
     */
    public PluginDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(description, "description");
        if (!name.matches("[a-z][a-z0-9-]{0,63}")) {
            throw new IllegalArgumentException("plugin name '" + name
                    + "' must be lower-case letters, digits and dashes, starting with a letter, at most 64 characters");
        }
        if (provides == null || provides.isEmpty()) {
            throw new IllegalArgumentException("plugin '" + name + "' provides no SPI area");
        }
        provides = Set.copyOf(EnumSet.copyOf(provides));
        Objects.requireNonNull(capabilities, "capabilities");
        EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
        caps.addAll(capabilities);
        if (!declaresCapabilities && !caps.isEmpty()) {
            throw new IllegalArgumentException("plugin '" + name + "': capabilities " + caps
                    + " given but not declared (use withCapabilities)");
        }
        for (Capability c : caps) {
            if (c.kind().isPresent() && !provides.contains(c.kind().get())) {
                throw new IllegalArgumentException("plugin '" + name + "' declares capability " + c + " of "
                        + c.kind().get() + " but does not provide " + c.kind().get());
            }
        }
        if (declaresCapabilities && durable != caps.contains(Capability.DURABLE)) {
            throw new IllegalArgumentException("plugin '" + name + "': durable=" + durable
                    + " contradicts its declared capabilities " + caps);
        }
        capabilities = java.util.Collections.unmodifiableSet(caps);
    }

    /**
     * The descriptor of SPI 1.0 to 1.3 (no capability declaration), kept so that plugins compiled
     * against it still link; same as the canonical constructor with no capabilities declared.
     */
    public PluginDescriptor(String name, String version, String description, Set<SpiKind> provides,
                            int spiMajor, int spiMinor, boolean durable) {
        this(name, version, description, provides, spiMajor, spiMinor, durable, Set.of(), false);
    }

    /**
     * A non-durable descriptor built against the SPI version this plugin is compiled with, declaring
     * no capabilities (add them with {@link #withCapabilities}).
     */
    public static PluginDescriptor of(String name, String version, String description, SpiKind... provides) {
        return new PluginDescriptor(name, version, description, Set.of(provides),
                SpiVersion.MAJOR, SpiVersion.MINOR, false);
    }

    /**
     * A copy that declares durability. On a descriptor that declares capabilities it also adds or
     * removes {@link Capability#DURABLE}, so the two never disagree.
     */
    public PluginDescriptor withDurable(boolean isDurable) {
        EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
        caps.addAll(capabilities);
        if (declaresCapabilities) {
            if (isDurable) {
                caps.add(Capability.DURABLE);
            } else {
                caps.remove(Capability.DURABLE);
            }
        }
        return new PluginDescriptor(name, version, description, provides, spiMajor, spiMinor, isDurable, caps,
                declaresCapabilities);
    }

    /**
     * A copy that declares exactly {@code declared} as the plugin's capabilities: every capability of
     * the plugin's areas that is not listed is thereby declared absent, and the host refuses a
     * configuration that needs it. Sets {@link #durable()} to whether {@link Capability#DURABLE} is
     * listed.
     *
     * @throws IllegalArgumentException when a capability belongs to an area the plugin does not provide
     */
    public PluginDescriptor withCapabilities(Capability... declared) {
        EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
        caps.addAll(java.util.List.of(declared));
        return new PluginDescriptor(name, version, description, provides, spiMajor, spiMinor,
                caps.contains(Capability.DURABLE), caps, true);
    }

    /**
     * What the descriptor says about {@code capability}: present (true or false) when the plugin
     * declares its capabilities and {@code capability} applies to it (its area is one the plugin
     * provides, or it applies to every area); empty when the plugin declares none (built before
     * capabilities existed) or the capability is of another area. For an empty answer the host
     * falls back to the factory's own method where one exists, and otherwise assumes "supported"
     * (what hosts before capabilities did).
     */
    public Optional<Boolean> declares(Capability capability) {
        if (!declaresCapabilities || capability.kind().map(k -> !provides.contains(k)).orElse(false)) {
            return Optional.empty();
        }
        return Optional.of(capabilities.contains(capability));
    }

    /**
     * Whether the plugin has {@code capability}: its declaration when there is one, otherwise
     * {@code true} (the default of hosts and kits before capabilities were declared). For
     * {@link Capability#DURABLE} without a declaration, the {@link #durable()} flag.
     */
    public boolean supports(Capability capability) {
        if (capability == Capability.DURABLE && declares(capability).isEmpty()) {
            return durable;
        }
        return declares(capability).orElse(true);
    }

    /**
     * Why a host running SPI {@code hostMajor.hostMinor} cannot load this plugin, or {@code null}
     * when it can.
     */
    public String incompatibility(int hostMajor, int hostMinor) {
        if (spiMajor != hostMajor) {
            return "plugin '" + name + "' " + version + " was built against SPI " + spiMajor + "." + spiMinor
                    + " but this host implements SPI " + hostMajor + "." + hostMinor
                    + " (major versions must be equal)";
        }
        if (spiMinor > hostMinor) {
            return "plugin '" + name + "' " + version + " needs SPI " + spiMajor + "." + spiMinor
                    + " but this host implements only SPI " + hostMajor + "." + hostMinor
                    + " (upgrade the host or use an older plugin)";
        }
        return null;
    }
}
