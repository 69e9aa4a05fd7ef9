package io.tribune.launcher;

import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.plugins.PluginLoadException;
import io.tribune.agent.plugins.PluginSource;
import io.tribune.api.Plugin;
import io.tribune.api.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Finds plugins in an embedded OSGi framework (Apache Felix), following Felix's own launcher:
 * <ol>
 *   <li>read {@code conf/felix.properties} of the distribution (framework settings);</li>
 *   <li>export the SPI packages from the system bundle, versioned with {@link SpiVersion}, so
 *       every plugin bundle wires to the host's copy (one class space for SPI types);</li>
 *   <li>create the framework through the standard {@link FrameworkFactory}, with a private cache
 *       that is cleaned on first init;</li>
 *   <li>install each plugin unit's bundle (the jar with the {@code Tribune-Plugin} header, which
 *       embeds its libraries) and start it; its activator registers its {@link Plugin} service;</li>
 *   <li>collect the {@link Plugin} services.</li>
 * </ol>
 * A bundle that fails to resolve or start stops the launch with the bundle, the interface and
 * Felix's reason. {@link #close()} stops the framework and waits for it.
 */
final class FelixPluginSource implements PluginSource {
    private static final String[] SPI_PACKAGES = {"io.tribune.api", "io.tribune.api.storage",
        "io.tribune.api.transport", "io.tribune.api.consensus", "io.tribune.api.membership"};
    private final List<PluginDirs.Unit> units;
    private final Path cacheDir;
    private final boolean deleteCache;
    private final Path confFile;
    private Framework framework;
    /** plugins feature: each loaded plugin's bundle, by plugin name, for live updates. */
    private final Map<String, Bundle> bundleOf = new HashMap<>();

    FelixPluginSource(List<PluginDirs.Unit> units, Path cacheDir, boolean deleteCache, Path confFile) {
        this.units = units;
        this.cacheDir = cacheDir;
        this.deleteCache = deleteCache;
        this.confFile = confFile;
    }

    @Override
    public String runtime() {
        return "felix";
    }

    /** The SPI packages as the system bundle exports them. */
    static String systemPackagesExtra() {
        StringBuilder sb = new StringBuilder();
        for (String p : SPI_PACKAGES) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(p).append(";version=\"").append(SpiVersion.MAJOR).append('.').append(SpiVersion.MINOR).append('"');
        }
        return sb.toString();
    }

    @Override
    public List<LoadedPlugin> load() {
        Map<String, String> cfg = new HashMap<>();
        if (confFile != null && Files.isRegularFile(confFile)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(confFile)) {
                p.load(in);
            } catch (IOException e) {
                throw new PluginLoadException("cannot read " + confFile + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> cfg.put(k, p.getProperty(k)));
        }
        cfg.put(Constants.FRAMEWORK_STORAGE, cacheDir.toString());
        cfg.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        cfg.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, systemPackagesExtra());
        cfg.putIfAbsent(Constants.FRAMEWORK_BOOTDELEGATION, "sun.*,com.sun.*,jdk.*");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, FelixPluginSource.class.getClassLoader())
                .findFirst().orElseThrow(() -> new PluginLoadException(
                        "no OSGi framework on the class path (org.apache.felix.framework is missing from lib/)"));
        framework = factory.newFramework(cfg);
        try {
            framework.init();
            framework.start();
        } catch (BundleException e) {
            throw new PluginLoadException("cannot start the OSGi framework: " + e.getMessage(), e);
        }
        BundleContext ctx = framework.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        for (PluginDirs.Unit u : units) {
            try {
                // reference: installs in place; Felix does not copy the jar into its cache.
                bundles.add(ctx.installBundle("reference:" + u.bundle().toUri()));
            } catch (BundleException e) {
                throw new PluginLoadException(u.bundle() + ": cannot install this bundle of io.tribune.api.Plugin '"
                        + u.name() + "': " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < bundles.size(); i++) {
            try {
                bundles.get(i).start();
            } catch (BundleException e) {
                throw new PluginLoadException(units.get(i).bundle() + ": bundle of io.tribune.api.Plugin '"
                        + units.get(i).name() + "' does not start: " + e.getMessage()
                        + (e.getCause() != null ? " (" + e.getCause() + ")" : ""), e);
            }
        }
        List<LoadedPlugin> out = new ArrayList<>();
        try {
            for (Bundle b : bundles) {
                ServiceReference<?>[] refs = b.getRegisteredServices();
                int found = 0;
                if (refs != null) {
                    for (ServiceReference<?> ref : refs) {
                        Object svc = ctx.getService(ref);
                        if (svc instanceof Plugin plugin) {
                            LoadedPlugin lp = LoadedPlugin.of(plugin, b.getLocation() + " (bundle " + b.getSymbolicName()
                                    + " " + b.getVersion() + ")");
                            out.add(lp);
                            bundleOf.put(lp.descriptor().name(), b);
                            found++;
                        }
                    }
                }
                if (found == 0) {
                    throw new PluginLoadException(b.getLocation() + ": bundle " + b.getSymbolicName()
                            + " started but registered no io.tribune.api.Plugin service (does its activator register "
                            + "one, and does it import io.tribune.api with version range [1.0,2)?)");
                }
            }
        } catch (IllegalStateException e) {
            throw new PluginLoadException("OSGi framework stopped while collecting plugins: " + e.getMessage(), e);
        }
        checkNoStrayPlugins(ctx, out.size());
        return out;
    }

    /**
     * Live update (plugins feature): {@code releaseOld} first (the agent closes the instances of the
     * old revision, whose threads must be gone before their classes are), then
     * {@link Bundle#update(InputStream)} from {@code jar} (Felix copies it into its cache) or from the
     * bundle's own location, then a refresh of that bundle through {@link FrameworkWiring} so that
     * nothing wires to the old revision any more, and finally the {@link Plugin} service the new
     * revision registers. Blocks up to 60 s for the refresh.
     */
    @Override
    public synchronized LoadedPlugin update(String name, Optional<Path> jar, Runnable releaseOld) {
        Bundle b = bundleOf.get(name);
        if (b == null || framework == null) {
            throw new PluginLoadException("no loaded plugin bundle is named '" + name + "'");
        }
        if (jar.isPresent() && !Files.isRegularFile(jar.get())) {
            throw new PluginLoadException(jar.get() + ": no such file (the new jar of plugin '" + name + "')");
        }
        releaseOld.run();
        try {
            if (jar.isPresent()) {
                b.update(Files.newInputStream(jar.get()));   // update closes the stream
            } else {
                b.update();
            }
        } catch (IOException | BundleException e) {
            throw new PluginLoadException((jar.isPresent() ? jar.get() : b.getLocation()) + ": cannot update the bundle"
                    + " of io.tribune.api.Plugin '" + name + "': " + e.getMessage(), e);
        }
        CountDownLatch refreshed = new CountDownLatch(1);
        framework.adapt(FrameworkWiring.class).refreshBundles(List.of(b), e -> refreshed.countDown());
        try {
            if (!refreshed.await(60, TimeUnit.SECONDS)) {
                throw new PluginLoadException("the OSGi framework did not refresh plugin '" + name + "' within 60 s");
            }
            if (b.getState() != Bundle.ACTIVE) {
                b.start();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PluginLoadException("interrupted while refreshing plugin '" + name + "'", e);
        } catch (BundleException e) {
            throw new PluginLoadException("the new revision of plugin '" + name + "' does not start: " + e.getMessage(), e);
        }
        BundleContext ctx = framework.getBundleContext();
        ServiceReference<?>[] refs = b.getRegisteredServices();
        if (refs != null) {
            for (ServiceReference<?> ref : refs) {
                if (ctx.getService(ref) instanceof Plugin plugin) {
                    LoadedPlugin lp = LoadedPlugin.of(plugin, jar.map(Path::toString).orElse(b.getLocation())
                            + " (bundle " + b.getSymbolicName() + " " + b.getVersion() + ")");
                    if (!lp.descriptor().name().equals(name)) {
                        throw new PluginLoadException("the new revision of bundle " + b.getSymbolicName()
                                + " registers plugin '" + lp.descriptor().name() + "', not '" + name + "'");
                    }
                    return lp;
                }
            }
        }
        throw new PluginLoadException("the new revision of bundle " + b.getSymbolicName() + " registered no "
                + "io.tribune.api.Plugin service");
    }

    private static void checkNoStrayPlugins(BundleContext ctx, int expected) {
        try {
            var refs = ctx.getServiceReferences(Plugin.class, null);
            if (refs.size() != expected) {
                throw new PluginLoadException("found " + refs.size() + " io.tribune.api.Plugin services but "
                        + expected + " from plugin bundles");
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (framework != null) {
            try {
                framework.stop();
                framework.waitForStop(10_000);
            } catch (BundleException e) {
                System.getLogger(FelixPluginSource.class.getName())
                        .log(System.Logger.Level.WARNING, "OSGi framework did not stop cleanly: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            framework = null;
        }
        if (deleteCache) {
            TempCaches.delete(cacheDir);
        }
    }
}
