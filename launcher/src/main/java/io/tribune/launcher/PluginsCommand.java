package io.tribune.launcher;

import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.plugins.PluginLoadException;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.PluginSource;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tribune plugins}: lists the plugins found, with versions, SPI areas and origin. */
@Command(name = "plugins", description = "Lists installed plugins: name, version, SPI areas, SPI version, origin.")
final class PluginsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-runtime", "--runtime"}, defaultValue = "felix", description = "felix (default) or jpms")
    String runtime;

    @Option(names = {"-plugin-dir", "--plugin-dir"}, description = "plugins directory (repeatable; default: HOME/plugins)")
    List<Path> pluginDirs;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (PluginSource source = Home.source(runtime, Home.pluginDirs(pluginDirs), Optional.empty())) {
            PluginRegistry reg = PluginRegistry.of(source.load());
            out.printf("%-20s %-16s %-24s %-5s %-8s %s%n", "NAME", "VERSION", "PROVIDES", "SPI", "DURABLE", "ORIGIN");
            for (LoadedPlugin p : reg.plugins()) {
                PluginDescriptor d = p.descriptor();
                String provides = d.provides().stream().map(SpiKind::key).sorted().collect(Collectors.joining(","));
                out.printf("%-20s %-16s %-24s %-5s %-8s %s%n", d.name(), d.version(), provides,
                        d.spiMajor() + "." + d.spiMinor(), d.durable() ? "yes" : "no", p.origin());
            }
            out.println("runtime: " + source.runtime());
            return 0;
        } catch (PluginLoadException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
    }
}
