package io.tribune.testkit;

import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.ProviderFactory;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.ServiceConfigurationError;

/**
 * Finds the {@link PluginDescriptor} of the plugin that offers a factory, so that the conformance
 * kits read a plugin's {@link io.tribune.api.Capability capabilities} from where the plugin
 * declares them once: its descriptor.
 *
 * <p>Stateless; may be called from any thread. Looks the plugins up with {@link ServiceLoader} on
 * the class path or module path of the given class loader, as the embedded agent and the crash
 * suite's child JVMs do.
 */
public final class PluginDescriptors {
    private PluginDescriptors() {
    }

    /**
     * The descriptor of the plugin registered with {@code provides io.tribune.api.Plugin} (or
     * {@code META-INF/services}) whose factories include one of {@code factory}'s class and name;
     * empty when no such plugin is found (a factory built only for a test, or a plugin that is not
     * registered as a service). A plugin that fails to list its factories is skipped.
     */
    public static Optional<PluginDescriptor> owning(ProviderFactory factory, ClassLoader loader) {
        Objects.requireNonNull(factory, "factory");
        // A no-op on the class path; on the module path the kit's module may not declare the use.
        PluginDescriptors.class.getModule().addUses(Plugin.class);
        String name = factory.name();
        try {
            for (Plugin p : ServiceLoader.load(Plugin.class, loader)) {
                try {
                    for (List<? extends ProviderFactory> l : List.of(p.storageFactories(), p.transportFactories(),
                            p.consensusFactories(), p.membershipFactories())) {
                        for (ProviderFactory f : l) {
                            if (f.getClass() == factory.getClass() && f.name().equals(name)) {
                                return Optional.of(p.descriptor());
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    // this plugin cannot be asked; it is not the one under test
                }
            }
        } catch (ServiceConfigurationError e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
