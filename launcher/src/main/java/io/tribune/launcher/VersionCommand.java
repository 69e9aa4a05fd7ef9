package io.tribune.launcher;

import io.tribune.api.SpiVersion;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tribune version}. */
@Command(addMethodSubcommands = false, name = "version", description = "Prints the Tribune version and the SPI version.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("Tribune v" + version());
        spec.commandLine().getOut().println("Plugin SPI " + SpiVersion.string() + " (Consul HTTP API /v1 compatible)");
        return 0;
    }
}
