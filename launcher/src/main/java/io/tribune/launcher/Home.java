package io.tribune.launcher;

import io.tribune.agent.plugins.PluginSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The distribution's layout ({@code tribune.home}: bin/, lib/, plugins/, conf/) and the runtime choice. */
final class Home {
    private Home() {
    }

    static Path home() {
        String h = System.getProperty("tribune.home");
        if (h == null) {
            throw new IllegalStateException("system property tribune.home is not set; start Tribune with bin/tribune");
        }
        return Path.of(h);
    }

    static List<Path> pluginDirs(List<Path> given) {
        return given == null || given.isEmpty() ? List.of(home().resolve("plugins")) : given;
    }

    /** The runtime named by {@code -runtime}, checked against how the JVM was started. */
    static PluginSource source(String runtime, List<Path> pluginDirs, Optional<Path> dataDir) {
        List<PluginDirs.Unit> units = PluginDirs.scan(pluginDirs);
        String r = runtime.toLowerCase(Locale.ROOT);
        boolean onModulePath = Home.class.getModule().isNamed();
        switch (r) {
            case "jpms":
                if (!onModulePath) {
                    throw new IllegalArgumentException("-runtime jpms needs the launcher on the module path; "
                            + "start it with bin/tribune, which sets this up");
                }
                return new JpmsPluginSource(units);
            case "felix":
                Path cache;
                boolean temp;
                try {
                    if (dataDir.isPresent()) {
                        cache = dataDir.get().resolve("felix-cache");
                        temp = false;
                    } else {
                        cache = TempCaches.create(Path.of(System.getProperty("java.io.tmpdir")));
                        temp = true;
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("cannot create the OSGi cache directory: " + e.getMessage(), e);
                }
                return new FelixPluginSource(units, cache, temp, home().resolve("conf").resolve("felix.properties"));
            default:
                throw new IllegalArgumentException("unknown runtime '" + runtime + "': expected felix or jpms");
        }
    }
}
