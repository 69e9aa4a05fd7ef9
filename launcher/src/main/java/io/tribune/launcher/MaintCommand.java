package io.tribune.launcher;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code tribune maint}: Consul's maintenance mode of the node or of one service. With
 * {@code -enable} or {@code -disable} it calls {@code /v1/agent/maintenance} or
 * {@code /v1/agent/service/maintenance/<id>}, which add or remove the critical check
 * {@code _node_maintenance} or {@code _service_maintenance:<id>}; without either it lists what is
 * in maintenance now, in Consul's layout.
 */
@Command(addMethodSubcommands = false, name = "maint", sortOptions = false,
        description = "Puts the node or a service into maintenance mode (-enable) or out of it (-disable);"
                + " without either, lists what is in maintenance.")
final class MaintCommand extends ClientCommands.Base {
    static final String NODE_CHECK = "_node_maintenance";
    static final String SERVICE_CHECK_PREFIX = "_service_maintenance:";

    @Option(names = {"-enable", "--enable"}, description = "enter maintenance mode")
    boolean enable;

    @Option(names = {"-disable", "--disable"}, description = "leave maintenance mode")
    boolean disable;

    @Option(names = {"-service", "--service"}, paramLabel = "ID", description = "a service's ID instead of the node")
    String service;

    @Option(names = {"-reason", "--reason"}, paramLabel = "TEXT", description = "why (shown as the check's output)")
    String reason;

    @Override
    int run() throws ApiClient.ApiException {
        if (enable && disable) {
            throw new ParameterException(spec.commandLine(), "Only one of -enable or -disable may be provided");
        }
        if (!enable && reason != null) {
            throw new ParameterException(spec.commandLine(), "Reason may only be provided with -enable");
        }
        if (!enable && !disable) {
            if (service != null) {
                throw new ParameterException(spec.commandLine(), "Service requires either -enable or -disable");
            }
            JsonObject self = JsonParser.parseString(api().callText("GET", "/v1/agent/self")).getAsJsonObject();
            String node = self.getAsJsonObject("Config").get("NodeName").getAsString();
            JsonObject checks = JsonParser.parseString(api().callText("GET", "/v1/agent/checks")).getAsJsonObject();
            out().print(listing(node, checks));
            out().flush();
            return 0;
        }
        String q = "?enable=" + enable + (reason != null ? "&reason=" + ApiClient.enc(reason) : "");
        if (service == null) {
            api().call("PUT", "/v1/agent/maintenance" + q, null);
            out().println(enable ? "Node entered maintenance mode" : "Node left maintenance mode");
        } else {
            api().call("PUT", "/v1/agent/service/maintenance/" + ApiClient.enc(service) + q, null);
            out().println((enable ? "Service entered maintenance mode: " : "Service left maintenance mode: ") + service);
        }
        return 0;
    }

    /** What is in maintenance, from {@code /v1/agent/checks}: a Node block and one Service block each, or "". */
    static String listing(String node, JsonObject checks) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonElement> e : new java.util.TreeMap<>(checks.asMap()).entrySet()) {
            JsonObject c = e.getValue().getAsJsonObject();
            String reason = c.has("Notes") && !c.get("Notes").getAsString().isEmpty() ? c.get("Notes").getAsString()
                    : c.has("Output") ? c.get("Output").getAsString() : "";
            if (e.getKey().equals(NODE_CHECK)) {
                sb.insert(0, "Node:\n  Name:   " + node + "\n  Reason: " + reason + "\n\n");
            } else if (e.getKey().startsWith(SERVICE_CHECK_PREFIX)) {
                sb.append("Service:\n  ID:     ").append(e.getKey().substring(SERVICE_CHECK_PREFIX.length()))
                        .append("\n  Reason: ").append(reason).append("\n\n");
            }
        }
        return sb.toString();
    }
}
