package io.tribune.launcher;

import io.tribune.agent.observe.LogLevel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tribune monitor [-log-level=info] [-log-json]}: prints the agent's log lines as they are
 * logged ({@code /v1/agent/monitor}), until interrupted (Ctrl-C) or the agent goes away. Exit code 1
 * when the agent refuses or cannot be reached, 2 for an unknown level.
 */
@Command(addMethodSubcommands = false, name = "monitor", description = "Streams the agent's log lines until interrupted.")
final class MonitorCommand extends ClientCommands.Base {
    @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL", defaultValue = "info",
            description = "trace, debug, info (default), warn or err")
    String logLevel;
    @Option(names = {"-log-json", "--log-json"}, description = "lines as JSON objects")
    boolean logJson;

    @Override
    int run() throws ApiClient.ApiException, IOException {
        if (LogLevel.parse(logLevel).isEmpty()) {
            err().println("Error! Unknown log level: " + logLevel + " (expected trace, debug, info, warn or err)");
            return Main.EXIT_USAGE;
        }
        String path = "/v1/agent/monitor?loglevel=" + ApiClient.enc(logLevel.trim()) + (logJson ? "&logjson" : "");
        try (InputStream in = api().stream(path);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out().println(line);
                out().flush();
            }
        }
        // The agent ended the stream (it stopped): Consul's monitor prints nothing more and exits.
        return 0;
    }
}
