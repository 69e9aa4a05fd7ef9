package io.tribune.launcher;

import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code tribune event -name NAME [-node RE] [-service RE] [-tag RE] [PAYLOAD]}: fires a user event
 * through {@code /v1/event/fire/<name>} and prints {@code Event ID: <id>}, as Consul does. The
 * agent bounds the name plus payload (Consul's 512 bytes by default) and answers an error when
 * larger; nothing is sent then.
 */
@Command(addMethodSubcommands = false, name = "event", sortOptions = false, description = "Fires a user event to the cluster (watch -type event sees it).")
final class EventCommand extends ClientCommands.Base {
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", required = true, description = "the event's name")
    String name;

    @Option(names = {"-node", "--node"}, paramLabel = "REGEXP", description = "only nodes whose name matches")
    String node;

    @Option(names = {"-service", "--service"}, paramLabel = "REGEXP", description = "only nodes with a matching service")
    String service;

    @Option(names = {"-tag", "--tag"}, paramLabel = "REGEXP", description = "only nodes whose service has a matching tag")
    String tag;

    @Option(names = {"-datacenter", "--datacenter"}, paramLabel = "DC", description = "the datacenter to fire it in")
    String datacenter;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PAYLOAD")
    String payload;

    @Override
    int run() throws ApiClient.ApiException {
        if (name.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Event name must be specified");
        }
        if (tag != null && service == null) {
            throw new ParameterException(spec.commandLine(), "Cannot provide tag filter without service filter");
        }
        List<String> q = new ArrayList<>();
        if (node != null) {
            q.add("node=" + ApiClient.enc(node));
        }
        if (service != null) {
            q.add("service=" + ApiClient.enc(service));
        }
        if (tag != null) {
            q.add("tag=" + ApiClient.enc(tag));
        }
        if (datacenter != null) {
            q.add("dc=" + ApiClient.enc(datacenter));
        }
        byte[] body = payload == null ? new byte[0] : payload.getBytes(StandardCharsets.UTF_8);
        String r = new String(api().call("PUT", "/v1/event/fire/" + ApiClient.enc(name)
                + (q.isEmpty() ? "" : "?" + String.join("&", q)), body), StandardCharsets.UTF_8);
        out().println("Event ID: " + JsonParser.parseString(r).getAsJsonObject().get("ID").getAsString());
        return 0;
    }
}
