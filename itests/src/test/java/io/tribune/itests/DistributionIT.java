package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape of the built distribution: every plugin jar is a named JPMS module that provides
 * {@code io.tribune.api.Plugin} and exports at most its root package, and an OSGi bundle whose
 * symbolic name is its module name, which imports the SPI with a version range, exports nothing
 * and has an activator; the SPI jar exports
 * versioned packages (Gson's and SLF4J's manifest tests, in spirit).
 */
class DistributionIT {
    /** The SPI version the build declares (the parent pom's tribune.spi.version). */
    private static final String SPI = System.getProperty("tribune.spi.version", "unset");

    @Test
    void everyPluginJarIsAModuleAndABundleWithOneIdentity() throws IOException {
        List<Path> units;
        try (Stream<Path> s = Files.list(AgentProcess.DIST.resolve("plugins"))) {
            units = s.sorted().toList();
        }
        assertEquals(PluginSelectionIT.SHIPPED, units.stream().map(p -> p.getFileName().toString()).toList());
        for (Path unit : units) {
            String name = unit.getFileName().toString();
            Path jar;
            try (Stream<Path> s = Files.list(unit)) {
                jar = s.filter(p -> p.getFileName().toString().startsWith("tribune-" + name + "-")).findFirst()
                        .orElseThrow(() -> new AssertionError("no plugin jar in " + unit));
            }
            ModuleReference ref = ModuleFinder.of(jar).findAll().iterator().next();
            ModuleDescriptor md = ref.descriptor();
            assertFalse(md.isAutomatic(), jar + " has no module-info");
            assertTrue(md.provides().stream().anyMatch(p -> p.service().equals("io.tribune.api.Plugin")),
                    jar + " does not provide io.tribune.api.Plugin");
            // A plugin may export its own root package (its entry point, for embedding); never internals.
            assertTrue(md.exports().stream().allMatch(e -> e.source().equals(md.name()) && !e.isQualified()),
                    jar + " exports " + md.exports());
            try (JarFile jf = new JarFile(jar.toFile())) {
                Attributes a = jf.getManifest().getMainAttributes();
                assertEquals(md.name(), a.getValue("Bundle-SymbolicName"), jar.toString());
                assertEquals(name, a.getValue("Tribune-Plugin"), jar.toString());
                assertNotNull(a.getValue("Bundle-Activator"), jar + " has no activator");
                assertNull(a.getValue("Export-Package"), jar + " exports packages");
                String imports = a.getValue("Import-Package");
                assertTrue(imports.contains("io.tribune.api;version=\"[" + SPI + ",2)\""), jar + ": " + imports);
            }
        }
    }

    @Test
    void spiJarExportsVersionedPackagesAndDependsOnJavaBaseOnly() throws IOException {
        Path api;
        try (Stream<Path> s = Files.list(AgentProcess.DIST.resolve("lib"))) {
            api = s.filter(p -> p.getFileName().toString().startsWith("tribune-api-")).findFirst().orElseThrow();
        }
        ModuleDescriptor md = ModuleFinder.of(api).findAll().iterator().next().descriptor();
        assertEquals("io.tribune.api", md.name());
        assertTrue(md.requires().stream().allMatch(r -> r.name().equals("java.base")), md.requires().toString());
        try (JarFile jf = new JarFile(api.toFile())) {
            String exports = jf.getManifest().getMainAttributes().getValue("Export-Package");
            for (String pkg : List.of("io.tribune.api", "io.tribune.api.storage", "io.tribune.api.transport",
                    "io.tribune.api.consensus", "io.tribune.api.membership")) {
                assertTrue(exports.contains(pkg + ";version=\"" + SPI + "\""), pkg + " not exported with version: " + exports);
            }
        }
    }
}
