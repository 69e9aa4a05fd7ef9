package io.tribune.launcher;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.plugins.PluginLoadException;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.PluginSource;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tribune plugins}: what the local agent RUNS (name, version, SPI area, since, origin), asked
 * from its {@code /v1/agent/self}; with {@code -installed}, {@code -runtime} or {@code -plugin-dir},
 * or when no agent answers, what is installed on disk (loaded here, in a runtime of its own).
 * {@code tribune plugins update NAME [JAR]} replaces a running plugin (live update).
 */
@Command(addMethodSubcommands = false, name = "plugins", description = "Lists the plugins the local agent runs (or, with -installed, those on disk); "
        + "'plugins update NAME [JAR]' replaces a running plugin.", subcommands = {PluginsCommand.Update.class})
final class PluginsCommand extends ClientCommands.Base {
    @Option(names = {"-runtime", "--runtime"}, description = "felix (default) or jpms; implies -installed")
    String runtime;

    @Option(names = {"-plugin-dir", "--plugin-dir"}, description = "plugins directory (repeatable; default: "
            + "HOME/plugins); implies -installed")
    List<Path> pluginDirs;

    @Option(names = {"-installed", "--installed"}, description = "list what is installed on disk, not what runs")
    boolean installed;

    @Override
    int run() {
        PrintWriter out = out();
        PrintWriter err = err();
        if (!installed && runtime == null && pluginDirs == null) {
            try {
                JsonObject self = JsonParser.parseString(api().callText("GET", "/v1/agent/self")).getAsJsonObject();
                printRunning(out, self);
                return 0;
            } catch (ApiClient.ApiException e) {
                if (e.status != 0) {
                    err.println("Error! " + e.getMessage());
                    return 1;
                }
                out.println("no agent answers (" + e.getMessage() + "); the plugins installed on disk:");
            }
        }
        try (PluginSource source = Home.source(runtime == null ? "felix" : runtime, Home.pluginDirs(pluginDirs),
                Optional.empty())) {
            PluginRegistry reg = PluginRegistry.of(source.load());
            out.printf("%-20s %-16s %-24s %-5s %-8s %-40s %s%n", "NAME", "VERSION", "PROVIDES", "SPI", "DURABLE",
                    "CAPABILITIES", "ORIGIN");
            for (LoadedPlugin p : reg.plugins()) {
                PluginDescriptor d = p.descriptor();
                String provides = d.provides().stream().map(SpiKind::key).sorted().collect(Collectors.joining(","));
                out.printf("%-20s %-16s %-24s %-5s %-8s %-40s %s%n", d.name(), d.version(), provides,
                        d.spiMajor() + "." + d.spiMinor(), d.durable() ? "yes" : "no", capabilities(reg, p),
                        p.origin());
            }
            out.println("runtime: " + source.runtime());
            return 0;
        } catch (PluginLoadException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
    }

    /**
     * The capabilities the host reads for {@code p}'s factories (comma-separated keys); marked
     * "(undeclared)" when the descriptor declares none and they come from the factories and defaults.
     */
    static String capabilities(PluginRegistry reg, LoadedPlugin p) {
        java.util.EnumSet<io.tribune.api.Capability> all = java.util.EnumSet.noneOf(io.tribune.api.Capability.class);
        for (SpiKind k : SpiKind.values()) {
            reg.candidates(k).stream().filter(c -> c.plugin() == p)
                    .forEach(c -> all.addAll(io.tribune.agent.plugins.Capabilities.of(p, c.factory())));
        }
        String keys = all.isEmpty() ? "-" : all.stream().map(io.tribune.api.Capability::key)
                .collect(Collectors.joining(","));
        return p.descriptor().declaresCapabilities() ? keys : keys + " (undeclared)";
    }

    /** The running plugins of {@code /v1/agent/self}'s (or the update's) {@code Plugins} list. */
    static void printRunning(PrintWriter out, JsonObject self) {
        out.printf("%-20s %-12s %-10s %-24s %-40s %s%n", "NAME", "VERSION", "KIND", "SINCE", "CAPABILITIES", "ORIGIN");
        JsonElement list = self.get("Plugins");
        if (list != null && list.isJsonArray()) {
            printRows(out, list.getAsJsonArray());
        }
        JsonElement stats = self.get("Stats");
        if (stats != null && stats.isJsonObject() && stats.getAsJsonObject().has("agent")) {
            JsonElement rt = stats.getAsJsonObject().getAsJsonObject("agent").get("runtime");
            if (rt != null) {
                out.println("runtime: " + rt.getAsString() + " (running)");
            }
        }
    }

    private static void printRows(PrintWriter out, JsonArray rows) {
        for (JsonElement e : rows) {
            JsonObject p = e.getAsJsonObject();
            // Capabilities: absent from agents before capabilities were declared.
            JsonElement caps = p.get("Capabilities");
            String capText = caps == null || !caps.isJsonArray() || caps.getAsJsonArray().isEmpty() ? "-"
                    : String.join(",", caps.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList());
            out.printf("%-20s %-12s %-10s %-24s %-40s %s%n", p.get("Name").getAsString(), p.get("Version").getAsString(),
                    p.get("Kind").getAsString(), p.get("Since").getAsString(), capText, p.get("Origin").getAsString());
        }
    }

    /** {@code tribune plugins update NAME [JAR]}: a live update of one running plugin. */
    @Command(addMethodSubcommands = false, name = "update", description = "Replaces the running plugin NAME in the local agent with a new version "
            + "(from JAR, or reloaded from where it was loaded) and starts it with the same configuration. Only the "
            + "Felix runtime and transport plugins can; others answer that a restart is needed.")
    static final class Update extends ClientCommands.Base {
        @Parameters(index = "0", paramLabel = "NAME", description = "the plugin's name, as 'tribune plugins' shows it")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "JAR", description = "the new jar (a path on the agent's "
                + "machine)")
        Path jar;

        @Override
        int run() throws ApiClient.ApiException {
            String q = "";
            if (jar != null) {
                Path abs = jar.toAbsolutePath().normalize();
                if (!Files.isRegularFile(abs)) {
                    err().println("Error! no such file: " + abs);
                    return 1;
                }
                q = "?jar=" + ApiClient.enc(abs.toString());
            }
            String body = api().callText("PUT", "/v1/agent/plugins/" + ApiClient.enc(name) + "/update" + q);
            out().println("Plugin '" + name + "' replaced; the agent now runs:");
            out().printf("%-20s %-12s %-10s %-24s %-40s %s%n", "NAME", "VERSION", "KIND", "SINCE", "CAPABILITIES",
                    "ORIGIN");
            printRows(out(), JsonParser.parseString(body).getAsJsonArray());
            return 0;
        }
    }
}
