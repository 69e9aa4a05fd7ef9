package io.tribune.launcher;

import io.tribune.agent.plugins.PluginLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Lays out the plugin directories. A plugin unit is either a sub-directory of a plugins directory
 * (the plugin's jar beside the jars it needs) or a single jar placed directly in it. The plugin's
 * own jar is the one whose manifest carries {@code Tribune-Plugin}; in OSGi it is the bundle to
 * install (it embeds its dependencies), on the module path every jar of the unit joins the layer.
 */
final class PluginDirs {
    /** Manifest header naming the plugin, written by the plugin build. */
    static final String HEADER = "Tribune-Plugin";

    /**
     * One plugin unit.
     *
     * @param path   the directory or jar
     * @param jars   every jar of the unit
     * @param bundle the plugin jar (with the {@value #HEADER} header)
     * @param name   the header's value
     */
    record Unit(Path path, List<Path> jars, Path bundle, String name) {
    }

    private PluginDirs() {
    }

    /** Every unit in {@code dirs}, in directory then name order. */
    static List<Unit> scan(List<Path> dirs) {
        List<Unit> units = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new PluginLoadException("plugins directory " + dir + " does not exist");
            }
            List<Path> entries;
            try (Stream<Path> s = Files.list(dir)) {
                entries = s.sorted().toList();
            } catch (IOException e) {
                throw new PluginLoadException("cannot list plugins directory " + dir + ": " + e.getMessage(), e);
            }
            for (Path e : entries) {
                if (Files.isDirectory(e)) {
                    List<Path> jars;
                    try (Stream<Path> s = Files.list(e)) {
                        jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
                    } catch (IOException ex) {
                        throw new PluginLoadException("cannot list plugin directory " + e + ": " + ex.getMessage(), ex);
                    }
                    if (jars.isEmpty()) {
                        continue;
                    }
                    units.add(unit(e, jars));
                } else if (e.toString().endsWith(".jar")) {
                    units.add(unit(e, List.of(e)));
                }
            }
        }
        return units;
    }

    /**
     * The unit's plugin jar: the one whose {@value #HEADER} names the directory, else the only jar
     * with the header. Every other jar is a library of the plugin (plugins feature: a jar of another
     * plugin shipped beside it is a library too, never a second plugin), so a directory with several
     * header jars none of which names the directory is ambiguous and refused.
     */
    private static Unit unit(Path path, List<Path> jars) {
        String dirName = path.getFileName().toString();
        List<Path> withHeader = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path j : jars) {
            String n = header(j);
            if (n != null) {
                withHeader.add(j);
                names.add(n);
            }
        }
        if (withHeader.isEmpty()) {
            throw new PluginLoadException(path + ": no jar here has a '" + HEADER + "' manifest header, so none is "
                    + "an io.tribune.api.Plugin (see docs/plugins.md)");
        }
        int named = names.indexOf(dirName);
        if (named >= 0) {
            return new Unit(path, jars, withHeader.get(named), dirName);
        }
        if (withHeader.size() > 1) {
            throw new PluginLoadException(path + ": several plugin jars (" + withHeader.stream()
                    .map(j -> j.getFileName().toString()).toList() + ") and none names this directory: name the "
                    + "directory after the plugin (its " + HEADER + " header); the other jars are then its libraries");
        }
        return new Unit(path, jars, withHeader.get(0), names.get(0));
    }

    private static String header(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            var mf = jf.getManifest();
            return mf == null ? null : mf.getMainAttributes().getValue(HEADER);
        } catch (IOException e) {
            throw new PluginLoadException(jar + ": not a readable jar: " + e.getMessage(), e);
        }
    }
}
