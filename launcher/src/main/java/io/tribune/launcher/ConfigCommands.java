package io.tribune.launcher;

import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The config feature's commands: {@code validate} (offline) and {@code reload} (asks the agent). */
final class ConfigCommands {
    private ConfigCommands() {
    }

    /**
     * {@code tribune validate FILE_OR_DIR...}: reads the files as {@code tribune agent -config-file}
     * / {@code -config-dir} would and builds the configuration (every check the agent makes before
     * loading plugins). Exit 0 with "Configuration is valid!", else 1 with the error.
     */
    @Command(addMethodSubcommands = false, name = "validate", description = "Checks config files (or directories of them) as the agent would read them.")
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-config-format", "--config-format"}, paramLabel = "FORMAT",
                description = "read every file as json or hcl, whatever its extension")
        String format;
        @Option(names = {"-quiet", "--quiet"}, description = "print nothing when the configuration is valid")
        boolean quiet;
        @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = "config files or directories")
        List<Path> paths;

        @Override
        public Integer call() {
            ConfigLoader loader = new ConfigLoader();
            try {
                paths.forEach(p -> loader.addPath(p, format));
                loader.build();
            } catch (ConfigException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("Config validation failed: " + e.getMessage());
                return Main.EXIT_FAILURE;
            }
            if (!quiet) {
                loader.warnings().forEach(w -> spec.commandLine().getErr().println("Warning: " + w));
                spec.commandLine().getOut().println("Configuration is valid!");
            }
            return 0;
        }
    }

    /** {@code tribune reload}: asks the agent to re-read its config files ({@code PUT /v1/agent/reload}). */
    @Command(addMethodSubcommands = false, name = "reload", description = "Makes the agent re-read its configuration files and flags.")
    static final class Reload extends ClientCommands.Base {
        @Override
        int run() throws ApiClient.ApiException {
            api().call("PUT", "/v1/agent/reload", null);
            out().println("Configuration reload triggered");
            return 0;
        }
    }
}
