package io.tribune.launcher;

import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.plugins.PluginLoadException;
import io.tribune.agent.plugins.PluginSource;
import io.tribune.api.Plugin;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Finds plugins on the module path: each plugin unit (a directory of jars, or a single jar) becomes
 * its own {@link ModuleLayer} whose roots are all modules of that unit and whose parent is the boot
 * layer, as Trino gives each plugin its own class loader. Plugins see the SPI module from the boot
 * layer and bring every other library themselves. Providers of {@link Plugin} are found with
 * {@link ServiceLoader#load(ModuleLayer, Class)}, keeping only those of the plugin jar's own module
 * (the unit's other modules are libraries). A plugin that wraps another one needs no view of the
 * wrapped plugin's module: it gets its factory through {@code PluginContext.factory}, typed by the
 * SPI interfaces of the boot layer, so each unit keeps the boot layer as its only parent.
 */
final class JpmsPluginSource implements PluginSource {
    private final List<PluginDirs.Unit> units;

    JpmsPluginSource(List<PluginDirs.Unit> units) {
        this.units = units;
    }

    @Override
    public String runtime() {
        return "jpms";
    }

    @Override
    public List<LoadedPlugin> load() {
        ModuleLayer boot = ModuleLayer.boot();
        List<LoadedPlugin> out = new ArrayList<>();
        for (PluginDirs.Unit unit : units) {
            ModuleLayer layer;
            try {
                ModuleFinder finder = ModuleFinder.of(unit.jars().toArray(Path[]::new));
                Set<String> roots = new LinkedHashSet<>();
                for (ModuleReference ref : finder.findAll()) {
                    roots.add(ref.descriptor().name());
                }
                Configuration cf = Configuration.resolve(finder, List.of(boot.configuration()), ModuleFinder.of(),
                        roots);
                layer = ModuleLayer.defineModulesWithOneLoader(cf, List.of(boot), ClassLoader.getSystemClassLoader())
                        .layer();
            } catch (FindException | ResolutionException | java.lang.LayerInstantiationException e) {
                throw new PluginLoadException(unit.path() + ": cannot resolve the modules of this plugin for "
                        + "io.tribune.api.Plugin: " + e.getMessage(), e);
            }
            int found = 0;
            // Only the plugin jar's own module counts: the unit's other jars are its libraries, even
            // one that is itself a plugin (a wrapper may ship the plugin it wraps; plugins feature).
            String own = ModuleFinder.of(unit.bundle()).findAll().stream().findFirst()
                    .map(r -> r.descriptor().name()).orElse(null);
            try {
                for (ServiceLoader.Provider<Plugin> p : ServiceLoader.load(layer, Plugin.class).stream().toList()) {
                    if (p.type().getModule().getLayer() != layer || !p.type().getModule().getName().equals(own)) {
                        continue;
                    }
                    out.add(LoadedPlugin.of(p.get(), unit.path() + " (module " + p.type().getModule().getName() + ")"));
                    found++;
                }
            } catch (ServiceConfigurationError e) {
                throw new PluginLoadException(unit.path() + ": cannot instantiate its io.tribune.api.Plugin provider: "
                        + e.getMessage(), e);
            }
            if (found == 0) {
                throw new PluginLoadException(unit.path() + ": no module here provides io.tribune.api.Plugin "
                        + "(add 'provides io.tribune.api.Plugin with ...' to its module-info)");
            }
        }
        return out;
    }

    @Override
    public void close() {
        // Layers are released with their class loaders once the agent drops its instances.
    }

}
