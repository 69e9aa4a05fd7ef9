package io.tribune.launcher.boot;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Main class of the JPMS runtime ({@code bin/tribune ... -runtime jpms}).
 *
 * <p>Layers: the boot layer holds {@code io.tribune.api} and this module only. The host
 * ({@code lib/host}: launcher, agent, state store, Netty, Gson, picocli) becomes one child layer
 * with one class loader; each plugin directory later becomes another child of the boot layer.
 * Plugins and host therefore share the SPI types and nothing else: an automatic module in a plugin
 * (gRPC, Guava) reads every module of its own layer and of the boot layer, so the boot layer must
 * not contain a library that a plugin also brings.
 */
public final class Boot {
    private Boot() {
    }

    /** Builds the host layer and runs its entry; exits with its code. */
    public static void main(String[] args) {
        String home = System.getProperty("tribune.home");
        if (home == null) {
            System.err.println("error: system property tribune.home is not set; start Tribune with bin/tribune");
            System.exit(2);
        }
        Path hostDir = Path.of(home, "lib", "host");
        if (!Files.isDirectory(hostDir)) {
            System.err.println("error: " + hostDir + " is missing; the distribution is incomplete");
            System.exit(2);
        }
        ModuleFinder finder = ModuleFinder.of(hostDir);
        Set<String> roots = new LinkedHashSet<>();
        for (ModuleReference ref : finder.findAll()) {
            roots.add(ref.descriptor().name());
        }
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = Configuration.resolve(finder, List.of(boot.configuration()), ModuleFinder.of(), roots);
        ModuleLayer host = ModuleLayer.defineModulesWithOneLoader(cf, List.of(boot),
                ClassLoader.getSystemClassLoader()).layer();
        Entry entry = ServiceLoader.load(host, Entry.class).findFirst().orElseThrow(() ->
                new IllegalStateException("no io.tribune.launcher.boot.Entry in " + hostDir));
        System.exit(entry.run(args));
    }
}
