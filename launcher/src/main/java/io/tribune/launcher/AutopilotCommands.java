package io.tribune.launcher;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code operator autopilot get-config|set-config}, with Consul's flags and output, over the local
 * agent's {@code /v1/operator/autopilot/configuration}. {@code set-config} reads the configuration,
 * changes the given fields and writes it back with {@code ?cas=<ModifyIndex>}, so a concurrent change
 * is reported instead of lost. Exit codes as in {@link ClientCommands}.
 */
final class AutopilotCommands {
    private static final String PATH = "/v1/operator/autopilot/configuration";

    private AutopilotCommands() {
    }

    @Command(addMethodSubcommands = false, name = "autopilot", description = "Reads and changes the autopilot configuration.")
    static final class Autopilot extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(GetConfig.class, SetConfig.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "get-config", description = "Prints the autopilot configuration.")
    static final class GetConfig extends ClientCommands.Base {
        @Option(names = {"-stale", "--stale"}, description = "let any server answer, not only the leader")
        boolean stale;

        @Override
        int run() throws ApiClient.ApiException {
            JsonObject c = JsonParser.parseString(api().callText("GET", PATH + (stale ? "?stale" : "")))
                    .getAsJsonObject();
            print(out(), c);
            return 0;
        }
    }

    /** Consul's {@code operator autopilot get-config} lines. */
    static void print(PrintWriter out, JsonObject c) {
        for (String k : new String[] {"CleanupDeadServers", "LastContactThreshold", "MaxTrailingLogs", "MinQuorum",
            "ServerStabilizationTime", "RedundancyZoneTag", "DisableUpgradeMigration", "UpgradeVersionTag"}) {
            JsonElement v = c.get(k);
            String text = v == null || v.isJsonNull() ? "" : v.getAsString();
            if (k.endsWith("Tag")) {
                text = "\"" + text + "\"";
            }
            out.println(k + " = " + text);
        }
        out.flush();
    }

    @Command(addMethodSubcommands = false, name = "set-config", description = "Changes the autopilot configuration (only the given fields).")
    static final class SetConfig extends ClientCommands.Base {
        @Option(names = {"-cleanup-dead-servers", "--cleanup-dead-servers"}, paramLabel = "true|false",
                description = "remove failed servers from the Raft configuration")
        String cleanup;

        @Option(names = {"-last-contact-threshold", "--last-contact-threshold"}, paramLabel = "DURATION",
                description = "longest time since a server's last contact with the leader for it to be healthy")
        String lastContact;

        @Option(names = {"-max-trailing-logs", "--max-trailing-logs"}, paramLabel = "N",
                description = "most log entries a healthy server may trail the leader by")
        String maxTrailing;

        @Option(names = {"-server-stabilization-time", "--server-stabilization-time"}, paramLabel = "DURATION",
                description = "time a new server must be healthy before it counts as stable")
        String stabilization;

        @Override
        int run() throws ApiClient.ApiException {
            JsonObject change = new JsonObject();
            if (cleanup != null) {
                if (!cleanup.equals("true") && !cleanup.equals("false")) {
                    throw new ParameterException(spec.commandLine(), "-cleanup-dead-servers must be true or false");
                }
                change.addProperty("CleanupDeadServers", Boolean.parseBoolean(cleanup));
            }
            if (lastContact != null) {
                change.addProperty("LastContactThreshold", lastContact);
            }
            if (maxTrailing != null) {
                try {
                    change.addProperty("MaxTrailingLogs", Long.parseLong(maxTrailing));
                } catch (NumberFormatException e) {
                    throw new ParameterException(spec.commandLine(), "-max-trailing-logs must be a whole number");
                }
            }
            if (stabilization != null) {
                change.addProperty("ServerStabilizationTime", stabilization);
            }
            JsonObject current = JsonParser.parseString(api().callText("GET", PATH)).getAsJsonObject();
            long index = current.get("ModifyIndex").getAsLong();
            byte[] ok = api().call("PUT", PATH + "?cas=" + index, change.toString().getBytes(StandardCharsets.UTF_8));
            if (new String(ok, StandardCharsets.UTF_8).trim().equals("true")) {
                out().println("Configuration updated!");
                out().flush();
                return 0;
            }
            out().println("Configuration could not be atomically updated, please try again");
            out().flush();
            return 1;
        }
    }
}
